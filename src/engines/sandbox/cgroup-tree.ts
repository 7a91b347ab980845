// A CgroupTree out of one cgroup version's own parts (how a task's cgroup is opened and made, how the engine's
// parent cgroup is listed). Creating is the same for v1 and v2, and kept in one place: a leftover of the same
// name (a crashed worker's) is emptied and replaced, never reused as it is.
import type { CgroupTree, TaskCgroup } from './cgroup-types.js';
import type { ResourceLimits } from './resource-limits.js';

/** A task's cgroup that can also be made: its directories created and its limits written. */
export interface MakeableCgroup extends TaskCgroup {
  make(limits: ResourceLimits): Promise<void>;
}

export function cgroupTree(
  version: 1 | 2,
  open: (name: string) => MakeableCgroup,
  list: () => Promise<string[]>,
): CgroupTree {
  return {
    version,
    open,
    async create(name: string, limits: ResourceLimits): Promise<TaskCgroup> {
      const cgroup = open(name);
      await cgroup.remove();
      await cgroup.make(limits);
      return cgroup;
    },
    list,
  };
}
