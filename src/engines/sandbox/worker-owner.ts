// Which worker process owns a task user: its pid and the kernel's start time of that pid (so that a pid the
// kernel gave to another process since is not mistaken for the worker). Written into the user's comment
// field (GECOS) when the user is made; clean-up removes a task user (and its cgroups and state) only when
// its owner is gone, so engines of several workers or test processes on one machine leave each other alone.
import { readFileSync } from 'node:fs';
import { procStatFields } from '../shared/proc-stat.js';

export interface WorkerOwner {
  readonly pid: number;
  /** Field 22 of /proc/<pid>/stat: clock ticks after boot when the process started. */
  readonly startTime: number;
}

function startTimeOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After the command name (which may hold spaces and parentheses) come fields 3, 4, ...; 22 is index 19.
    const value = Number(procStatFields(stat)[19]);
    return Number.isSafeInteger(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export function currentOwner(): WorkerOwner {
  return { pid: process.pid, startTime: startTimeOf(process.pid) ?? 0 };
}

export function ownerAlive(owner: WorkerOwner): boolean {
  return startTimeOf(owner.pid) === owner.startTime;
}

export function sameOwner(a: WorkerOwner, b: WorkerOwner): boolean {
  return a.pid === b.pid && a.startTime === b.startTime;
}

/** The comment of a task user: readable for an operator, parseable for clean-up (no `:` or newline). */
export function ownerComment(owner: WorkerOwner, taskId: string, runId: number): string {
  return `tc-worker sandbox task ${taskId.replace(/[^\w-]/g, '_')}/${runId} owner ${owner.pid}@${owner.startTime}`;
}

export function parseOwnerComment(comment: string): WorkerOwner | undefined {
  const match = /owner (\d+)@(\d+)/.exec(comment);
  if (!match?.[1] || !match[2]) return undefined;
  return { pid: Number(match[1]), startTime: Number(match[2]) };
}

/** The comment of a user made ahead of time for the next task (account-pool.ts): no task yet, an owner. */
export function poolComment(owner: WorkerOwner): string {
  return `tc-worker sandbox pool user owner ${owner.pid}@${owner.startTime}`;
}
