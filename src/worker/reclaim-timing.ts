// When to reclaim. Relative to the time left rather than a fixed margin, so that a 20 s claim (tests, the
// embedded queue with a short claim timeout) works as well as the default 20 min one.
import { backoffDelay } from './backoff.js';

/** Reclaim once this share of the remaining claim time has passed; the rest is margin for retries. */
export const reclaimShare = 1 / 3;

/** Time to wait before the next reclaim, given the ms left until takenUntil. */
export function reclaimDelay(remainingMs: number): number {
  return Math.max(0, Math.floor(remainingMs * reclaimShare));
}

/**
 * Time to wait before retrying a failed reclaim: exponential from 1 s, but never more than a third of what is
 * left, so that several attempts still fit before the claim lapses.
 */
export function reclaimRetryDelay(
  attempt: number,
  remainingMs: number,
  random: () => number = Math.random,
): number {
  const backoff = backoffDelay(attempt, { initialMs: 1000, maxMs: 60_000 }, random);
  return Math.max(0, Math.min(backoff, Math.floor(remainingMs * reclaimShare)));
}
