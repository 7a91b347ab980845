/* Generated from schemas/ by `npm run generate`. Do not edit by hand. */

/**
 * Worker config keys of the sandbox engine (`engine: sandbox`): each task runs as a fresh uid, inside bubblewrap (own root file system, PID, IPC, UTS and network namespaces) and its own cgroups. The limits here are the most a task gets; a task may ask for less in its payload (`resources`), never for more.
 */
export interface SandboxEngineConfig {
  /**
   * Isolation and resource limits of the sandbox engine.
   */
  sandbox?: {
    /**
     * Memory limit of each task (all its processes together, page cache and tmpfs included), in MiB. A task that needs more is stopped by the kernel and fails with a task-log line saying it ran out of memory. Without it a task may use all the machine's memory: set it on shared machines.
     */
    memoryMB?: number;
    /**
     * How many processes and threads each task may have at once (the sandbox itself uses 3). Forks beyond it fail, so a fork bomb stays inside its task.
     */
    pids?: number;
    /**
     * CPU time of each task, in CPUs (1.5 = one and a half cores' worth per period). Without it a task may use every core.
     */
    cpus?: number;
    /**
     * Whether tasks may use the host's network. Even when true, a task gets it only with the scope `tc-worker:sandbox:network:<taskQueueId>`; every other task has only its own loopback interface.
     */
    allowNetwork?: boolean;
    /**
     * Absolute directory where the engine keeps what it needs per task (the task's private /tmp, the owner record used to clean up after a crashed worker). Created mode 0711 and owned by root; every directory above it must be searchable by other users (the task users reach their /tmp through it).
     */
    stateDir?: string;
    /**
     * Name of the cgroup (under each cgroup v1 controller's root, or the cgroup v2 root) that holds one cgroup per task. Everything in it belongs to the engine: a worker starting up removes what a crashed worker left there.
     */
    cgroupParent?: string;
    /**
     * The uids the engine gives to tasks, one fresh uid per task run (its group has the same number). They are not written into the host's /etc/passwd: inside its sandbox the task sees its user name in a passwd and group file of its own. Choose a range no user, group, or subordinate id range (/etc/subuid) of the machine uses; ids the host's passwd or group file names are skipped. Engines of several workers on one machine share the range when they share sandbox.stateDir.
     */
    taskUids?: {
      /**
       * The first uid of the range.
       */
      first?: number;
      /**
       * How many uids the range holds. A uid is given again only after its earlier task has left nothing on the machine, and uids go round the range, so the range needs to be larger than the number of tasks running at once; the larger, the later a uid comes back.
       */
      count?: number;
    };
  };
}
