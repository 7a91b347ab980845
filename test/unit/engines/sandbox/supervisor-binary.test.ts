// The compiled command supervisor: built once per source version, reused after, and reporting exactly what
// the perl one does (fd 3: `signal N`, `errno N`; the exit code passed through).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { supervisorBinary } from '../../../../src/engines/sandbox/supervisor-binary.js';
import { silentLog } from '../../../../src/log/worker-log.js';
import { tempDir } from '../../../helpers/task-fixtures.js';

const compiler = ['/usr/bin/cc', '/usr/bin/gcc', '/usr/bin/tcc', '/usr/bin/clang'].find((path) =>
  existsSync(path),
);

/** Runs the supervisor with fd 3 as a pipe; what it said there and how it exited. */
function supervise(binary: string, ...command: string[]): { said: string; status: number | null } {
  const result = spawnSync(binary, command, { stdio: ['ignore', 'ignore', 'ignore', 'pipe'] });
  return { said: String(result.output[3] ?? ''), status: result.status };
}

describe('compiled sandbox supervisor', () => {
  it(
    compiler ? `is built with ${compiler}, once, and reused` : 'is not built without a C compiler',
    async () => {
      const dir = await tempDir();
      try {
        const binary = await supervisorBinary(dir.path, silentLog());
        if (!compiler) {
          assert.equal(binary, undefined);
          return;
        }
        assert.ok(binary, 'built');
        assert.equal((await stat(binary)).mode & 0o777, 0o755);
        const built = (await stat(binary)).mtimeMs;
        assert.equal(await supervisorBinary(dir.path, silentLog()), binary, 'the same binary');
        assert.equal((await stat(binary)).mtimeMs, built, 'not built again');
        assert.deepEqual(
          await readdir(dir.path),
          [binary.split('/').at(-1)],
          'no source or temporary file left',
        );

        assert.deepEqual(supervise(binary, 'sh', '-c', 'exit 137'), { said: '', status: 137 });
        assert.deepEqual(supervise(binary, 'sh', '-c', 'kill -TERM $$'), {
          said: 'signal 15\n',
          status: 143,
        });
        assert.deepEqual(supervise(binary, '/no/such/binary'), { said: 'errno 2\n', status: 127 });
        // The command does not inherit fd 3.
        assert.deepEqual(supervise(binary, 'sh', '-c', 'echo x >&3 2>/dev/null || exit 9'), {
          said: '',
          status: 9,
        });
      } finally {
        await dir.remove();
      }
    },
  );
});
