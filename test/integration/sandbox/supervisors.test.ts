// The compiled helpers (where the host has a C compiler, as here) and the scripts they fall back to: the
// launcher or the host script with setpriv take the task user and drop the same privileges; the compiled or
// perl supervisor report the same outcomes: an exit code, a signal (exit code -1), a command that cannot
// start.
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
    `sandbox launch and supervisor (${compiled ? 'compiled' : 'sh, setpriv and perl'})`,
    { skip: host.skip ?? false },
    () => {
      let engine: Engine;
      let workDir: { path: string; remove: () => Promise<void> };
      before(async () => {
        engine = await createSandboxEngine({ ...testEngineOptions, compileHelpers: compiled }, silentLog());
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

      it('runs the command as the task user in its own group only, with no capability and no_new_privs', async () => {
        const { result, log } = await run([
          'sh',
          '-c',
          'echo "ids=$(id -u):$(id -g):$(id -G | wc -w)"; grep -E "^(Cap...|NoNewPrivs):" /proc/self/status',
        ]);
        assert.equal(result.success, true, log);
        const [, uid, gid] = /^ids=(\d+):(\d+):1$/m.exec(log) ?? [];
        assert.ok(Number(uid) >= 2_000_000_000 && uid === gid, log);
        for (const set of ['CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb'])
          assert.match(log, new RegExp(`^${set}:\\s+0+$`, 'm'), `${set}: ${log}`);
        assert.match(log, /^NoNewPrivs:\s+1$/m);
      });

      it('reports a command that cannot start', async () => {
        const { result, log } = await run(['/no/such/binary']);
        assert.equal(result.exitCode, -1);
        assert.match(log, /could not start: .*ENOENT|could not start: .*no such file/i);
      });
    },
  );
}
