/* Generated from schemas/ by `npm run generate`. Do not edit by hand. */

/**
 * Worker config keys of the taskcluster-proxy plugin.
 */
export interface TaskclusterProxyConfig {
  /**
   * The per-task proxy that signs a task's calls to Taskcluster with the task's own credentials.
   */
  taskclusterProxy?: {
    /**
     * When false a task that asks for `features.taskclusterProxy` is malformed-payload.
     */
    enabled?: boolean;
  };
}
