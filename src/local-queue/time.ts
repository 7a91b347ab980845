// Timestamps travel as ISO strings with millisecond precision (what `Date#toJSON` writes), the form the real
// queue stores, so that idempotent calls compare equal whatever precision the caller used.

export type Clock = () => number;

export const systemClock: Clock = () => Date.now();

export const iso = (ms: number): string => new Date(ms).toJSON();

/** Parses an ISO timestamp already checked by the schema (format date-time). */
export const parseIso = (value: string): number => new Date(value).getTime();

/** `2026-12-01T07:48:13.427+00:00`: the form a real queue writes the top-level `takenUntil` of a claim in. */
export const isoWithOffset = (ms: number): string => iso(ms).replace(/Z$/, '+00:00');

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** Adds whole calendar years the way the real queue's default `expires` (deadline + 1 year) does. */
export const addYears = (ms: number, years: number): number => {
  const date = new Date(ms);
  date.setUTCFullYear(date.getUTCFullYear() + years);
  return date.getTime();
};
