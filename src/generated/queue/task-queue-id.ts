/* Generated from schemas/ by `npm run generate`. Do not edit by hand. */

/**
 * `<provisionerId>/<workerType>`.
 */
export type TaskQueueId = string;
