// Small helpers for cgroup files: kernel files that are read whole and written with one value. Reads and
// writes are synchronous: a cgroup file lives in kernel memory, so a read or write takes microseconds, where the same
// call through the thread pool costs some 50 microseconds of the event loop per step (open, stat, read,
// close), and a sandboxed task makes dozens of them (about 10 ms of the worker's CPU per task before).
import { readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { syncWork } from '../shared/sync-work.js';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { optionalLimitFiles } from './cgroup-limits.js';

export function readCgroupFile(path: string): Promise<string | undefined> {
  try {
    return Promise.resolve(readFileSync(path, 'utf8'));
  } catch {
    return Promise.resolve(undefined);
  }
}

/** Rejects, as the asynchronous call would, when the write fails. */
export function writeCgroupFile(path: string, value: string): Promise<void> {
  return syncWork(() => writeFileSync(path, value));
}

/**
 * mkdir -p of a cgroup directory, through the thread pool: unlike reading or writing a cgroup file, making
 * a cgroup takes the kernel milliseconds (v1 memory cgroups most), which must not block the event loop.
 */
export async function makeCgroupDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
}

/** The pids listed in a cgroup.procs file (empty when it is gone). */
export async function readPids(path: string): Promise<number[]> {
  const text = await readCgroupFile(path);
  if (text === undefined) return [];
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map(Number)
    .filter((pid) => Number.isSafeInteger(pid) && pid > 0);
}

/** The number after `key ` in a flat-keyed file (`oom_kill 3`, `usage_usec 120`). */
export function keyedValue(text: string | undefined, key: string): number | undefined {
  if (text === undefined) return undefined;
  for (const line of text.split('\n')) {
    const [name, value] = line.trim().split(/\s+/);
    if (name === key && value !== undefined) {
      const number = Number(value);
      return Number.isFinite(number) ? number : undefined;
    }
  }
  return undefined;
}

export function killPid(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Gone already.
  }
}

/** rmdir of a cgroup: fine when gone; retried while the last zombies are reaped (EBUSY). */
export async function removeDir(dir: string): Promise<boolean> {
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      rmdirSync(dir);
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return true;
      if (code !== 'EBUSY') return false;
      await sleep(20);
    }
  }
  return false;
}

/** Polls until `pids` is empty, for at most `ms`. */
export async function waitEmpty(pids: () => Promise<number[]>, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  for (let delay = 1; ; delay = Math.min(delay * 2, 50)) {
    if ((await pids()).length === 0) return true;
    if (Date.now() > until) return false;
    await sleep(delay);
  }
}

/** Writes a limit file; one the kernel may lack (`optionalLimitFiles`, swap accounting) is skipped when missing. */
export async function writeLimitFile(dir: string, file: string, value: string): Promise<void> {
  try {
    await writeCgroupFile(join(dir, file), value);
  } catch (error) {
    if (!(optionalLimitFiles.has(file) && (error as NodeJS.ErrnoException).code === 'ENOENT')) throw error;
  }
}

/** A file that holds one number (`memory.peak`), or undefined when it is gone or holds none. */
export async function readNumberFile(path: string): Promise<number | undefined> {
  const text = await readCgroupFile(path);
  const number = Number(text?.trim());
  return text !== undefined && Number.isFinite(number) ? number : undefined;
}
