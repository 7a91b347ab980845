// Keeps one run's claim alive: reclaims well before takenUntil, retries failures until the claim would lapse,
// and cancels the run when the queue says it is no longer ours (409) or the claim lapsed anyway.
import type { Logger } from 'pino';
import { TaskCanceledError } from '../errors.js';
import { describeError } from '../queue/queue-errors.js';
import { parseQueueTime } from '../queue/timestamps.js';
import { QueueRequestError, type ReclaimResponse } from '../queue/types.js';
import type { Clock } from './clock.js';
import { reclaimDelay, reclaimRetryDelay } from './reclaim-timing.js';

/** Why reclaiming stops: the run ended (never thrown; sleeps just end early). */
const runEnded = 'run ended';

export interface ReclaimerOptions {
  reclaimTask(): Promise<ReclaimResponse>;
  /** takenUntil of the claim, in ms since the epoch. */
  takenUntil: number;
  clock: Clock;
  log: Logger;
  /** Called once when the run must stop: reclaim answered 409, or the claim lapsed. */
  onCancel(error: TaskCanceledError): void;
  onReclaimed?(takenUntil: number): void;
  random?: () => number;
}

type AttemptOutcome =
  { kind: 'reclaimed'; takenUntil: number } | { kind: 'error'; error: unknown } | { kind: 'lapsed' };

export class Reclaimer {
  readonly #options: ReclaimerOptions;
  readonly #stop = new AbortController();
  #takenUntil: number;
  #loop: Promise<void> | undefined;

  constructor(options: ReclaimerOptions) {
    this.#options = options;
    this.#takenUntil = options.takenUntil;
  }

  get takenUntil(): number {
    return this.#takenUntil;
  }

  start(): void {
    this.#loop ??= this.#run().catch((error: unknown) => {
      // A bug here must not take the worker down; the run goes on until its claim lapses at the queue.
      this.#options.log.error({ error: describeError(error) }, 'reclaimer failed');
    });
  }

  /** Stops reclaiming (the run ended); resolves once no reclaim is in flight from our side. */
  async stop(): Promise<void> {
    // A reason of our own: the default one is an exception object built (with its stack) on every run.
    this.#stop.abort(runEnded);
    await this.#loop;
  }

  async #run(): Promise<void> {
    const { clock, log } = this.#options;
    const stopped = this.#stop.signal;
    for (;;) {
      await clock.sleep(reclaimDelay(this.#takenUntil - clock.now()), stopped);
      if (stopped.aborted) return;
      for (let attempt = 0; ; attempt++) {
        const outcome = await this.#attempt();
        if (stopped.aborted) return;
        if (outcome.kind === 'reclaimed') {
          this.#takenUntil = outcome.takenUntil;
          log.debug({ takenUntil: new Date(outcome.takenUntil).toISOString() }, 'reclaimed task');
          this.#options.onReclaimed?.(outcome.takenUntil);
          break;
        }
        if (
          outcome.kind === 'error' &&
          outcome.error instanceof QueueRequestError &&
          outcome.error.isConflict
        ) {
          log.warn({ error: describeError(outcome.error) }, 'reclaim answered 409: canceling the run');
          this.#options.onCancel(
            new TaskCanceledError('the queue refused the reclaim: the run was canceled or resolved'),
          );
          return;
        }
        const remaining = this.#takenUntil - clock.now();
        if (outcome.kind === 'lapsed' || remaining <= 0) {
          log.error('claim lapsed before a reclaim succeeded: aborting the run');
          this.#options.onCancel(
            new TaskCanceledError('the claim expired before the worker could reclaim it'),
          );
          return;
        }
        const delay = reclaimRetryDelay(attempt, remaining, this.#options.random);
        log.warn(
          { error: describeError(outcome.error), attempt, retryInMs: delay },
          'reclaim failed; retrying',
        );
        await clock.sleep(delay, stopped);
        if (stopped.aborted) return;
      }
    }
  }

  /** One reclaim, raced against the claim's end: a request still hanging then is too late to matter. */
  async #attempt(): Promise<AttemptOutcome> {
    const { clock } = this.#options;
    const deadline = new AbortController();
    const stopped = this.#stop.signal;
    const request = (async (): Promise<AttemptOutcome> => {
      try {
        const response = await this.#options.reclaimTask();
        return { kind: 'reclaimed', takenUntil: parseQueueTime(response.takenUntil) };
      } catch (error) {
        return { kind: 'error', error };
      }
    })();
    const lapse = clock
      .sleep(this.#takenUntil - clock.now(), AbortSignal.any([deadline.signal, stopped]))
      .then((): AttemptOutcome => ({ kind: 'lapsed' }));
    try {
      return await Promise.race([request, lapse]);
    } finally {
      deadline.abort();
    }
  }
}
