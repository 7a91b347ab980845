/* Generated from schemas/ by `npm run generate`. Do not edit by hand. */

/**
 * Streaming the task log while the task runs. The artifact name is `logs.live` (declared by the task-log part).
 */
export interface LiveLogPayload {
  /**
   * Optional features of the worker the task asks for.
   */
  features?: {
    /**
     * Publish `logs.live` as a reference to a stream of the task log while the task runs (then a link to the backing log). Asking for it explicitly on a worker pool that disabled it is malformed-payload.
     */
    liveLog?: boolean;
  };
}
