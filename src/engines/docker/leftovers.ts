// Containers the engine could not remove when their task ended (the daemon was gone) and containers a worker
// that died left behind: removed when the daemon answers again. A container belongs to a worker process by
// its owner label `<host>/<pid>`; only those of this host whose process is gone are taken.
import { hostname } from 'node:os';
import type Docker from 'dockerode';
import type { Logger } from 'pino';
import { daemonCall, statusOf } from './daemon-call.js';
import { ownerLabel } from './container-spec.js';

export function ownerOf(pid = process.pid): string {
  return `${hostname()}/${pid}`;
}

/** True when `owner` names a process of this host that no longer runs. */
export function ownerIsGone(owner: string, alive: (pid: number) => boolean = processAlive): boolean {
  const slash = owner.lastIndexOf('/');
  const pid = Number(owner.slice(slash + 1));
  return owner.slice(0, slash) === hostname() && Number.isSafeInteger(pid) && pid > 0 && !alive(pid);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class Leftovers {
  readonly #docker: Docker;
  readonly #log: Logger;
  readonly #timeoutMs: number;
  readonly #pending = new Set<string>();

  constructor(docker: Docker, log: Logger, timeoutMs: number) {
    this.#docker = docker;
    this.#log = log;
    this.#timeoutMs = timeoutMs;
  }

  /** Removes a container (forced: it may still run); one the daemon cannot remove now is kept for later. */
  async remove(id: string): Promise<void> {
    try {
      await daemonCall('remove the container', { timeoutMs: this.#timeoutMs }, () =>
        this.#docker.getContainer(id).remove({ force: true, v: true }),
      );
      this.#pending.delete(id);
    } catch (error) {
      if (statusOf(error) === 404) {
        this.#pending.delete(id);
        return;
      }
      // 409: removal already in progress; anything else: the daemon is away. Either way, try again later.
      this.#pending.add(id);
      this.#log.warn({ err: error, container: id }, 'task container not removed; trying again later');
    }
  }

  /** Retries what could not be removed, and takes what dead workers of this host left. */
  async sweep(): Promise<number> {
    const containers = await daemonCall('list containers', { timeoutMs: this.#timeoutMs }, () =>
      this.#docker.listContainers({ all: true, filters: { label: [ownerLabel] } }),
    );
    const orphans = containers
      .filter((container) => ownerIsGone(container.Labels[ownerLabel] ?? ''))
      .map((container) => container.Id);
    const ids = new Set([...this.#pending, ...orphans]);
    await Promise.all([...ids].map((id) => this.remove(id)));
    return ids.size;
  }

  get pending(): number {
    return this.#pending.size;
  }
}
