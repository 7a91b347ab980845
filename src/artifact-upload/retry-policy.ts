// How uploads retry: exponential backoff with jitter, for answers a retry can fix (network errors, 5xx, 408,
// 429) and for refused signatures (a fresh URL first). Everything else fails at once.
import { setTimeout as sleep } from 'node:timers/promises';
import { PutStatusError } from './put-body.js';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly attempts: number;
  /** Delay before the second attempt; it doubles for each further one. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { attempts: 6, baseDelayMs: 500, maxDelayMs: 20_000 };

/** What to do after a failed PUT. */
export type PutFailure = 'retry' | 'refresh' | 'fatal';

export function classifyPutFailure(error: unknown): PutFailure {
  if (!(error instanceof PutStatusError)) return 'retry'; // no answer: reset, refused, timeout
  const status = error.statusCode;
  // S3 answers 403 to an expired or otherwise refused signature, and 400 to some of its own timeouts.
  if (status === 403 || status === 400) return 'refresh';
  if (status >= 500 || status === 408 || status === 429) return 'retry';
  return 'fatal';
}

/** The delay before attempt `attempt + 1` (attempt counts from 1), with +-25 % jitter. */
export function backoffDelay(policy: RetryPolicy, attempt: number): number {
  const delay = Math.min(policy.baseDelayMs * 2 ** (attempt - 1), policy.maxDelayMs);
  return delay * (0.75 + Math.random() / 2);
}

/** Sleeps, or throws the abort reason. */
export async function backoff(policy: RetryPolicy, attempt: number, signal: AbortSignal): Promise<void> {
  await sleep(backoffDelay(policy, attempt), undefined, { signal }).catch(() => signal.throwIfAborted());
}
