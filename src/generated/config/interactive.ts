/* Generated from schemas/ by `npm run generate`. Do not edit by hand. */

/**
 * Worker config keys of the interactive plugin (`features.interactive`, a shell into a running task).
 */
export interface InteractiveConfig {
  /**
   * Interactive shells into running tasks, over the worker's webhook server.
   */
  interactive?: {
    /**
     * Whether tasks may ask for `features.interactive`. When false such a task resolves exception/malformed-payload. Anyone who can read the task's private shell.html artifact gets a shell as the task's user, so enable it only where that is acceptable.
     */
    enabled?: boolean;
    /**
     * Shells open at the same time per task; a further connection is refused (503).
     */
    maxSessions?: number;
  };
}
