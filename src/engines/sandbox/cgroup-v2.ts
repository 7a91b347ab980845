// cgroup v2: one unified tree. The engine's parent cgroup sits under the root (which may hold processes,
// unlike any other cgroup that delegates controllers), with memory, pids and cpu enabled for its children.
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CpuTimes } from '../shared/cpu-time.js';
import {
  keyedValue,
  makeCgroupDir,
  killPid,
  readCgroupFile,
  readNumberFile,
  readPids,
  removeDir,
  waitEmpty,
  writeCgroupFile,
  writeLimitFile,
} from './cgroup-files.js';
import { v2LimitWrites } from './cgroup-limits.js';
import { cgroupTree, type MakeableCgroup } from './cgroup-tree.js';
import type { CgroupTree } from './cgroup-types.js';
import type { ResourceLimits } from './resource-limits.js';

export const requiredV2Controllers = ['memory', 'pids', 'cpu'] as const;

export function v2TaskDir(root: string, parent: string, name: string): string {
  return join(root, parent, name);
}

/** Controllers the root offers that the engine needs but cannot have. */
export async function missingV2Controllers(root: string): Promise<string[]> {
  const offered = ((await readCgroupFile(join(root, 'cgroup.controllers'))) ?? '').trim().split(/\s+/);
  return requiredV2Controllers.filter((controller) => !offered.includes(controller));
}

/** Enables the controllers for the engine's parent cgroup and for the tasks under it. */
export async function prepareV2Parent(root: string, parent: string): Promise<void> {
  const enable = requiredV2Controllers.map((controller) => `+${controller}`).join(' ');
  await writeCgroupFile(join(root, 'cgroup.subtree_control'), enable);
  await mkdir(join(root, parent), { recursive: true });
  await writeCgroupFile(join(root, parent, 'cgroup.subtree_control'), enable);
}

export function cgroupV2Tree(root: string, parent: string): CgroupTree {
  return cgroupTree(
    2,
    (name) => new TaskCgroupV2(name, v2TaskDir(root, parent, name)),
    async () => {
      const entries = await readdir(join(root, parent), { withFileTypes: true }).catch(() => []);
      return entries
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name)
        .sort();
    },
  );
}

class TaskCgroupV2 implements MakeableCgroup {
  readonly name: string;
  readonly procsFiles: readonly string[];
  readonly #dir: string;

  constructor(name: string, dir: string) {
    this.name = name;
    this.#dir = dir;
    this.procsFiles = [join(dir, 'cgroup.procs')];
  }

  async make(limits: ResourceLimits): Promise<void> {
    await makeCgroupDir(this.#dir);
    for (const [file, value] of v2LimitWrites(limits)) await writeLimitFile(this.#dir, file, value);
  }

  pids(): Promise<number[]> {
    return readPids(join(this.#dir, 'cgroup.procs'));
  }

  async killAll(timeoutMs = 10_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if ((await this.pids()).length === 0) return true;
      if (Date.now() > deadline) return false;
      // cgroup.kill (Linux 5.14) kills the whole cgroup atomically; else freeze, kill, thaw.
      const killed = await writeCgroupFile(join(this.#dir, 'cgroup.kill'), '1').then(
        () => true,
        () => false,
      );
      if (!killed) {
        await this.#freeze(true);
        for (const pid of await this.pids()) killPid(pid);
        await this.#freeze(false);
      }
      if (await waitEmpty(() => this.pids(), 1000)) return true;
    }
  }

  async oomKills(): Promise<number> {
    return keyedValue(await readCgroupFile(join(this.#dir, 'memory.events')), 'oom_kill') ?? 0;
  }

  async memoryPeakBytes(): Promise<number | undefined> {
    return readNumberFile(join(this.#dir, 'memory.peak'));
  }

  async cpuTimes(): Promise<CpuTimes | undefined> {
    const text = await readCgroupFile(join(this.#dir, 'cpu.stat'));
    const user = keyedValue(text, 'user_usec');
    const system = keyedValue(text, 'system_usec');
    if (user === undefined || system === undefined) return undefined;
    return { userSeconds: user / 1e6, kernelSeconds: system / 1e6 };
  }

  async remove(): Promise<boolean> {
    const empty = await this.killAll();
    return (await removeDir(this.#dir)) && empty;
  }

  async #freeze(frozen: boolean): Promise<void> {
    try {
      await writeCgroupFile(join(this.#dir, 'cgroup.freeze'), frozen ? '1' : '0');
    } catch {
      return;
    }
    for (let i = 0; i < 50; i++) {
      if (keyedValue(await readCgroupFile(join(this.#dir, 'cgroup.events')), 'frozen') === (frozen ? 1 : 0))
        return;
      await sleep(2);
    }
  }
}
