// Which cgroup files hold which limit, per cgroup version. Pure, so the numbers are tested without a kernel.
import type { ResourceLimits } from './resource-limits.js';

/** The CFS period the CPU quota is a share of (the kernel's default, 100 ms). */
export const cpuPeriodMicros = 100_000;

const mib = 1024 * 1024;

/** `[controller, file, value]` for cgroup v1, in the order they must be written. */
export function v1LimitWrites(limits: ResourceLimits): Array<[string, string, string]> {
  const writes: Array<[string, string, string]> = [['pids', 'pids.max', String(limits.pids)]];
  if (limits.memoryMB !== undefined) {
    const bytes = String(limits.memoryMB * mib);
    writes.push(['memory', 'memory.limit_in_bytes', bytes]);
    // Memory plus swap, where the kernel accounts swap: without it a task could swap past its limit. It must
    // not be below the memory limit, so it comes second.
    writes.push(['memory', 'memory.memsw.limit_in_bytes', bytes]);
  }
  if (limits.cpus !== undefined) {
    writes.push(['cpu', 'cpu.cfs_period_us', String(cpuPeriodMicros)]);
    writes.push(['cpu', 'cpu.cfs_quota_us', String(cpuQuotaMicros(limits.cpus))]);
  }
  return writes;
}

/** `[file, value]` for cgroup v2. */
export function v2LimitWrites(limits: ResourceLimits): Array<[string, string]> {
  const writes: Array<[string, string]> = [['pids.max', String(limits.pids)]];
  if (limits.memoryMB !== undefined) {
    writes.push(['memory.max', String(limits.memoryMB * mib)]);
    writes.push(['memory.swap.max', '0']);
  }
  if (limits.cpus !== undefined)
    writes.push(['cpu.max', `${cpuQuotaMicros(limits.cpus)} ${cpuPeriodMicros}`]);
  return writes;
}

/** The quota per period for `cpus` CPUs; the kernel takes no less than 1 ms. */
export function cpuQuotaMicros(cpus: number): number {
  return Math.max(1000, Math.round(cpus * cpuPeriodMicros));
}

/** Files that may be missing on a kernel (swap accounting off, no swap controller) without harm. */
export const optionalLimitFiles = new Set(['memory.memsw.limit_in_bytes', 'memory.swap.max']);
