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

export interface ClaimWorkResponse {
  tasks: TaskClaim[];
}
/**
 * One claimed run, as claimWork returns it.
 */
export interface TaskClaim {
  status: TaskStatus;
  runId: number;
  workerGroup: Identifier;
  workerId: Identifier;
  takenUntil: string;
  task: TaskDefinition;
  credentials: TemporaryCredentials;
}
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
/**
 * A task definition as the queue stores and returns it (all defaults filled in).
 */
export interface TaskDefinition {
  provisionerId: Identifier;
  workerType: Identifier;
  taskQueueId: TaskQueueId;
  schedulerId: Identifier;
  projectId: Identifier;
  taskGroupId: Slugid;
  /**
   * @maxItems 10000
   */
  dependencies: Slugid[];
  requires: 'all-completed' | 'all-resolved';
  /**
   * @maxItems 64
   */
  routes: string[];
  priority: Priority;
  retries: number;
  created: string;
  deadline: string;
  expires: string;
  /**
   * @maxItems 1000
   */
  scopes: string[];
  /**
   * Opaque to the queue; the worker validates it.
   */
  payload: {};
  metadata: {
    name: string;
    description: string;
    owner: string;
    source: string;
  };
  tags: {
    [k: string]: string | undefined;
  };
  extra: {};
}
/**
 * Credentials issued by the queue for one run (certificate is a JSON string).
 */
export interface TemporaryCredentials {
  clientId: string;
  accessToken: string;
  certificate: string;
}
