/* Generated from schemas/ by `npm run generate`. Do not edit by hand. */

export interface FinishUploadRequest {
  projectId: string;
  uploadId: string;
  hashes?: ObjectHashes;
}
/**
 * Hashes of an object's content, `{algorithm: hex digest}`. sha256 and sha512 are the accepted algorithms; others are kept but not checked, so newer clients may send algorithms this service does not know.
 */
export interface ObjectHashes {
  sha256?: string;
  sha512?: string;
  [k: string]: string | undefined;
}
