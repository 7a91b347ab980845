// Clean-up after a worker that died without releasing its tasks (a crash, a kill -9, a power cut): at engine
// creation, every task user (uid record) whose owner worker is gone, with its cgroups, its state directory,
// its task directory and its processes, and every cgroup or state directory of the engine's shape whose user is gone. The owner
// comes from the uid's record, so the tasks of a live worker (another worker on the machine, or a test
// process) are never touched.
import { readdir, readFile, rm } from 'node:fs/promises';
import type { Logger } from 'pino';
import { killPid } from './cgroup-files.js';
import { taskUserPattern } from './task-names.js';
import { stateTaskDir, type SandboxHost } from './task-resources.js';
import { ownerAlive, parseOwnerComment, sameOwner } from './worker-owner.js';

export async function removeLeftovers(host: SandboxHost, log: Logger): Promise<string[]> {
  const users = new Map((await host.accounts.list()).map((entry) => [entry.name, entry]));
  const names = new Set<string>(users.keys());
  for (const name of await host.cgroups.list()) if (taskUserPattern.test(name)) names.add(name);
  const stateEntries = await readdir(host.stateDir).catch(() => [] as string[]);
  for (const name of stateEntries) if (taskUserPattern.test(name)) names.add(name);

  const removed: string[] = [];
  for (const name of [...names].sort()) {
    const user = users.get(name);
    const owner = user ? parseOwnerComment(user.comment) : undefined;
    // A user made by a live worker (this one included) is that worker's; anything without one is debris.
    if (owner && (sameOwner(owner, host.owner) || ownerAlive(owner))) continue;
    try {
      await host.cgroups.open(name).remove();
      if (user) await killUidProcesses(user.uid);
      await rm(stateTaskDir(host.stateDir, name), { recursive: true, force: true });
      // The crashed run's task directory: its files are the uid's, which a later task may get.
      if (user?.taskDir) await rm(user.taskDir, { recursive: true, force: true });
      if (user) await host.accounts.remove(name);
      removed.push(name);
      log.warn({ name, owner }, 'removed what a task of a worker that is gone left behind');
    } catch (error) {
      log.error({ err: error, name }, 'could not remove what a task of a worker that is gone left behind');
    }
  }
  return removed;
}

/** SIGKILL to every process running as `uid` (a leftover task user: nothing of it may survive). */
async function killUidProcesses(uid: number): Promise<void> {
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const status = await readFile(`/proc/${entry}/status`, 'utf8').catch(() => '');
    const real = /^Uid:\s+(\d+)/m.exec(status)?.[1];
    if (real !== undefined && Number(real) === uid) killPid(Number(entry));
  }
}
