// The command supervisors: the compiled one (where the host has a C compiler, as here) and the perl one it
// falls back to report the same outcomes: an exit code, a signal (exit code -1), a command that cannot start.
import assert from 'node:assert/strict';
import { chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createSandboxEngine } from '../../../src/engines/sandbox/sandbox-engine.js';
import type { Engine } from '../../../src/engines/types.js';
import { silentLog } from '../../../src/log/worker-log.js';
import { MemoryTaskLog } from '../../helpers/memory-task-log.js';
import { engineContext, newTaskId, tempDir } from '../../helpers/task-fixtures.js';
import { sandboxHost, testEngineOptions } from './sandbox-host.js';

const host = await sandboxHost();

for (const compiled of [true, false]) {
  describe(
    `sandbox command supervisor (${compiled ? 'compiled' : 'perl'})`,
    { skip: host.skip ?? false },
    () => {
      let engine: Engine;
      let workDir: { path: string; remove: () => Promise<void> };
      before(async () => {
        engine = await createSandboxEngine(
          { ...testEngineOptions, compileSupervisor: compiled },
          silentLog(),
        );
        workDir = await tempDir('tc-worker-supervisor-');
        await chmod(workDir.path, 0o711);
      });
      after(async () => {
        await engine.dispose?.();
        await workDir.remove();
      });

      async function run(command: string[]) {
        const taskDir = join(workDir.path, newTaskId());
        await mkdir(taskDir);
        const log = new MemoryTaskLog();
        const builder = await engine.prepare(
          engineContext({ taskDir, payload: { command: [command], maxRunTime: 60 }, log }),
        );
        const result = await (await builder.start()).wait();
        await result.dispose();
        return { result, log: log.text };
      }

      it('passes the exit code through, even one above 128', async () => {
        const { result } = await run(['sh', '-c', 'exit 137']);
        assert.equal(result.exitCode, 137);
        assert.equal((await run(['true'])).result.success, true);
      });

      it('tells a signal from an exit code', async () => {
        const { result, log } = await run(['sh', '-c', 'kill -TERM $$']);
        assert.equal(result.exitCode, -1);
        assert.match(result.failure ?? '', /SIGTERM/, log);
      });

      it('reports a command that cannot start', async () => {
        const { result, log } = await run(['/no/such/binary']);
        assert.equal(result.exitCode, -1);
        assert.match(log, /could not start: .*ENOENT|could not start: .*no such file/i);
      });
    },
  );
}
