// Processes that left their command's process group (`setsid`) are out of reach of the group kill, but they
// still work in the task directory: a process whose current directory is inside it belongs to the task. The
// process engine has no cgroup to find them by (the sandbox engine has), so at the end of each command, and
// on kill and abort, it looks them up in /proc and kills them. A process that also left the directory stays
// out of reach: the process engine isolates nothing, and says so.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { procStatFields } from '../shared/proc-stat.js';

/** Limits a sweep to the processes born since a command started (see `bornSinceRange`). */
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
 * certain (see `bornSinceRange`): on a busy host that is most of them.
 */
export function processesWorkingIn(
  dir: string,
  keepSessions: ReadonlySet<number>,
  bornSince?: BornSince,
): number[] {
  const self = process.pid;
  const found: number[] = [];
  for (const pid of candidatePids(bornSince)) {
    if (pid === self) continue;
    try {
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      if (cwd !== dir && !cwd.startsWith(`${dir}/`)) continue;
      const fields = procStatFields(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      // fields[0] is the state, fields[3] the session.
      if (fields[0] === 'Z' || fields[0] === 'X' || keepSessions.has(Number(fields[3]))) continue;
      found.push(pid);
    } catch {
      // Gone meanwhile, never there, or not ours to look at.
    }
  }
  return found;
}

/**
 * Fewer PIDs than this born since the command started are looked up one by one, without listing /proc: a
 * command that started nothing else (the usual short one) leaves one or two to look at.
 */
const directLookupLimit = 64;

/** The PIDs that may belong to processes born since `bornSince` (every process without it). */
function candidatePids(bornSince: BornSince | undefined): number[] {
  const range = bornSince ? bornSinceRange(bornSince) : undefined;
  if (range && range.last - range.first < directLookupLimit)
    return Array.from({ length: range.last - range.first + 1 }, (_, i) => range.first + i);
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const inRange = range ? (pid: number) => pid >= range.first && pid <= range.last : () => true;
  return entries
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter(inRange);
}

/** Forks per second no host outpaces: bounds how soon the PIDs can have wrapped around. */
const maxForksPerSecond = 100_000;

/** pid_max, read once: it is set at boot (sysctl) and the sweep runs at the end of every command. */
let pidMax: number | undefined;

/**
 * Linux hands out PIDs in increasing order up to pid_max, then wraps. While the last PID handed out (the last
 * field of /proc/loadavg) is not below the command's and too little time passed for a whole lap, exactly the
 * PIDs from the command's to that one were born since it started. Otherwise (undefined) every process is a
 * candidate.
 */
export function bornSinceRange(since: BornSince): { first: number; last: number } | undefined {
  try {
    const last = Number(readFileSync('/proc/loadavg', 'utf8').trim().split('/').at(-1)?.split(' ').at(-1));
    pidMax ??= Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8'));
    if (!Number.isSafeInteger(last) || !Number.isSafeInteger(pidMax) || last < since.pid) return undefined;
    const lapSeconds = pidMax / maxForksPerSecond;
    if ((performance.now() - since.startedAt) / 1000 >= lapSeconds) return undefined;
    return { first: since.pid, last };
  } catch {
    return undefined;
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
