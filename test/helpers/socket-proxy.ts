// A unix-socket proxy in front of a real service (the Docker daemon), for fault injection: `cut()` drops every
// connection and stops listening (the daemon went away), `freeze()` holds every connection without
// forwarding a byte (the daemon stopped answering), `restore()` brings it back.
import { rmSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export class SocketProxy {
  readonly path: string;
  readonly #target: string;
  readonly #pairs = new Set<[Socket, Socket]>();
  #server: Server | undefined;
  #frozen = false;

  private constructor(path: string, target: string) {
    this.path = path;
    this.#target = target;
  }

  static async start(path: string, target: string): Promise<SocketProxy> {
    const proxy = new SocketProxy(path, target);
    await proxy.restore();
    return proxy;
  }

  /** Listening and forwarding again. */
  async restore(): Promise<void> {
    this.#frozen = false;
    for (const [client, upstream] of this.#pairs) {
      client.resume();
      upstream.resume();
      this.#forward(client, upstream);
    }
    if (this.#server) return;
    rmSync(this.path, { force: true });
    const server = createServer((client) => this.#accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.path, () => resolve());
    });
    this.#server = server;
  }

  /** Every connection dropped and no new one accepted. */
  async cut(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const [client, upstream] of this.#pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.#pairs.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(this.path, { force: true });
  }

  /** Connections stay open, new ones are accepted, but nothing goes through. */
  freeze(): void {
    this.#frozen = true;
    for (const [client, upstream] of this.#pairs) {
      client.pause();
      upstream.pause();
    }
  }

  #accept(client: Socket): void {
    const upstream = createConnection(this.#target);
    const pair: [Socket, Socket] = [client, upstream];
    this.#pairs.add(pair);
    const drop = (): void => {
      this.#pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.once('close', drop);
    upstream.once('close', drop);
    client.on('error', drop);
    upstream.on('error', drop);
    // Frozen: held without a byte through (pipe() would resume the sockets) until restore().
    if (!this.#frozen) this.#forward(client, upstream);
  }

  readonly #forwarding = new WeakSet<Socket>();

  #forward(client: Socket, upstream: Socket): void {
    if (this.#forwarding.has(client)) return;
    this.#forwarding.add(client);
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
