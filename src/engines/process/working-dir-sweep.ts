// Processes that left their command's process group (`setsid`) are out of reach of the group kill, but they
// still work in the task directory: a process whose current directory is inside it belongs to the task. The
// process engine has no cgroup to find them by (the sandbox engine has), so at the end of each command, and
// on kill and abort, it looks them up in /proc and kills them. A process that also left the directory stays
// out of reach: the process engine isolates nothing, and says so.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { procStatFields } from '../shared/proc-stat.js';

/**
 * Live processes whose working directory is `dir` or below, except those of the `keepSessions`. Synchronous
 * on purpose: it runs at the end of every command, on the task's critical path, and a pass over /proc is a
 * few microseconds per process, far less than one thread-pool round trip per process would cost.
 */
export function processesWorkingIn(dir: string, keepSessions: ReadonlySet<number>): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const self = process.pid;
  const found: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === self) continue;
    try {
      const cwd = readlinkSync(`/proc/${entry}/cwd`);
      if (cwd !== dir && !cwd.startsWith(`${dir}/`)) continue;
      const fields = procStatFields(readFileSync(`/proc/${entry}/stat`, 'utf8'));
      // fields[0] is the state, fields[3] the session.
      if (fields[0] === 'Z' || fields[0] === 'X' || keepSessions.has(Number(fields[3]))) continue;
      found.push(Number(entry));
    } catch {
      // Gone meanwhile, or not ours to look at.
    }
  }
  return found;
}

/** Kills them and waits (bounded) until none is left; false if some survived. */
export async function killProcessesWorkingIn(
  dir: string,
  keepSessions: ReadonlySet<number> = new Set(),
  timeoutMs = 5000,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
    const pids = processesWorkingIn(dir, keepSessions);
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
