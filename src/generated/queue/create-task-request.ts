/* Generated from schemas/ by `npm run generate`. Do not edit by hand. */

/**
 * A provisionerId, workerType, workerGroup, workerId, schedulerId or projectId.
 */
export type Identifier = string;
/**
 * `<provisionerId>/<workerType>`.
 */
export type TaskQueueId = string;
/**
 * A taskId or taskGroupId (22 characters of URL-safe base64).
 */
export type Slugid = string;
export type Priority = 'highest' | 'very-high' | 'high' | 'medium' | 'low' | 'very-low' | 'lowest' | 'normal';

/**
 * The body of createTask. Either `taskQueueId` or both `provisionerId` and `workerType` (or all three, consistent) name the queue; the queue fills the other optional fields with their defaults.
 */
export interface CreateTaskRequest {
  provisionerId?: Identifier;
  workerType?: Identifier;
  taskQueueId?: TaskQueueId;
  schedulerId?: Identifier;
  projectId?: Identifier;
  taskGroupId?: Slugid;
  /**
   * @maxItems 10000
   */
  dependencies?: Slugid[];
  requires?: 'all-completed' | 'all-resolved';
  /**
   * @maxItems 64
   */
  routes?: string[];
  priority?: Priority;
  retries?: number;
  created: string;
  deadline: string;
  expires?: string;
  /**
   * @maxItems 1000
   */
  scopes?: string[];
  payload: {};
  metadata: {
    name: string;
    description: string;
    owner: string;
    source: string;
  };
  tags?: {
    [k: string]: string | undefined;
  };
  extra?: {};
}
