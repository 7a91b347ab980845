/* Generated from schemas/ by `npm run generate`. Do not edit by hand. */

/**
 * Worker config keys of the artifacts plugin. The task-log plugin reads them too, so that the backing log goes the same way as the task's artifacts.
 */
export interface ArtifactsConfig {
  /**
   * How artifacts (and the backing log) are uploaded.
   */
  artifacts?: {
    /**
     * `s3`: createArtifact answers a presigned putUrl. `object`: uploads go through the object service (`<rootUrl>/api/object/v1/`) with the credentials createArtifact answers, then finishArtifact. With `object` the bytes are stored as they are (the object service has no content encoding).
     */
    storageType?: 's3' | 'object';
    /**
     * How many files of one task are uploaded at the same time.
     */
    uploadConcurrency?: number;
    /**
     * zlib level for gzip-encoded artifacts (1 is fastest, 9 smallest).
     */
    gzipLevel?: number;
  };
}
