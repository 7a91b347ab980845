/* Generated from schemas/ by `npm run generate`. Do not edit by hand. */

/**
 * The worker's own configuration keys. The full config schema adds the engine's and every plugin's keys (`tc-worker schema config` prints it). Self-contained on purpose: the composed schema keeps only these properties, so no `$ref` to other files.
 */
export interface WorkerConfig {
  /**
   * Root URL of the Taskcluster deployment (or of the embedded queue). Falls back to TASKCLUSTER_ROOT_URL when the file has none.
   */
  rootUrl: string;
  /**
   * The worker's own Taskcluster credentials (used for claimWork only: each run uses the temporary credentials of its claim). When the file has no `credentials`, they come from TASKCLUSTER_CLIENT_ID, TASKCLUSTER_ACCESS_TOKEN and TASKCLUSTER_CERTIFICATE.
   */
  credentials: {
    clientId: string;
    accessToken: string;
    /**
     * Certificate of temporary credentials (a JSON string).
     */
    certificate?: string;
  };
  /**
   * `<provisionerId>/<workerType>` of the tasks this worker claims.
   */
  taskQueueId: string;
  workerGroup: string;
  workerId: string;
  /**
   * How many tasks run at once.
   */
  capacity?: number;
  /**
   * Directory under which each run gets its own task directory.
   */
  workDir: string;
  /**
   * Name of the engine that runs tasks (`process`, `sandbox`, `docker`).
   */
  engine?: string;
  /**
   * The largest `maxRunTime` (seconds) a task may ask for; above it the task is malformed-payload.
   */
  maxTaskRunTime?: number;
  /**
   * Seconds running tasks get to finish after a graceful stop (first SIGTERM/SIGINT) before they are aborted and resolved exception/worker-shutdown. 0 aborts them at once.
   */
  shutdownGracePeriod?: number;
  /**
   * Keep each run's task directory after it ends (debugging).
   */
  keepTaskDirs?: boolean;
  /**
   * Passed to tasks as TASKCLUSTER_WORKER_LOCATION (a JSON string, as worker-runner writes it).
   */
  workerLocation?: string;
  /**
   * Passed to tasks as TASKCLUSTER_INSTANCE_TYPE.
   */
  instanceType?: string;
  /**
   * Level of the structured worker log (JSON lines on stdout).
   */
  logLevel?: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
}
