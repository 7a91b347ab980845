// The engine's view of cgroups, the same for v1 (one hierarchy per controller) and v2 (one unified tree).
import type { CpuTimes } from '../shared/cpu-time.js';
import type { ResourceLimits } from './resource-limits.js';

/** The cgroups of one task (one per v1 hierarchy, or one v2 cgroup). */
export interface TaskCgroup {
  readonly name: string;
  /** The cgroup.procs files a process writes its pid into to join the task (before it execs the task). */
  readonly procsFiles: readonly string[];
  /** Live processes in the task's cgroups. */
  pids(): Promise<number[]>;
  /**
   * Kills every process of the task at once: freeze (nothing can fork or exit meanwhile), SIGKILL every
   * process, thaw, and wait until none is left. True when it emptied within the timeout.
   */
  killAll(timeoutMs?: number): Promise<boolean>;
  /** How many processes the kernel's OOM killer has killed in the task so far. */
  oomKills(): Promise<number>;
  /** The most memory the task has used at once, in bytes, where the kernel tells. */
  memoryPeakBytes(): Promise<number | undefined>;
  /** CPU time of the task's processes so far, where the kernel tells. */
  cpuTimes(): Promise<CpuTimes | undefined>;
  /** killAll, then removes the cgroups. Idempotent; true when nothing is left. */
  remove(): Promise<boolean>;
}

export interface CgroupTree {
  readonly version: 1 | 2;
  /** Creates the task's cgroups with their limits (replacing leftovers of the same name). */
  create(name: string, limits: ResourceLimits): Promise<TaskCgroup>;
  /** A task's cgroups by name, whether or not they exist (for clean-up). */
  open(name: string): TaskCgroup;
  /** Names of the task cgroups under the engine's parent cgroup. */
  list(): Promise<string[]>;
}
