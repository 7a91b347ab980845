/* Generated from schemas/ by `npm run generate`. Do not edit by hand. */

/**
 * What the worker does for particular exit codes of the task's last command.
 */
export interface OnExitStatusPayload {
  onExitStatus?: {
    /**
     * Exit codes that resolve the run exception/intermittent-task, so that the queue retries the task. Never overrides success.
     */
    retry?: number[];
    /**
     * Exit codes after which the task's writable caches are deleted instead of kept.
     */
    purgeCaches?: number[];
  };
}
