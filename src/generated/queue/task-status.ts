/* Generated from schemas/ by `npm run generate`. Do not edit by hand. */

/**
 * A taskId or taskGroupId (22 characters of URL-safe base64).
 */
export type Slugid = string;
/**
 * A provisionerId, workerType, workerGroup, workerId, schedulerId or projectId.
 */
export type Identifier = string;
/**
 * `<provisionerId>/<workerType>`.
 */
export type TaskQueueId = string;
export type Priority = 'highest' | 'very-high' | 'high' | 'medium' | 'low' | 'very-low' | 'lowest' | 'normal';

export interface TaskStatus {
  taskId: Slugid;
  provisionerId: Identifier;
  workerType: Identifier;
  taskQueueId: TaskQueueId;
  schedulerId: Identifier;
  projectId: Identifier;
  taskGroupId: Slugid;
  priority: Priority;
  deadline: string;
  expires: string;
  retriesLeft: number;
  state: 'unscheduled' | 'pending' | 'running' | 'completed' | 'failed' | 'exception';
  runs: TaskRun[];
}
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
