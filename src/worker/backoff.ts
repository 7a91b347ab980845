// Exponential back-off with jitter, for retrying the queue after errors (never between successful claims).
// Jitter keeps a fleet of workers that failed together from retrying together.

export interface BackoffOptions {
  /** Delay of the first retry, in ms. */
  initialMs: number;
  /** Upper bound of any delay, in ms. */
  maxMs: number;
  /** Random spread, 0 to 1: 0.25 gives delays within ±25 % of the nominal value. */
  jitter?: number;
}

/** Delay before retry number `attempt` (0 for the first retry). `random` returns [0, 1). */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const nominal = Math.min(options.maxMs, options.initialMs * 2 ** Math.max(0, attempt));
  const jitter = options.jitter ?? 0.25;
  const factor = 1 - jitter + 2 * jitter * random();
  return Math.round(Math.min(options.maxMs, nominal * factor));
}
