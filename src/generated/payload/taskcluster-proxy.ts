/* Generated from schemas/ by `npm run generate`. Do not edit by hand. */

/**
 * The taskcluster proxy (generic-worker and docker-worker formats alike).
 */
export interface TaskclusterProxyPayload {
  /**
   * Optional features of the worker the task asks for.
   */
  features?: {
    /**
     * Run a proxy for the task that signs its calls to the deployment's services with the task's credentials (`task.scopes`), at `TASKCLUSTER_PROXY_URL` (use it as the root URL: `$TASKCLUSTER_PROXY_URL/api/queue/v1/...`).
     */
    taskclusterProxy?: boolean;
  };
}
