/* Generated from schemas/ by `npm run generate`. Do not edit by hand. */

/**
 * A taskId or taskGroupId (22 characters of URL-safe base64).
 */
export type Slugid = string;

/**
 * The body of the bulk `tasks` and `statuses` calls.
 */
export interface TasksRequest {
  /**
   * @maxItems 1000
   */
  taskIds: Slugid[];
}
