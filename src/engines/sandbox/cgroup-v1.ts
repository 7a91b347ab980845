// cgroup v1: one hierarchy per controller (/sys/fs/cgroup/<controller>/), each task with a cgroup in every
// hierarchy the engine uses: memory (limit, OOM count, peak), pids (fork limit), cpu (quota), cpuacct (CPU
// time, where mounted) and freezer (to kill a whole task without a process slipping away by forking).
import { realpath, readdir, stat } from 'node:fs/promises';
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
import { v1LimitWrites } from './cgroup-limits.js';
import { cgroupTree, type MakeableCgroup } from './cgroup-tree.js';
import type { CgroupTree } from './cgroup-types.js';
import type { ResourceLimits } from './resource-limits.js';

/** Controllers the engine cannot work without, and the one it uses where it is there. */
export const requiredV1Controllers = ['memory', 'pids', 'cpu', 'freezer'] as const;
const optionalV1Controllers = ['cpuacct'] as const;
type Controller = (typeof requiredV1Controllers)[number] | (typeof optionalV1Controllers)[number];

// USER_HZ, the unit of cpuacct.stat, is 100 on every Linux the worker runs on.
const ticksPerSecond = 100;

/** Each controller's hierarchy (mount) directory; co-mounted controllers (`cpu,cpuacct`) share one. */
export type V1Mounts = ReadonlyMap<Controller, string>;

/** The task's cgroup directory in each hierarchy, deduplicated (a co-mounted hierarchy appears once). */
export function v1TaskDirs(mounts: V1Mounts, parent: string, name: string): Map<Controller, string> {
  const dirs = new Map<Controller, string>();
  for (const [controller, mount] of mounts) dirs.set(controller, join(mount, parent, name));
  return dirs;
}

export async function detectV1Mounts(root: string): Promise<{ mounts: V1Mounts; missing: string[] }> {
  const mounts = new Map<Controller, string>();
  const missing: string[] = [];
  for (const controller of [...requiredV1Controllers, ...optionalV1Controllers]) {
    const path = join(root, controller);
    const real = await realpath(path).catch(() => undefined);
    const usable = real !== undefined && (await stat(join(real, 'cgroup.procs')).catch(() => undefined));
    if (real !== undefined && usable) mounts.set(controller, real);
    else if ((requiredV1Controllers as readonly string[]).includes(controller)) missing.push(controller);
  }
  return { mounts, missing };
}

export function cgroupV1Tree(mounts: V1Mounts, parent: string): CgroupTree {
  return cgroupTree(
    1,
    (name) => new TaskCgroupV1(name, v1TaskDirs(mounts, parent, name)),
    async () => {
      const names = new Set<string>();
      for (const mount of new Set(mounts.values())) {
        const entries = await readdir(join(mount, parent), { withFileTypes: true }).catch(() => []);
        for (const entry of entries) if (entry.isDirectory()) names.add(entry.name);
      }
      return [...names].sort();
    },
  );
}

class TaskCgroupV1 implements MakeableCgroup {
  readonly name: string;
  readonly procsFiles: readonly string[];
  readonly #dirs: Map<Controller, string>;
  readonly #unique: string[];

  constructor(name: string, dirs: Map<Controller, string>) {
    this.name = name;
    this.#dirs = dirs;
    this.#unique = [...new Set(dirs.values())];
    this.procsFiles = this.#unique.map((dir) => join(dir, 'cgroup.procs'));
  }

  async make(limits: ResourceLimits): Promise<void> {
    // One directory per hierarchy, independent of each other; the limits then in order (some depend on others).
    for (const dir of this.#unique) await makeCgroupDir(dir);
    for (const [controller, file, value] of v1LimitWrites(limits)) {
      const dir = this.#dirs.get(controller as Controller);
      if (dir === undefined) continue;
      await writeLimitFile(dir, file, value);
    }
  }

  /**
   * The first hierarchy's list is complete: every process of the task starts in the launcher, which joins
   * the hierarchies in the order of procsFiles, the first first, before anything of the task runs; its
   * children inherit every hierarchy, and none can leave (cgroup.procs files are root's).
   */
  async pids(): Promise<number[]> {
    const first = this.procsFiles[0];
    return first === undefined ? [] : readPids(first);
  }

  async killAll(timeoutMs = 10_000): Promise<boolean> {
    const freezer = this.#dirs.get('freezer');
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if ((await this.pids()).length === 0) return true;
      if (Date.now() > deadline) return false;
      if (freezer) await this.#setFreezer(freezer, 'FROZEN');
      // Frozen, nothing forks or exits: this list is complete, and SIGKILL lands once thawed.
      for (const pid of await this.pids()) killPid(pid);
      if (freezer) await this.#setFreezer(freezer, 'THAWED');
      if (await waitEmpty(() => this.pids(), 1000)) return true;
    }
  }

  async oomKills(): Promise<number> {
    const dir = this.#dirs.get('memory');
    if (!dir) return 0;
    return keyedValue(await readCgroupFile(join(dir, 'memory.oom_control')), 'oom_kill') ?? 0;
  }

  async memoryPeakBytes(): Promise<number | undefined> {
    const dir = this.#dirs.get('memory');
    return dir ? readNumberFile(join(dir, 'memory.max_usage_in_bytes')) : undefined;
  }

  async cpuTimes(): Promise<CpuTimes | undefined> {
    const dir = this.#dirs.get('cpuacct');
    const text = dir ? await readCgroupFile(join(dir, 'cpuacct.stat')) : undefined;
    const user = keyedValue(text, 'user');
    const system = keyedValue(text, 'system');
    if (user === undefined || system === undefined) return undefined;
    return { userSeconds: user / ticksPerSecond, kernelSeconds: system / ticksPerSecond };
  }

  async remove(): Promise<boolean> {
    const empty = await this.killAll();
    let removed = true;
    for (const dir of this.#unique) removed = (await removeDir(dir)) && removed;
    return empty && removed;
  }

  /** Sets the freezer state and waits (briefly) until the kernel reached it. */
  async #setFreezer(dir: string, state: 'FROZEN' | 'THAWED'): Promise<void> {
    const file = join(dir, 'freezer.state');
    try {
      await writeCgroupFile(file, state);
    } catch {
      return; // The cgroup is gone.
    }
    for (let i = 0; i < 50; i++) {
      if ((await readCgroupFile(file))?.trim() === state) return;
      await sleep(2);
    }
  }
}
