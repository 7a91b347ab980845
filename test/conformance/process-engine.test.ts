// The engine conformance suite against the process engine, with commands started by Node's spawn and by
// the compiled process spawner (where the machine has a C compiler, as CI's has).
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultEnvironment, defaultTaskPath } from '../../src/engines/process/default-env.js';
import { createProcessEngine } from '../../src/engines/process/process-engine.js';
import { silentLog } from '../../src/log/worker-log.js';
import { engineConformance } from './engine-suite.js';

for (const spawner of [false, true])
  engineConformance({
    name: spawner ? 'process (spawner)' : 'process',
    create: async () => {
      if (!spawner) return createProcessEngine();
      const engine = createProcessEngine({
        spawner: { dir: join(tmpdir(), `tcw-spawner-test-${process.pid}`), log: silentLog() },
      });
      if (!(await engine.spawnerReady()))
        throw new Error('the process spawner could not be built: install a C compiler (apt-get install gcc)');
      return engine;
    },
    payload: (commands) => ({ command: commands, maxRunTime: 600 }),
    capabilities: { shell: true },
    // Every task runs as the worker's user: tasks can read each other's directories.
    isolated: false,
    defaultEnv: (ctx) => defaultEnvironment(ctx.taskDir, defaultTaskPath),
  });
