// Reports how a run ended. The worker is the only part that tells the queue; a 409 means the run is no longer
// ours (canceled, resolved, claim expired) and is swallowed, and transient errors are retried a few times on
// top of taskcluster-client's own retries, since losing a report costs the task a whole claim timeout.
import type { Logger } from 'pino';
import type { Resolution } from '../errors.js';
import { describeError, isTransientQueueError } from '../queue/queue-errors.js';
import { QueueRequestError, type RunQueue } from '../queue/types.js';
import { backoffDelay } from './backoff.js';
import type { Clock } from './clock.js';

export type ReportOutcome =
  /** The queue took the resolution. */
  | 'reported'
  /** Canceled runs are never reported. */
  | 'not-reported'
  /** 409: the queue had already moved on. */
  | 'conflict'
  /** A final error or too many transient ones; the queue will expire the claim. */
  | 'gave-up';

export interface ReportOptions {
  clock: Clock;
  log: Logger;
  maxAttempts?: number;
  random?: () => number;
}

type Reporter = Pick<RunQueue, 'reportCompleted' | 'reportFailed' | 'reportException'>;

export async function reportResolution(
  runQueue: Reporter,
  resolution: Resolution,
  options: ReportOptions,
): Promise<ReportOutcome> {
  if (resolution.kind === 'canceled') return 'not-reported';
  const { clock, log } = options;
  const maxAttempts = options.maxAttempts ?? 5;
  const send = (): Promise<unknown> => {
    switch (resolution.kind) {
      case 'completed':
        return runQueue.reportCompleted();
      case 'failed':
        return runQueue.reportFailed();
      case 'exception':
        return runQueue.reportException(resolution.reason);
    }
  };
  for (let attempt = 1; ; attempt++) {
    try {
      await send();
      return 'reported';
    } catch (error) {
      if (error instanceof QueueRequestError && error.isConflict) {
        log.warn(
          { error: describeError(error), resolution: resolution.kind },
          'report answered 409; ignoring',
        );
        return 'conflict';
      }
      if (!isTransientQueueError(error) || attempt >= maxAttempts) {
        log.error(
          { error: describeError(error), attempt, resolution: resolution.kind },
          'could not report resolution',
        );
        return 'gave-up';
      }
      const delay = backoffDelay(attempt - 1, { initialMs: 1000, maxMs: 30_000 }, options.random);
      log.warn({ error: describeError(error), attempt, retryInMs: delay }, 'report failed; retrying');
      await clock.sleep(delay);
    }
  }
}
