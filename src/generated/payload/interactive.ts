/* Generated from schemas/ by `npm run generate`. Do not edit by hand. */

/**
 * An interactive shell into the running task (generic-worker's `features.interactive`).
 */
export interface InteractivePayload {
  /**
   * Optional features of the worker the task asks for.
   */
  features?: {
    /**
     * Publish a shell into the running task: the reference artifact private/generic-worker/shell.html points at the Taskcluster UI's shell page with the socket's URL. The worker must enable it.
     */
    interactive?: boolean;
  };
}
