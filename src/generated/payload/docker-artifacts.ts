/* Generated from schemas/ by `npm run generate`. Do not edit by hand. */

/**
 * Files the task publishes as artifacts once its container stopped (docker-worker format: a map from the artifact name to where the file or directory is in the container).
 */
export interface DockerArtifactsPayload {
  /**
   * `{"public/build.tar.gz": {"type": "file", "path": "/home/worker/build.tar.gz"}}`. A directory becomes one artifact per file, `name/relative/path`. A missing file or directory becomes an error artifact and does not fail the task.
   */
  artifacts?: {
    [k: string]: DockerArtifact | undefined;
  };
}
export interface DockerArtifact {
  type: 'file' | 'directory';
  /**
   * Absolute path in the container.
   */
  path: string;
  /**
   * Defaults to the task's expiry; must lie between the task's deadline and its expiry.
   */
  expires?: string;
}
