/* Generated from schemas/ by `npm run generate`. Do not edit by hand. */

/**
 * Files the task publishes as artifacts once its commands ended.
 */
export interface ArtifactsPayload {
  /**
   * Files and directories to publish, relative to the task directory.
   */
  artifacts?: Artifact[];
}
export interface Artifact {
  /**
   * A single file, or a directory whose files each become one artifact `name/relative/path`.
   */
  type: 'file' | 'directory';
  /**
   * Path relative to the task directory. Nothing outside the task directory is published.
   */
  path: string;
  /**
   * Artifact name (a prefix for a directory); defaults to the path.
   */
  name?: string;
  /**
   * Defaults to the task's expiry; must lie between the task's deadline and its expiry.
   */
  expires?: string;
  /**
   * Defaults to a type guessed from the file extension, else application/octet-stream.
   */
  contentType?: string;
  /**
   * Defaults to gzip, except for kinds that are already compressed (zip, png, ...).
   */
  contentEncoding?: 'identity' | 'gzip';
  /**
   * A missing optional artifact does not fail the task (an error artifact is still created).
   */
  optional?: boolean;
}
