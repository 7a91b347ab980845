// CPU time of finished child processes. Node has no rusage for one child, so this reads the kernel's running
// total of the worker's reaped children (cutime, cstime of /proc/self/stat) before and after a command. When
// several tasks end at the same moment their times mix; the numbers are for the author's eyes only.
import { readFileSync } from 'node:fs';
import type { CpuTimes } from '../shared/cpu-time.js';
import { procStatFields } from '../shared/proc-stat.js';

// USER_HZ is 100 on every Linux the worker runs on; Node cannot ask sysconf(_SC_CLK_TCK).
const ticksPerSecond = 100;

/** Total CPU time of the worker's reaped children, or undefined where /proc is not available. */
export function childCpuTimes(): CpuTimes | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = procStatFields(stat);
    const cutime = Number(fields[13]);
    const cstime = Number(fields[14]);
    if (!Number.isFinite(cutime) || !Number.isFinite(cstime)) return undefined;
    return { userSeconds: cutime / ticksPerSecond, kernelSeconds: cstime / ticksPerSecond };
  } catch {
    return undefined;
  }
}
