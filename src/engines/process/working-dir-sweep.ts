// Processes that left their command's process group (`setsid`) are out of reach of the group kill, but they
// still work in the task directory: a process whose current directory is inside it belongs to the task. The
// process engine has no cgroup to find them by (the sandbox engine has), so at the end of each command, and
// on kill and abort, it looks them up in /proc and kills them. A process that also left the directory stays
// out of reach: the process engine isolates nothing, and says so.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { procStatFields } from '../shared/proc-stat.js';

/** Limits a sweep to the processes born since a command started (see `bornSinceFilter`). */
export interface BornSince {
  /** The command's own process: every process it made has a later PID, until the PIDs wrap around. */
  readonly pid: number;
  /** When it started (performance.now()). */
  readonly startedAt: number;
}

/**
 * Live processes whose working directory is `dir` or below, except those of the `keepSessions`. Synchronous
 * on purpose: it runs at the end of every command, on the task's critical path, and a pass over /proc is a
 * few microseconds per process, far less than one thread-pool round trip per process would cost. With
 * `bornSince`, processes that are older than the command are passed over without a look, where that is
 * certain (see `bornSinceFilter`): on a busy host that is most of them.
 */
export function processesWorkingIn(
  dir: string,
  keepSessions: ReadonlySet<number>,
  bornSince?: BornSince,
): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const self = process.pid;
  const candidate = bornSince ? bornSinceFilter(bornSince) : () => true;
  const found: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === self || !candidate(pid)) continue;
    try {
      const cwd = readlinkSync(`/proc/${entry}/cwd`);
      if (cwd !== dir && !cwd.startsWith(`${dir}/`)) continue;
      const fields = procStatFields(readFileSync(`/proc/${entry}/stat`, 'utf8'));
      // fields[0] is the state, fields[3] the session.
      if (fields[0] === 'Z' || fields[0] === 'X' || keepSessions.has(Number(fields[3]))) continue;
      found.push(pid);
    } catch {
      // Gone meanwhile, or not ours to look at.
    }
  }
  return found;
}

/** Forks per second no host outpaces: bounds how soon the PIDs can have wrapped around. */
const maxForksPerSecond = 100_000;

/** pid_max, read once: it is set at boot (sysctl) and the sweep runs at the end of every command. */
let pidMax: number | undefined;

/**
 * Linux hands out PIDs in increasing order up to pid_max, then wraps. While the last PID handed out (the last
 * field of /proc/loadavg) is not below the command's and too little time passed for a whole lap, exactly the
 * PIDs from the command's on were born since it started. Otherwise every process is a candidate.
 */
export function bornSinceFilter(since: BornSince): (pid: number) => boolean {
  const all = (): boolean => true;
  try {
    const last = Number(readFileSync('/proc/loadavg', 'utf8').trim().split('/').at(-1)?.split(' ').at(-1));
    pidMax ??= Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8'));
    if (!Number.isSafeInteger(last) || !Number.isSafeInteger(pidMax) || last < since.pid) return all;
    const lapSeconds = pidMax / maxForksPerSecond;
    if ((performance.now() - since.startedAt) / 1000 >= lapSeconds) return all;
    return (pid) => pid >= since.pid && pid <= last;
  } catch {
    return all;
  }
}

/** Kills them and waits (bounded) until none is left; false if some survived. */
export async function killProcessesWorkingIn(
  dir: string,
  keepSessions: ReadonlySet<number> = new Set(),
  options: { timeoutMs?: number; bornSince?: BornSince } = {},
): Promise<boolean> {
  const deadline = Date.now() + (options.timeoutMs ?? 5000);
  for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
    const pids = processesWorkingIn(dir, keepSessions, options.bornSince);
    if (pids.length === 0) return true;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    if (Date.now() > deadline) return false;
    await sleep(delay);
  }
}
