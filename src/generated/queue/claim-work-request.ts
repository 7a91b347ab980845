/* Generated from schemas/ by `npm run generate`. Do not edit by hand. */

/**
 * A provisionerId, workerType, workerGroup, workerId, schedulerId or projectId.
 */
export type Identifier = string;

export interface ClaimWorkRequest {
  workerGroup: Identifier;
  workerId: Identifier;
  tasks: number;
}
