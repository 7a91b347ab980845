/* Generated from schemas/ by `npm run generate`. Do not edit by hand. */

/**
 * Worker config keys of the docker engine (`engine: docker`): each task runs in a fresh container of the image its payload names (docker-worker payload format), through the Docker Engine API.
 */
export interface DockerEngineConfig {
  /**
   * How the docker engine reaches the daemon and what a task's container may use.
   */
  docker?: {
    /**
     * Path of the Docker daemon's unix socket.
     */
    socket?: string;
    /**
     * Memory limit of each task's container, in MiB (swap included: the container gets no extra swap). A task that needs more is killed by the kernel and fails with a task-log line saying it ran out of memory. Without it a container may use all the machine's memory.
     */
    memoryMB?: number;
    /**
     * CPU time of each container, in CPUs (1.5 = one and a half cores). Without it, every core.
     */
    cpus?: number;
    /**
     * How many processes and threads each container may have at once (a fork bomb stays inside).
     */
    pidsLimit?: number;
    /**
     * Docker network mode of every task container: `bridge` (the default bridge network, as docker-worker), `none` (loopback only), `host`, or the name of a user-defined network.
     */
    network?: string;
    /**
     * Whether tasks may ask for `capabilities.privileged`. Even then a task gets it only with the scope `docker-worker:capability:privileged`. On hosts that cannot grant every capability (no CAP_SYS_RESOURCE) it means every capability but SYS_RESOURCE, without seccomp.
     */
    allowPrivileged?: boolean;
    /**
     * How many more times a failed image pull (or task-image download) is tried.
     */
    pullRetries?: number;
    /**
     * How long one image pull or task-image download and load may take before it is given up.
     */
    pullTimeoutSeconds?: number;
    /**
     * How long any other call to the daemon (create, start, inspect, kill, remove, archive) may take; a daemon that does not answer in time fails the call (the task resolves as an exception).
     */
    callTimeoutSeconds?: number;
    /**
     * Removes images no running task uses, least recently used first, when the disk that holds the daemon's data has less free space than asked for. Images in use are never removed.
     */
    imageGc?: {
      /**
       * Free space (MiB) to keep on the daemon's disk.
       */
      minFreeMB?: number;
      /**
       * Free space to keep, as a percentage of the disk; the larger of the two bounds wins.
       */
      minFreePercent?: number;
      /**
       * Image names (`repo:tag`) never removed (images the worker's machine was built with).
       */
      keepImages?: string[];
    };
  };
}
