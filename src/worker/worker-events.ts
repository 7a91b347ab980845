// What the worker announces, for metrics and dashboards to hook into later. Durations are in milliseconds.
import type { Resolution } from '../errors.js';
import type { ReportOutcome } from './report-resolution.js';
import type { WorkerState } from './worker-state.js';

export interface RunRef {
  readonly taskId: string;
  readonly runId: number;
}

export interface WorkerEvents {
  state: [{ from: WorkerState; to: WorkerState }];
  /** A claimWork call handed out this run; `claimDurationMs` is how long that call took. */
  claimed: [RunRef & { takenUntil: string; claimDurationMs: number }];
  /** runTask was called for the run. */
  started: [RunRef];
  reclaimed: [RunRef & { takenUntil: string }];
  /** The run ended and its resolution went to the queue (or, for canceled runs, did not). */
  resolved: [
    RunRef & {
      resolution: Resolution;
      report: ReportOutcome;
      runDurationMs: number;
      reportDurationMs: number;
      totalDurationMs: number;
    },
  ];
  /** claimWork failed; the loop retries after `retryInMs`. */
  claimError: [{ error: unknown; retryInMs: number }];
  /** The engine became unable (`available: false`, no claims until it is back) or able to run tasks again. */
  engineAvailability: [{ available: boolean }];
}
