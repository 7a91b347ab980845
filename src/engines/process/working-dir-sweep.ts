// Processes that left their command's process group (`setsid`) are out of reach of the group kill, but they
// still work in the task directory: a process whose current directory is inside it belongs to the task. The
// process engine has no cgroup to find them by (the sandbox engine has), so at the end of each command, and
// on kill and abort, it looks them up in /proc and kills them. A process that also left the directory stays
// out of reach: the process engine isolates nothing, and says so.
import { readFile, readdir, readlink } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { procStatFields } from '../shared/proc-stat.js';

/** Live processes whose working directory is `dir` or below, except those of the `keepSessions`. */
export async function processesWorkingIn(dir: string, keepSessions: ReadonlySet<number>): Promise<number[]> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return [];
  }
  const self = process.pid;
  const found = await Promise.all(
    entries.map(async (entry) => {
      if (!/^\d+$/.test(entry) || Number(entry) === self) return undefined;
      try {
        const cwd = await readlink(`/proc/${entry}/cwd`);
        if (cwd !== dir && !cwd.startsWith(`${dir}/`)) return undefined;
        const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
        const fields = procStatFields(stat);
        // fields[0] is the state, fields[3] the session.
        if (fields[0] === 'Z' || fields[0] === 'X' || keepSessions.has(Number(fields[3]))) return undefined;
        return Number(entry);
      } catch {
        // Gone meanwhile, or not ours to look at.
        return undefined;
      }
    }),
  );
  return found.filter((pid): pid is number => pid !== undefined);
}

/** Kills them and waits (bounded) until none is left; false if some survived. */
export async function killProcessesWorkingIn(
  dir: string,
  keepSessions: ReadonlySet<number> = new Set(),
  timeoutMs = 5000,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
    const pids = await processesWorkingIn(dir, keepSessions);
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
