/* Generated from schemas/ by `npm run generate`. Do not edit by hand. */

/**
 * The download methods the caller accepts. Methods this service does not know are ignored, so that newer clients can propose them.
 */
export interface DownloadObjectRequest {
  acceptDownloadMethods: {
    simple?: true;
    getUrl?: true;
  };
}
