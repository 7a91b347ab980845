/* Generated from schemas/ by `npm run generate`. Do not edit by hand. */

export interface FinishArtifactRequest {
  uploadId: string;
}
