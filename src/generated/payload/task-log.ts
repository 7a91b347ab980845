/* Generated from schemas/ by `npm run generate`. Do not edit by hand. */

/**
 * Where the task log is published.
 */
export interface TaskLogPayload {
  /**
   * Names of the task log artifacts.
   */
  logs?: {
    /**
     * The artifact that streams the log while the task runs (the live-log plugin), and a link to the backing log once the task ended.
     */
    live?: string;
    /**
     * The artifact that holds the complete log (gzip) once the task ends.
     */
    backing?: string;
  };
  /**
   * Optional features of the worker the task asks for.
   */
  features?: {
    /**
     * Upload the complete task log as the backing log artifact.
     */
    backingLog?: boolean;
  };
  /**
   * Accepted for compatibility with generic-worker, and ignored.
   */
  supersederUrl?: string;
}
