// The engine conformance suite against the process engine.
import { defaultEnvironment, defaultTaskPath } from '../../src/engines/process/default-env.js';
import { createProcessEngine } from '../../src/engines/process/process-engine.js';
import { engineConformance } from './engine-suite.js';

engineConformance({
  name: 'process',
  create: () => createProcessEngine(),
  payload: (commands) => ({ command: commands, maxRunTime: 600 }),
  capabilities: { shell: true },
  // Every task runs as the worker's user: tasks can read each other's directories.
  isolated: false,
  defaultEnv: (ctx) => defaultEnvironment(ctx.taskDir, defaultTaskPath),
});
