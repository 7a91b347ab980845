// Everything one task run holds on the host besides its processes: its uid, its cgroups, its state
// directory (private /tmp, bubblewrap's argument file, the passwd and group files that name the user in the
// sandbox), and the ownership of the task directory. Made in start() (the user taken from the pool) and
// released in dispose() or after an abort, in the order that keeps clean-up after a crash safe: the uid's
// record first and last (it names the owner), the cgroups and directories in between.
import { chmodSync, lchownSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { chmod, lchown, lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileUser } from '../process/task-user.js';
import { syncWork } from '../shared/sync-work.js';
import type { CgroupTree, TaskCgroup } from './cgroup-types.js';
import { execCheckScript, hostScript, superviseScript } from './launch-scripts.js';
import { sameLimits, type ResourceLimits } from './resource-limits.js';
import {
  argsFileContent,
  bwrapOptions,
  launchArgv,
  type LaunchTools,
  type RootEntry,
} from './sandbox-layout.js';
import type { AccountPool } from './account-pool.js';
import { identityFiles, sandboxGroup, sandboxPasswd } from './sandbox-identity.js';
import { supervisorPathInSandbox } from './supervisor-binary.js';
import type { TaskAccount, TaskAccounts } from './task-accounts.js';
import { poolComment, type WorkerOwner } from './worker-owner.js';

/** The engine-wide facts and services a task's resources come from. */
export interface SandboxHost {
  readonly tools: LaunchTools;
  readonly cgroups: CgroupTree;
  readonly accounts: TaskAccounts;
  /** Where tasks get their users from (made ahead of time). */
  readonly pool: AccountPool;
  readonly stateDir: string;
  readonly owner: WorkerOwner;
  readonly rootEntries: readonly RootEntry[];
  /** The compiled command supervisor, where the host could build one (supervisor-binary.ts). */
  readonly supervisor?: string;
  /** Resources not released yet: the engine's dispose releases what a run never did. */
  readonly live: Set<TaskResources>;
  /** The worker's limits: what the cgroups of pool users are made with ahead of time. */
  readonly defaultLimits: ResourceLimits;
}

export interface TaskPlan {
  /** The task user's name, which names its cgroups and state directory too. */
  readonly name: string;
  readonly taskDir: string;
  /** The groups (`osGroups`) the task user joins, by name; its gids are in the account. */
  readonly osGroups: readonly string[];
  readonly limits: ResourceLimits;
  readonly network: boolean;
  /** Keep the task directory after the run (handed to root), for debugging. */
  readonly keepTaskDir: boolean;
}

export interface SpawnOptions {
  /** bubblewrap's --new-session (commands); a pty shell keeps its terminal. */
  readonly newSession: boolean;
  readonly extraOptions?: readonly string[];
}

export class TaskResources {
  readonly account: TaskAccount;
  readonly cgroup: TaskCgroup;
  readonly #host: SandboxHost;
  readonly #plan: TaskPlan;
  readonly #stateTaskDir: string;
  #released: Promise<void> | undefined;

  private constructor(host: SandboxHost, plan: TaskPlan, account: TaskAccount, cgroup: TaskCgroup) {
    this.#host = host;
    this.#plan = plan;
    this.account = account;
    this.cgroup = cgroup;
    this.#stateTaskDir = stateTaskDir(host.stateDir, plan.name);
  }

  /** Everything but the user, which the task took from the pool (and is removed here should this fail). */
  static async create(
    host: SandboxHost,
    plan: TaskPlan,
    account: TaskAccount,
    env: Readonly<Record<string, string>>,
  ): Promise<TaskResources> {
    const dir = stateTaskDir(host.stateDir, plan.name);
    let cgroup: TaskCgroup | undefined;
    // A pool user's cgroups and state directory were made ahead of time (prepareSlot), with the worker's
    // limits: a task that narrowed none starts without waiting for them.
    const ready = account.prepared === true && sameLimits(plan.limits, host.defaultLimits);
    try {
      // Before the task directory is the user's: a crash from here on leaves a record that names it.
      host.accounts.noteTaskDir(account, poolComment(host.owner), plan.taskDir);
      // Independent parts, at once: each is a handful of file system calls the task start waits for.
      const [made, ...others] = await Promise.allSettled([
        ready ? Promise.resolve(host.cgroups.open(plan.name)) : host.cgroups.create(plan.name, plan.limits),
        ready
          ? plan.osGroups.length > 0
            ? writeIdentity(dir, account, plan.osGroups)
            : Promise.resolve()
          : makeStateTaskDir(dir, account).then(() => writeIdentity(dir, account, plan.osGroups)),
        ownTaskDir(plan.taskDir, account),
      ]);
      if (made.status === 'fulfilled') cgroup = made.value;
      for (const outcome of [made, ...others]) if (outcome.status === 'rejected') throw outcome.reason;
      if (!cgroup) throw new Error(`the cgroups of ${plan.name} were not made`);
      const options = bwrapOptions({
        taskDir: plan.taskDir,
        tmpDir: join(dir, 'tmp'),
        hostname: plan.name,
        network: plan.network,
        rootEntries: host.rootEntries,
        identity: { passwd: join(dir, identityFiles.passwd), group: join(dir, identityFiles.group) },
        env,
        ...(host.supervisor ? { supervisor: host.supervisor } : {}),
      });
      writeFileSync(join(dir, 'bwrap.args'), argsFileContent(options), { mode: 0o600 });
      const resources = new TaskResources(host, plan, account, cgroup);
      host.live.add(resources);
      return resources;
    } catch (error) {
      await (cgroup ?? host.cgroups.open(plan.name)).remove().catch(() => false);
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
      await host.accounts.remove(plan.name).catch(() => undefined);
      throw error;
    }
  }

  get user(): FileUser {
    return this.account;
  }

  get limits(): ResourceLimits {
    return this.#plan.limits;
  }

  /** The argv of one sandboxed process running `command` as the task user (see launchArgv). */
  argv(command: readonly string[], options: SpawnOptions): [string, ...string[]] {
    return launchArgv({
      tools: this.#host.tools,
      hostScript,
      taskDir: this.#plan.taskDir,
      argsFile: join(this.#stateTaskDir, 'bwrap.args'),
      cgroupProcs: this.cgroup.procsFiles,
      user: this.account,
      newSession: options.newSession,
      ...(options.extraOptions ? { extraOptions: options.extraOptions } : {}),
      command,
    });
  }

  /**
   * The argv of a task command, under a supervisor inside the sandbox that reports on fd 3 whether it could
   * start and whether a signal ended it (see launch-scripts.ts).
   */
  commandArgv(argv: readonly string[]): [string, ...string[]] {
    const { perl } = this.#host.tools;
    // The compiled supervisor where there is one, else the same in perl, else the sh check (no signals).
    const supervised = this.#host.supervisor
      ? [supervisorPathInSandbox, ...argv]
      : perl !== undefined && perl.startsWith('/usr/')
        ? [perl, '-e', superviseScript, '--', ...argv]
        : ['/bin/sh', '-c', execCheckScript, 'tc-exec', ...argv];
    return this.argv(supervised, { newSession: true });
  }

  /**
   * Kills whatever is left, removes the cgroups, the state directory and the uid's record; the task
   * directory is removed too, or (kept for debugging) handed to root, so that a later task given the same
   * uid cannot read it. Idempotent. Throws when something could not be removed (the worker log should say so).
   */
  release(): Promise<void> {
    const { keepTaskDir, name, taskDir } = this.#plan;
    this.#released ??= (async () => {
      const problems: string[] = [];
      const step = async (what: string, work: () => Promise<unknown>): Promise<void> => {
        try {
          await work();
        } catch (error) {
          problems.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
        }
      };
      await step('cgroups', async () => {
        if (!(await this.cgroup.remove()))
          throw new Error(`the cgroups of ${name} could not be emptied and removed`);
      });
      // Through the thread pool: release runs beside the next task, and a directory removal costs the
      // file system's journal milliseconds that are better spent off the event loop.
      await step('task directory', () =>
        keepTaskDir ? handToRoot(taskDir) : rm(taskDir, { recursive: true, force: true, maxRetries: 3 }),
      );
      await step('state directory', () =>
        rm(this.#stateTaskDir, { recursive: true, force: true, maxRetries: 3 }),
      );
      // Last: while the uid's record exists, a crashed worker's successor knows whose the rest was.
      await step('user', () => this.#host.accounts.remove(name));
      this.#host.live.delete(this);
      if (problems.length > 0)
        throw new Error(`releasing the sandbox ${name} failed: ${problems.join('; ')}`);
    })();
    return this.#released;
  }
}

export function stateTaskDir(stateDir: string, name: string): string {
  return join(stateDir, name);
}

/**
 * What a pool user's task will need that does not depend on the task: its cgroups, with the worker's limits,
 * and its state directory with the files that name the user. Made in the background when the pool makes
 * the user (AccountPool `prepare`).
 */
export async function prepareSlot(host: SandboxHost, account: TaskAccount): Promise<void> {
  await host.cgroups.create(account.name, host.defaultLimits);
  const dir = stateTaskDir(host.stateDir, account.name);
  await makeStateTaskDir(dir, account);
  await writeIdentity(dir, account, []);
}

/** Undoes prepareSlot for a pool user no task took (AccountPool `discard`). */
export async function discardSlot(host: SandboxHost, account: TaskAccount): Promise<void> {
  await host.cgroups.open(account.name).remove();
  await rm(stateTaskDir(host.stateDir, account.name), { recursive: true, force: true });
}

/** lchown of a whole tree (links themselves, never what they point to), with `each` after every entry. */
export async function chownTree(
  root: string,
  uid: number,
  gid: number,
  each?: (path: string) => Promise<void>,
): Promise<void> {
  await lchown(root, uid, gid);
  await each?.(root);
  const info = await lstat(root);
  if (!info.isDirectory()) return;
  for (const entry of await readdir(root, { withFileTypes: true })) {
    const path = join(root, entry.name);
    if (entry.isDirectory()) await chownTree(path, uid, gid, each);
    else {
      await lchown(path, uid, gid);
      await each?.(path);
    }
  }
}

/**
 * A kept task directory, handed to root: its uid may go to a later task. Set-id bits
 * are dropped (the kernel drops them on chown too), so nothing the task left can run as root.
 */
async function handToRoot(root: string): Promise<void> {
  await chownTree(root, 0, 0, async (path) => {
    const info = await lstat(path);
    if (!info.isSymbolicLink() && (info.mode & 0o6000) !== 0) await chmod(path, info.mode & 0o1777);
  });
}

/**
 * The task's state directory: searchable, not readable, by the task user, who only passes through to its
 * /tmp. Synchronous, as the small files below: a handful of calls into the page cache for a directory
 * whose name is new, microseconds each where the thread pool costs a round trip per call.
 */
function makeStateTaskDir(dir: string, account: TaskAccount): Promise<void> {
  return syncWork(() => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { mode: 0o711 });
    chmodSync(dir, 0o711);
    mkdirSync(join(dir, 'tmp'), { mode: 0o700 });
    lchownSync(join(dir, 'tmp'), account.uid, account.gid);
  });
}

/** The passwd and group files of the sandbox (sandbox-identity.ts): readable by all, as the host's are. */
function writeIdentity(dir: string, account: TaskAccount, osGroups: readonly string[]): Promise<void> {
  return syncWork(() => {
    const passwd = sandboxPasswd(readFileSync('/etc/passwd', 'utf8'), account);
    const group = sandboxGroup(readFileSync('/etc/group', 'utf8'), account, osGroups);
    writeFileSync(join(dir, identityFiles.passwd), passwd, { mode: 0o644 });
    writeFileSync(join(dir, identityFiles.group), group, { mode: 0o644 });
  });
}

/** The task directory and whatever plugins put in it before the start belong to the task user. */
async function ownTaskDir(taskDir: string, account: TaskAccount): Promise<void> {
  await chownTree(taskDir, account.uid, account.gid);
  await chmod(taskDir, 0o700);
}
