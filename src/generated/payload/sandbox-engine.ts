/* Generated from schemas/ by `npm run generate`. Do not edit by hand. */

/**
 * The sandbox engine's part of a generic-worker format payload: the commands, the OS groups of the task user and the task's resource limits.
 */
export interface SandboxEnginePayload {
  /**
   * The commands to run, one after another, each an argv list run without a shell in the task directory (inside the sandbox, at the same absolute path as on the host). The first command that fails stops the task.
   *
   * @minItems 1
   */
  command: [[string, ...string[]], ...[string, ...string[]][]];
  /**
   * Existing OS groups the task user is added to (generic-worker's `osGroups`). Each needs the scope `generic-worker:os-group:<provisionerId>/<workerType>/<group>`. A group grants access to files the sandbox can see (its own /usr, /etc, /dev and the task directory); inside the sandbox `id` shows such groups as `nogroup`, because the sandbox's user namespace maps only the task's own user and group.
   */
  osGroups?: string[];
  /**
   * Limits for this task, at most the worker's own (`sandbox.memoryMB`, `sandbox.pids`, `sandbox.cpus`). Asking for more than the worker allows is a malformed payload.
   */
  resources?: {
    /**
     * Memory limit of the task (all its processes together), in MiB.
     */
    memoryMB?: number;
    /**
     * How many processes and threads the task may have at once.
     */
    pids?: number;
    /**
     * CPU time of the task, in CPUs (0.5 = half a core).
     */
    cpus?: number;
  };
}
