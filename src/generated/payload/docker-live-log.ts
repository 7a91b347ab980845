/* Generated from schemas/ by `npm run generate`. Do not edit by hand. */

/**
 * Streaming the task log while the task runs (docker-worker format).
 */
export interface DockerLiveLogPayload {
  /**
   * Optional features of the worker the task asks for.
   */
  features?: {
    /**
     * Publish `public/logs/live.log` as a reference to a stream of the task log while the task runs (then a link to the backing log). Asking for it explicitly on a worker pool that disabled it is malformed-payload.
     */
    localLiveLog?: boolean;
  };
}
