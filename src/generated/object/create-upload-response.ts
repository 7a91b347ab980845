/* Generated from schemas/ by `npm run generate`. Do not edit by hand. */

/**
 * The upload method the service chose among those proposed; none (`{}`) when it chose none.
 */
export interface CreateUploadResponse {
  projectId: string;
  uploadId: string;
  expires: string;
  uploadMethod: {
    dataInline?: true;
    putUrl?: PutUrlUploadResponse;
  };
}
export interface PutUrlUploadResponse {
  url: string;
  expires: string;
  headers: {
    [k: string]: string | undefined;
  };
}
