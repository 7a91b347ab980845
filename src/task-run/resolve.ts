// Picks the one resolution of a run from everything that went wrong in it, through `toResolution`.
import { toResolution, type Resolution } from '../errors.js';

/**
 * How much each outcome outweighs the others when several happened in one run: an abort ends the run
 * whatever else happened; a worker bug must surface; an intermittent exit code asks for a retry even if an
 * artifact also went missing.
 */
function weight(resolution: Resolution): number {
  switch (resolution.kind) {
    case 'completed':
      return 0;
    case 'failed':
      return 1;
    case 'canceled':
      return 7;
    case 'exception':
      switch (resolution.reason) {
        case 'intermittent-task':
          return 2;
        case 'resource-unavailable':
          return 3;
        case 'malformed-payload':
          return 4;
        case 'internal-error':
          return 5;
        case 'worker-shutdown':
          return 6;
      }
  }
}

/** The heaviest resolution of the errors, the earliest on a tie; completed when there are none. */
export function resolveRun(errors: readonly unknown[]): Resolution {
  let best: Resolution = { kind: 'completed' };
  for (const error of errors) {
    const candidate = toResolution(error);
    if (weight(candidate) > weight(best)) best = candidate;
  }
  return best;
}

export function isExceptional(resolution: Resolution): boolean {
  return resolution.kind === 'exception' || resolution.kind === 'canceled';
}
