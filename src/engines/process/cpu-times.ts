// CPU time of finished child processes. Node has no rusage for one child, so this reads the kernel's running
// total of the worker's reaped children (cutime, cstime of /proc/self/stat) before and after a command. When
// several tasks end at the same moment their times mix; the numbers are for the author's eyes only.
import { openSync, readSync } from 'node:fs';
import type { CpuTimes } from '../shared/cpu-time.js';
import { procStatFields } from '../shared/proc-stat.js';

// USER_HZ is 100 on every Linux the worker runs on; Node cannot ask sysconf(_SC_CLK_TCK).
const ticksPerSecond = 100;

// The main thread's stat file (/proc/self/task/<pid>/stat) has the same process-wide cutime and cstime as
// /proc/self/stat, without the sum over every thread that the latter makes: in the worker that sum cost
// about 0.4 ms per read (0.04 ms here). It stays open for the worker's lifetime (close-on-exec, like every
// file Node opens): each read from offset 0 makes a fresh copy, in one system call instead of the four of
// opening, sizing, reading and closing it, twice per command on the critical path.
let statFd: number | undefined;
const statBuffer = Buffer.alloc(4096);

/** Total CPU time of the worker's reaped children, or undefined where /proc is not available. */
export function childCpuTimes(): CpuTimes | undefined {
  try {
    statFd ??= openSync(`/proc/self/task/${process.pid}/stat`, 'r');
    const length = readSync(statFd, statBuffer, 0, statBuffer.length, 0);
    const fields = procStatFields(statBuffer.toString('latin1', 0, length));
    const cutime = Number(fields[13]);
    const cstime = Number(fields[14]);
    if (!Number.isFinite(cutime) || !Number.isFinite(cstime)) return undefined;
    return { userSeconds: cutime / ticksPerSecond, kernelSeconds: cstime / ticksPerSecond };
  } catch {
    return undefined;
  }
}
