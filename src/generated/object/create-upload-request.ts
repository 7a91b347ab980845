/* Generated from schemas/ by `npm run generate`. Do not edit by hand. */

/**
 * The object service's createUpload body, with the upload methods the caller can carry out.
 */
export interface CreateUploadRequest {
  projectId: string;
  uploadId: string;
  expires: string;
  hashes?: ObjectHashes;
  proposedUploadMethods: {
    dataInline?: DataInlineUploadRequest;
    putUrl?: PutUrlUploadRequest;
  };
}
/**
 * Hashes of an object's content, `{algorithm: hex digest}`. sha256 and sha512 are the accepted algorithms; others are kept but not checked, so newer clients may send algorithms this service does not know.
 */
export interface ObjectHashes {
  sha256?: string;
  sha512?: string;
  [k: string]: string | undefined;
}
export interface DataInlineUploadRequest {
  contentType: string;
  objectData: string;
}
export interface PutUrlUploadRequest {
  contentType: string;
  contentLength: number;
}
