/* Generated from schemas/ by `npm run generate`. Do not edit by hand. */

/**
 * The process engine's part of a generic-worker format payload.
 */
export interface ProcessEnginePayload {
  /**
   * The commands to run, one after another, each an argv list run without a shell in the task directory. The first command that fails stops the task.
   *
   * @minItems 1
   */
  command: [[string, ...string[]], ...[string, ...string[]][]];
}
