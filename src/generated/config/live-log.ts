/* Generated from schemas/ by `npm run generate`. Do not edit by hand. */

/**
 * Worker config keys of the live-log plugin.
 */
export interface LiveLogConfig {
  /**
   * Streaming the task log over the webhook server while the task runs.
   */
  liveLog?: {
    /**
     * When false only the backing log is published, and a task that asks for `features.liveLog: true` is malformed-payload.
     */
    enabled?: boolean;
  };
}
