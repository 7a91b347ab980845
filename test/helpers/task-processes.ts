// A host's view of a task's processes for the engine conformance suite: which session a process is in and
// what it runs (from /proc, so also for processes in a pid namespace of their own), and a last-resort
// SIGKILL for the processes a failing case left behind.
import { readFileSync } from 'node:fs';

export interface ProcessInfo {
  readonly pid: number;
  /** The session id, as the host numbers it. */
  readonly sid: number;
  /** The process group id, as the host numbers it. */
  readonly pgid: number;
  /** argv joined with spaces. */
  readonly commandLine: string;
}

/** What a live (non-zombie) process is; undefined once it is gone. */
export function processInfo(pid: number): ProcessInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name: state, ppid, pgrp, session, ...
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z' || fields[0] === 'X') return undefined;
    const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    return { pid, pgid: Number(fields[2]), sid: Number(fields[3]), commandLine };
  } catch {
    return undefined;
  }
}

/** True when one of the processes runs `commandLine` as the leader of a session of its own (setsid). */
export function leadsOwnSession(pids: readonly number[], commandLine: string): boolean {
  return pids.some((pid) => {
    const info = processInfo(pid);
    return info !== undefined && info.sid === pid && info.commandLine === commandLine;
  });
}

/** The processes in words, for a failure message: `123 (sleep 300), 456 (sh -c ...)`. */
export function describeProcesses(pids: readonly number[]): string {
  return pids.map((pid) => `${pid} (${processInfo(pid)?.commandLine ?? 'gone'})`).join(', ');
}

/** SIGKILLs each of the given processes (ones the test itself started); those already gone are fine. */
export function killProcesses(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}
