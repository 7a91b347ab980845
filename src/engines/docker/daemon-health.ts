// Whether the Docker daemon can run tasks, for the worker's claim loop (Engine.available): asked before every
// claimWork, so it answers from what it knows while that is recent, and pings the daemon (bounded) when it is
// not, or when a task just found the daemon gone.
import type Docker from 'dockerode';
import { daemonCall } from './daemon-call.js';

/** How long a successful contact with the daemon counts as proof that it is there. */
const freshForMs = 10_000;

export class DaemonHealth {
  readonly #docker: Docker;
  readonly #timeoutMs: number;
  readonly #now: () => number;
  /** When the daemon last answered; 0: it has to be asked. */
  #answeredAt: number;

  constructor(docker: Docker, timeoutMs: number, now: () => number = Date.now) {
    this.#docker = docker;
    this.#timeoutMs = timeoutMs;
    this.#now = now;
    this.#answeredAt = now();
  }

  async available(signal: AbortSignal): Promise<boolean> {
    if (this.#answeredAt !== 0 && this.#now() - this.#answeredAt < freshForMs) return true;
    try {
      await daemonCall('ping', { timeoutMs: this.#timeoutMs, signal }, () => this.#docker.ping());
      this.#answeredAt = this.#now();
      return true;
    } catch {
      this.#answeredAt = 0;
      return false;
    }
  }

  /** A task found the daemon away: the next question pings instead of trusting the last answer. */
  lost(): void {
    this.#answeredAt = 0;
  }
}
