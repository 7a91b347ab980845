// The engine conformance suite against the sandbox engine. The machine is made ready first
// (scripts/services/install-sandbox.sh); where it cannot be, the suite fails in CI and skips loudly elsewhere.
import { describe } from 'node:test';
import { sandboxEnvironment } from '../../src/engines/sandbox/default-env.js';
import { createSandboxEngine } from '../../src/engines/sandbox/sandbox-engine.js';
import { silentLog } from '../../src/log/worker-log.js';
import {
  sandboxHost,
  taskCgroupPids,
  taskUserOf,
  testEngineOptions,
} from '../integration/sandbox/sandbox-host.js';
import { engineConformance } from './engine-suite.js';

const host = await sandboxHost();

if (host.skip !== undefined) describe('engine conformance: sandbox', { skip: host.skip }, () => undefined);
else
  engineConformance({
    name: 'sandbox',
    create: () => createSandboxEngine(testEngineOptions, silentLog()),
    payload: (commands) => ({ command: commands, maxRunTime: 600 }),
    capabilities: { shell: true },
    // Each task has its own user, mount and PID namespaces: it cannot see another task's directory.
    isolated: true,
    defaultEnv: (ctx) => sandboxEnvironment(ctx.taskDir, taskUserOf(ctx.taskDir)),
    // Besides the processes in the task directory: bubblewrap itself, found through the task's cgroup.
    taskProcesses: (task) => {
      const name = taskUserOf(task.taskDir);
      return name ? taskCgroupPids(name) : [];
    },
  });
