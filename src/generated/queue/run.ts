/* Generated from schemas/ by `npm run generate`. Do not edit by hand. */

/**
 * A provisionerId, workerType, workerGroup, workerId, schedulerId or projectId.
 */
export type Identifier = string;

export interface TaskRun {
  runId: number;
  state: 'pending' | 'running' | 'completed' | 'failed' | 'exception';
  reasonCreated: 'scheduled' | 'retry' | 'task-retry' | 'rerun' | 'exception';
  reasonResolved?:
    | 'completed'
    | 'failed'
    | 'deadline-exceeded'
    | 'canceled'
    | 'superseded'
    | 'claim-expired'
    | 'worker-shutdown'
    | 'malformed-payload'
    | 'resource-unavailable'
    | 'internal-error'
    | 'intermittent-task';
  workerGroup?: Identifier;
  workerId?: Identifier;
  takenUntil?: string;
  scheduled: string;
  started?: string;
  resolved?: string;
}
