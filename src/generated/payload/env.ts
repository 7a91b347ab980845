/* Generated from schemas/ by `npm run generate`. Do not edit by hand. */

/**
 * Environment variables of the task.
 */
export interface EnvPayload {
  /**
   * Variables set over the engine's default environment. TASK_ID, RUN_ID, TASK_GROUP_ID, TASK_WORKDIR, TASKCLUSTER_ROOT_URL, TASKCLUSTER_WORKER_LOCATION and TASKCLUSTER_INSTANCE_TYPE are set by the worker and cannot be overridden.
   */
  env?: {
    [k: string]: string | undefined;
  };
}
