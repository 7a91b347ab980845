// Process groups: every command runs as the leader of its own group, so that killing the group also kills
// the children it left in the background.
import { readFileSync, readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { procStatFields } from '../shared/proc-stat.js';

/**
 * Sends SIGKILL to every process of the group; a group that is already gone is fine. False when the group
 * had no process at all (not even a zombie).
 */
export function killGroup(pgid: number): boolean {
  try {
    process.kill(-pgid, 'SIGKILL');
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    return false;
  }
}

/**
 * True while a live (non-zombie) process is in the group. Reads /proc where it exists, because the orphans
 * of a killed group may stay zombies for a while when nothing reaps them, and `kill(-pgid, 0)` counts those.
 */
export function groupAlive(pgid: number): boolean {
  // Fast path: no process at all in the group (the usual case once a command exited) needs no /proc scan.
  try {
    process.kill(-pgid, 0);
  } catch {
    return false;
  }
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return true;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = procStatFields(stat);
      // fields[0] is the state, fields[2] the process group.
      if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') return true;
    } catch {
      // The process ended while we looked.
    }
  }
  return false;
}

/** Kills the group and waits (bounded) until none of its processes is left; false if some survived. */
export async function killGroupAndWait(pgid: number, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
    // A group without any process (the usual case once a command exited) needs no second look.
    if (!killGroup(pgid) || !groupAlive(pgid)) return true;
    if (Date.now() > deadline) return false;
    await sleep(delay);
  }
}

/** The live (non-zombie) processes of a session, from /proc; empty where /proc is missing. */
function sessionMembers(sid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const members: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = procStatFields(stat);
      // fields[0] is the state, fields[3] the session.
      if (Number(fields[3]) === sid && fields[0] !== 'Z' && fields[0] !== 'X') members.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return members;
}

/**
 * Kills a whole session (a terminal's shell is a session leader) and waits (bounded) until none of its
 * processes is left. A session, not a group: an interactive shell with job control puts every job in a
 * group of its own, so killing the shell's group would leave `sleep 1000 &` running.
 */
export async function killSessionAndWait(sid: number, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
    killGroup(sid);
    const members = sessionMembers(sid);
    for (const pid of members) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    if (members.length === 0 && !groupAlive(sid)) return true;
    if (Date.now() > deadline) return false;
    await sleep(delay);
  }
}
