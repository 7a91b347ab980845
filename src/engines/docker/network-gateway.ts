// Where a container of the worker's network reaches the host: the network's gateway (the bridge's address on
// the host, 172.17.0.1 for Docker's default). A server of the worker for its tasks (the taskcluster proxy)
// listens there. Asked of the daemon once, and again after a failure.
import type Docker from 'dockerode';
import { daemonCall } from './daemon-call.js';

export class NetworkGateway {
  readonly #docker: Docker;
  readonly #network: string;
  readonly #timeoutMs: number;
  #address: Promise<string | undefined> | undefined;

  constructor(docker: Docker, network: string, timeoutMs: number) {
    this.#docker = docker;
    this.#network = network;
    this.#timeoutMs = timeoutMs;
  }

  /** The host's address on the network; undefined for `none` or a network without an IPv4 gateway. */
  address(): Promise<string | undefined> {
    if (this.#network === 'none') return Promise.resolve(undefined);
    // Host networking: the container's loopback is the host's.
    if (this.#network === 'host') return Promise.resolve('127.0.0.1');
    this.#address ??= this.#inspect().catch((error: unknown) => {
      this.#address = undefined;
      throw error;
    });
    return this.#address;
  }

  async #inspect(): Promise<string | undefined> {
    const info = (await daemonCall(`inspect network ${this.#network}`, { timeoutMs: this.#timeoutMs }, () =>
      this.#docker.getNetwork(this.#network).inspect(),
    )) as { IPAM?: { Config?: Array<{ Gateway?: string }> } };
    return info.IPAM?.Config?.map((config) => config.Gateway).find(
      (gateway) => gateway && !gateway.includes(':'),
    );
  }
}
