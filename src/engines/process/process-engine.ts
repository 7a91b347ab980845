// The process engine: runs a generic-worker format task's commands as plain processes of the worker's user,
// in the run's task directory. No isolation beyond a fresh directory and a clean environment; the sandbox
// engine adds users, namespaces and cgroups.
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { ProcessEnginePayload } from '../../generated/payload/process-engine.js';
import { loadSchema } from '../../schema/schema-files.js';
import type { Engine, EngineProvider, EngineTaskContext, SandboxBuilder } from '../types.js';
import { defaultEnvironment, defaultTaskPath } from './default-env.js';
import { SpawnerSupply } from '../shared/spawner-supply.js';
import { ProcessSandbox } from './process-sandbox.js';

export interface ProcessEngineOptions {
  /** PATH of every task (default: the usual system directories). */
  readonly path?: string;
  /**
   * Where the process spawner (shared/spawner.ts) is built, with the log for what happens to it; without,
   * commands start with Node's spawn.
   */
  readonly spawner?: { readonly dir: string; readonly log: Logger };
}

export interface ProcessEngine extends Engine {
  /** Whether commands start through the spawner, once its first start is over (false: Node's spawn). */
  spawnerReady(): Promise<boolean>;
}

export function createProcessEngine(options: ProcessEngineOptions = {}): ProcessEngine {
  const path = options.path ?? defaultTaskPath;
  const spawners = options.spawner ? new SpawnerSupply(options.spawner.dir, options.spawner.log) : undefined;
  return {
    name: 'process',
    payloadSchema: loadSchema('payload/process-engine'),
    prepare(ctx: EngineTaskContext): Promise<SandboxBuilder> {
      const { command } = ctx.payload as unknown as ProcessEnginePayload;
      const env = defaultEnvironment(ctx.taskDir, path);
      return Promise.resolve({
        setEnv(name: string, value: string): void {
          env[name] = value;
        },
        canOpenShell: true,
        // The task runs on the host: its loopback is the host's.
        reachableHost: () => Promise.resolve('127.0.0.1'),
        start: () => Promise.resolve(new ProcessSandbox(ctx, command, { ...env }, () => spawners?.current())),
      });
    },
    spawnerReady: () => spawners?.ready() ?? Promise.resolve(false),
    dispose(): Promise<void> {
      spawners?.stop();
      return Promise.resolve();
    },
  };
}

export const processEngine: EngineProvider = {
  name: 'process',
  // The spawner is built in the work directory, which the worker's user owns.
  create: ({ config, log }) =>
    createProcessEngine({ spawner: { dir: join(String(config.workDir), '.tc-worker-helpers'), log } }),
};
