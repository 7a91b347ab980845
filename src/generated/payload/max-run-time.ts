/* Generated from schemas/ by `npm run generate`. Do not edit by hand. */

/**
 * How long the task's commands may run.
 */
export interface MaxRunTimePayload {
  /**
   * Seconds the commands may run before the worker kills them and the task fails. Artifact and log uploads are not counted. At most the worker's configured maxTaskRunTime.
   */
  maxRunTime: number;
}
