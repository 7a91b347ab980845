// The worker's life as an explicit state union. Every change is logged and announced, and a change the
// design does not allow is a bug that throws rather than a state nobody thought about.
import type { Logger } from 'pino';

/**
 * - starting: built, not claiming yet
 * - running: claiming up to capacity
 * - draining: graceful stop: no more claims, running tasks may finish (until the grace period ends)
 * - aborting: running tasks are being aborted as worker-shutdown
 * - stopped: nothing runs; final
 */
export type WorkerState = 'starting' | 'running' | 'draining' | 'aborting' | 'stopped';

const allowed: Readonly<Record<WorkerState, readonly WorkerState[]>> = {
  starting: ['running', 'draining', 'aborting', 'stopped'],
  running: ['draining', 'aborting', 'stopped'],
  draining: ['aborting', 'stopped'],
  aborting: ['stopped'],
  stopped: [],
};

export class WorkerStateMachine {
  #state: WorkerState = 'starting';
  readonly #log: Logger;
  readonly #onChange: (from: WorkerState, to: WorkerState) => void;

  constructor(log: Logger, onChange: (from: WorkerState, to: WorkerState) => void = () => undefined) {
    this.#log = log;
    this.#onChange = onChange;
  }

  get state(): WorkerState {
    return this.#state;
  }

  canMoveTo(to: WorkerState): boolean {
    return allowed[this.#state].includes(to);
  }

  moveTo(to: WorkerState, fields: Record<string, unknown> = {}): void {
    const from = this.#state;
    if (!this.canMoveTo(to)) throw new Error(`worker state cannot change from ${from} to ${to}`);
    this.#state = to;
    this.#log.info({ ...fields, from, to }, 'worker state changed');
    this.#onChange(from, to);
  }
}
