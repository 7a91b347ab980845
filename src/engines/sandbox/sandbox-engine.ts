// The sandbox engine: generic-worker format tasks (like the process engine), each run as a fresh uid,
// inside bubblewrap (its own root file system with the host's /usr and /etc read-only, its own PID, IPC,
// UTS, cgroup and network namespaces, no capabilities, no_new_privs) and in cgroups of its own (memory,
// processes, CPU; killed as a whole). See docs/engines.md.
import { statSync } from 'node:fs';
import { lstat, mkdir, readlink, chmod, chown } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { MalformedPayloadError } from '../../errors.js';
import type { SandboxEnginePayload } from '../../generated/payload/sandbox-engine.js';
import { loadSchema } from '../../schema/schema-files.js';
import type { Engine, EngineProvider, EngineTaskContext, SandboxBuilder } from '../types.js';
import { cgroupV1Tree } from './cgroup-v1.js';
import { cgroupV2Tree, prepareV2Parent } from './cgroup-v2.js';
import type { CgroupTree } from './cgroup-types.js';
import { sandboxEnvironment } from './default-env.js';
import { checkHost, SandboxUnavailableError } from './host-requirements.js';
import { removeLeftovers } from './leftovers.js';
import { checkOsGroups } from './os-groups.js';
import { describeLimits, narrowLimits } from './resource-limits.js';
import { SandboxRun } from './sandbox-run.js';
import { envProblem, isUnderSystemDir, type RootEntry } from './sandbox-layout.js';
import { defaultSandboxSettings, sandboxSettingsFrom, type SandboxSettings } from './sandbox-settings.js';
import { hasScope, networkScope, taskQueueIdOf } from './scopes.js';
import { AccountPool } from './account-pool.js';
import { TaskAccounts } from './task-accounts.js';
import {
  discardSlot,
  prepareSlot,
  TaskResources,
  type SandboxHost,
  type TaskPlan,
} from './task-resources.js';
import { launcherBinary } from './launcher-binary.js';
import { supervisorBinary } from './supervisor-binary.js';
import { currentOwner, poolComment } from './worker-owner.js';

export interface SandboxEngineOptions extends Partial<SandboxSettings> {
  /** Where cgroups are mounted (tests); /sys/fs/cgroup by default. */
  readonly cgroupRoot?: string;
  /** Task users made ahead of time: as many as tasks may start at once (the worker's capacity); 2 by default. */
  readonly userPoolSize?: number;
  /** The worker's workDir: checked at start that task users can reach the run directories in it. */
  readonly workDir?: string;
  /**
   * Compile the launcher and the command supervisor where a C compiler exists (default); false keeps the
   * host script, setpriv and the perl supervisor (tests).
   */
  readonly compileHelpers?: boolean;
}

export async function createSandboxEngine(options: SandboxEngineOptions, log: Logger): Promise<Engine> {
  const settings: SandboxSettings = { ...defaultSandboxSettings, ...options };
  const support = await checkHost(options.cgroupRoot);
  await prepareStateDir(settings.stateDir);
  const compile = options.compileHelpers !== false;
  const [supervisor, launcher] = compile
    ? await Promise.all([supervisorBinary(settings.stateDir, log), launcherBinary(settings.stateDir, log)])
    : [undefined, undefined];
  const closed = options.workDir === undefined ? undefined : closedAncestor(join(options.workDir, 'run'));
  if (closed)
    throw new SandboxUnavailableError([
      `${closed.dir} (workDir ${options.workDir} or above it) is not searchable by other users ` +
        `(mode ${closed.mode}): task users could not reach their task directories; choose another workDir ` +
        'or `chmod o+x` it',
    ]);
  let cgroups: CgroupTree;
  if (support.cgroups.version === 1) cgroups = cgroupV1Tree(support.cgroups.mounts, settings.cgroupParent);
  else {
    await prepareV2Parent(support.cgroups.root, settings.cgroupParent);
    cgroups = cgroupV2Tree(support.cgroups.root, settings.cgroupParent);
  }
  const accounts = new TaskAccounts(settings.taskUids, settings.stateDir);
  const owner = currentOwner();
  const pool = new AccountPool(accounts, {
    size: options.userPoolSize ?? 2,
    comment: poolComment(owner),
    log,
    // Each pool user's cgroups and state directory too, off the task's start (host is set before fill()).
    prepare: (account) => prepareSlot(host, account),
    discard: (account) => discardSlot(host, account),
  });
  const host: SandboxHost = {
    tools: { ...support.tools, ...(launcher ? { launcher } : {}) },
    cgroups,
    accounts,
    pool,
    stateDir: settings.stateDir,
    owner,
    rootEntries: await rootEntries(),
    live: new Set(),
    defaultLimits: settings.limits,
    ...(supervisor ? { supervisor } : {}),
  };
  const removed = await removeLeftovers(host, log);
  // After the clean-up, so that the pool's users never race it for the records it removes.
  pool.fill();
  log.info(
    { cgroupVersion: cgroups.version, stateDir: settings.stateDir, leftoversRemoved: removed.length },
    'sandbox engine ready',
  );

  return {
    name: 'sandbox',
    payloadSchema: loadSchema('payload/sandbox-engine'),
    prepare: (ctx) => prepare(ctx, host, settings),
    async dispose(): Promise<void> {
      // Runs that never released their resources (a result set that was never disposed).
      await Promise.all(
        [...host.live].map((resources) =>
          resources
            .release()
            .catch((error: unknown) => log.error({ err: error }, 'releasing a sandbox failed')),
        ),
      );
      await pool.dispose();
    },
  };
}

async function prepare(
  ctx: EngineTaskContext,
  host: SandboxHost,
  settings: SandboxSettings,
): Promise<SandboxBuilder> {
  const payload = ctx.payload as unknown as SandboxEnginePayload;
  if (isUnderSystemDir(ctx.taskDir))
    throw new Error(
      `the sandbox engine cannot bind a task directory under a system directory: ${ctx.taskDir}`,
    );
  // The task user's bubblewrap binds the task directory itself, so it must be able to reach it.
  const closed = closedAncestor(ctx.taskDir);
  if (closed)
    throw new Error(
      `the sandbox's task user cannot reach the task directory ${ctx.taskDir}: ${closed.dir} is not ` +
        `searchable by other users (mode ${closed.mode}); choose a workDir whose directories are, or \`chmod o+x\` them`,
    );
  const taskQueueId = taskQueueIdOf(ctx.task);
  const scopes = ctx.task.scopes ?? [];
  const groups = checkOsGroups(payload.osGroups ?? [], scopes, taskQueueId, await host.accounts.groups());
  const { limits, problems } = narrowLimits(settings.limits, payload.resources);
  const malformed = [...groups.problems, ...problems];
  if (malformed.length > 0) throw new MalformedPayloadError(malformed);

  const network = settings.allowNetwork && hasScope(scopes, networkScope(taskQueueId));
  // Set over the default environment, which names the task user: known only once start() takes one.
  const set: Record<string, string> = {};
  return {
    setEnv(variable: string, value: string): void {
      set[variable] = value;
    },
    canOpenShell: true,
    // With the host's network the sandbox shares its loopback; without, nothing of the host is reachable.
    reachableHost: () => Promise.resolve(network ? '127.0.0.1' : undefined),
    async start() {
      const problem = envProblem(set);
      if (problem) throw new MalformedPayloadError(`payload.env: ${problem}`);
      ctx.signal.throwIfAborted();
      const account = await host.pool.take(groups.gids);
      const name = account.name;
      const env = { ...sandboxEnvironment(ctx.taskDir, name), ...set };
      const plan: TaskPlan = {
        name,
        taskDir: ctx.taskDir,
        osGroups: groups.names,
        limits,
        network,
        keepTaskDir: ctx.keepTaskDir,
      };
      // The pool is refilled once this task's first command is on its way: preparing the next user's
      // cgroups and files costs event-loop time, which is free while the sandbox starts and costly before.
      let resources: TaskResources;
      try {
        resources = await TaskResources.create(host, plan, account, env);
      } catch (error) {
        host.pool.fill();
        throw error;
      }
      ctx.log.info(
        `Sandbox: user ${name} (uid ${resources.account.uid}), ${describeLimits(limits)}, ` +
          `network ${network ? 'of the host' : 'none'}` +
          (groups.names.length > 0 ? `, groups ${groups.names.join(', ')}` : ''),
      );
      ctx.workerLog.info({ user: name, uid: resources.account.uid, limits, network }, 'sandbox ready');
      const run = new SandboxRun(ctx, payload.command, resources);
      setImmediate(() => host.pool.fill());
      return run;
    },
  };
}

/** The state directory: root's, searchable by the task users on the way to their /tmp, not listable. */
async function prepareStateDir(stateDir: string): Promise<void> {
  await mkdir(stateDir, { recursive: true, mode: 0o711 });
  await chown(stateDir, 0, 0);
  await chmod(stateDir, 0o711);
  const closed = closedAncestor(stateDir);
  if (closed)
    throw new SandboxUnavailableError([
      `${closed.dir} (above sandbox.stateDir ${stateDir}) is not searchable by other users ` +
        `(mode ${closed.mode}); choose another sandbox.stateDir or \`chmod o+x\` it`,
    ]);
}

/**
 * The first directory above `path` that other users cannot search (mode without o+x), if any: a task user
 * could not reach `path` through it. Synchronous: a few stat calls, made for every task.
 */
function closedAncestor(path: string): { dir: string; mode: string } | undefined {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    const { mode } = statSync(dir);
    if ((mode & 0o001) === 0) return { dir, mode: (mode & 0o7777).toString(8) };
    if (dir === '/') return undefined;
  }
}

/** /bin, /sbin, /lib... as the host has them: links (merged /usr) are links in the sandbox, directories binds. */
async function rootEntries(): Promise<RootEntry[]> {
  const entries: RootEntry[] = [];
  for (const name of ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32']) {
    const info = await lstat(`/${name}`).catch(() => undefined);
    if (info?.isSymbolicLink()) entries.push({ kind: 'symlink', name, target: await readlink(`/${name}`) });
    else if (info?.isDirectory()) entries.push({ kind: 'dir', name });
  }
  return entries;
}

export const sandboxEngine: EngineProvider = {
  name: 'sandbox',
  configSchema: loadSchema('config/sandbox-engine'),
  create: ({ config, log }) =>
    createSandboxEngine({ ...sandboxSettingsFrom(config), workDir: String(config.workDir) }, log),
};
