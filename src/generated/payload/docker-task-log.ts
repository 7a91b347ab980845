/* Generated from schemas/ by `npm run generate`. Do not edit by hand. */

/**
 * Where the task log is published (docker-worker format).
 */
export interface DockerTaskLogPayload {
  /**
   * The live log artifact's name; the backing log's is the same with `_backing` before the extension of its last path segment (`public/logs/live.log` gives `public/logs/live_backing.log`, `a/b.log.txt` gives `a/b.log_backing.txt`, a name without an extension gets `_backing` at the end).
   */
  log?: string;
  /**
   * Optional features of the worker the task asks for.
   */
  features?: {
    /**
     * Upload the complete task log (gzip) as the backing log artifact once the task ends.
     */
    bulkLog?: boolean;
  };
  /**
   * Accepted for compatibility with docker-worker, and ignored.
   */
  supersederUrl?: string;
}
