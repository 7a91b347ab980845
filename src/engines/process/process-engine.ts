// The process engine: runs a generic-worker format task's commands as plain processes of the worker's user,
// in the run's task directory. No isolation beyond a fresh directory and a clean environment; the sandbox
// engine adds users, namespaces and cgroups.
import type { ProcessEnginePayload } from '../../generated/payload/process-engine.js';
import { loadSchema } from '../../schema/schema-files.js';
import type { Engine, EngineProvider, EngineTaskContext, SandboxBuilder } from '../types.js';
import { defaultEnvironment, defaultTaskPath } from './default-env.js';
import { ProcessSandbox } from './process-sandbox.js';

export interface ProcessEngineOptions {
  /** PATH of every task (default: the usual system directories). */
  readonly path?: string;
}

export function createProcessEngine(options: ProcessEngineOptions = {}): Engine {
  const path = options.path ?? defaultTaskPath;
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
        start: () => Promise.resolve(new ProcessSandbox(ctx, command, { ...env })),
      });
    },
  };
}

export const processEngine: EngineProvider = {
  name: 'process',
  create: () => createProcessEngine(),
};
