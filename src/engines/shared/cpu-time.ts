// CPU time a command used, in user and kernel seconds. Each engine reads a running total before and after a
// command (the process engine the worker's reaped children, the sandbox engine the task's cgroup); the
// command's own time is the difference of the two readings, here.
export interface CpuTimes {
  readonly userSeconds: number;
  readonly kernelSeconds: number;
}

/**
 * `{ cpu }` with the time spent between two readings of a running total (never negative), or nothing when
 * either reading is missing, so that it can be spread into an outcome.
 */
export function cpuTimeBetween(
  before: CpuTimes | undefined,
  after: CpuTimes | undefined,
): { readonly cpu?: CpuTimes } {
  if (!before || !after) return {};
  return {
    cpu: {
      userSeconds: Math.max(0, after.userSeconds - before.userSeconds),
      kernelSeconds: Math.max(0, after.kernelSeconds - before.kernelSeconds),
    },
  };
}
