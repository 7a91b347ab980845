// The compiled launcher: built once per source version, and doing what the host script and setpriv do:
// join the cgroups, open the argument file as fd 6, become the task user with no privilege left, and say
// on fd 3 (exit 125) what it could not do. Becoming another user needs root, as the engine does.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { launcherBinary } from '../../../../src/engines/sandbox/launcher-binary.js';
import { silentLog } from '../../../../src/log/worker-log.js';
import { tempDir } from '../../../helpers/task-fixtures.js';

const compiler = ['/usr/bin/cc', '/usr/bin/gcc', '/usr/bin/tcc', '/usr/bin/clang'].find((path) =>
  existsSync(path),
);
const root = process.getuid?.() === 0;
const skip = !compiler
  ? false
  : root
    ? false
    : 'the launcher needs root to become another user (run the tests as root, as CI does)';

/** Runs the launcher with fd 3 as a pipe: what it said there and on stdout, and how it exited. */
function launch(binary: string, ...args: string[]): { said: string; out: string; status: number | null } {
  const result = spawnSync(binary, args, { stdio: ['ignore', 'pipe', 'ignore', 'pipe'] });
  return { said: String(result.output[3] ?? ''), out: String(result.stdout), status: result.status };
}

describe('compiled sandbox launcher', () => {
  it(
    compiler ? `is built with ${compiler}, once, and works` : 'is not built without a C compiler',
    { skip },
    async () => {
      const dir = await tempDir();
      try {
        const binary = await launcherBinary(dir.path, silentLog());
        if (!compiler) {
          assert.equal(binary, undefined);
          return;
        }
        assert.ok(binary, 'built');
        const built = (await stat(binary)).mtimeMs;
        assert.equal(await launcherBinary(dir.path, silentLog()), binary, 'the same binary');
        assert.equal((await stat(binary)).mtimeMs, built, 'not built again');
        assert.deepEqual(await readdir(dir.path), [binary.split('/').at(-1)], 'nothing else left');

        // Joins each "cgroup" (a file here) with its pid, opens the argument file as fd 6, drops everything.
        const procs = [join(dir.path, 'a.procs'), join(dir.path, 'b.procs')];
        for (const file of procs) await writeFile(file, '');
        const args = join(dir.path, 'args');
        await writeFile(args, 'from-the-args-file');
        const script =
          'echo "pid=$$ ids=$(id -u):$(id -g):$(id -G | tr " " ,) fd6=$(cat <&6)"; ' +
          'grep -E "^(Cap...|NoNewPrivs):" /proc/self/status';
        const ran = launch(
          binary,
          args,
          '2',
          ...procs,
          '2000000009',
          '2000000008',
          '44,2000000008',
          '/bin/sh',
          '-c',
          script,
        );
        assert.equal(ran.status, 0, ran.said);
        const pid = /pid=(\d+)/.exec(ran.out)?.[1];
        assert.match(ran.out, /ids=2000000009:2000000008:2000000008,44 fd6=from-the-args-file/);
        for (const file of procs)
          assert.equal(await readFile(file, 'utf8'), `${pid}\n`, 'joined with its pid');
        for (const set of ['CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb'])
          assert.match(ran.out, new RegExp(`^${set}:\\s+0+$`, 'm'), set);
        assert.match(ran.out, /^NoNewPrivs:\s+1$/m);

        // What it cannot do: the worker's failure, said on fd 3.
        const missing = join(dir.path, 'no', 'cgroup.procs');
        assert.deepEqual(launch(binary, args, '1', missing, '5', '5', '-', '/bin/true'), {
          said: `host cannot join the cgroup ${missing}: No such file or directory\n`,
          out: '',
          status: 125,
        });
        assert.match(
          launch(binary, join(dir.path, 'none'), '0', '5', '5', '-', '/bin/true').said,
          /^host cannot open/,
        );
        assert.match(
          launch(binary, args, '0', '0', '5', '-', '/bin/true').said,
          /^host refuses to run a task as root/,
        );
        assert.match(launch(binary, args, '0', '5', '5', '1,x', '/bin/true').said, /^host bad number x/);
        assert.match(
          launch(binary, args, '0', '5', '5', '-', '/no/such').said,
          /^host cannot run \/no\/such: No such file/,
        );
        assert.match(launch(binary, args, '0', '5').said, /^host usage/);
      } finally {
        await dir.remove();
      }
    },
  );
});

describe('compiled helpers found in the state directory', () => {
  it('are run only when they are the worker’s own and nobody else may write them', { skip }, async () => {
    if (!compiler) return;
    const dir = await tempDir();
    try {
      const binary = await launcherBinary(dir.path, silentLog());
      assert.ok(binary);
      // Someone else's file under the helper's name: replaced by a fresh build, never run.
      await writeFile(binary, '#!/bin/sh\nexit 0\n', { mode: 0o777 });
      await chmod(binary, 0o777);
      const again = await launcherBinary(dir.path, silentLog());
      assert.equal(again, binary);
      assert.equal((await stat(binary)).mode & 0o777, 0o755, 'rebuilt');
      assert.notEqual(
        (await readFile(binary)).subarray(0, 4).toString('latin1'),
        '#!/b',
        'not the planted file',
      );
      // Another user's, even without write access for others: rebuilt too.
      await chown(binary, 65534, 65534);
      assert.equal(await launcherBinary(dir.path, silentLog()), binary);
      assert.equal((await stat(binary)).uid, 0, 'rebuilt as root’s');
    } finally {
      await dir.remove();
    }
  });
});
