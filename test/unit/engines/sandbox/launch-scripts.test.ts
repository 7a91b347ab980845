// The scripts that run inside the sandbox before a command, run here on the host: what they report on
// fd 3, and that the command never gets fd 3.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { execCheckScript, superviseScript } from '../../../../src/engines/sandbox/launch-scripts.js';
import { outcomeOf } from '../../../../src/engines/sandbox/sandbox-command.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tcw-launch-'));
  await writeFile(join(dir, 'not-executable'), '#!/bin/sh\necho hi\n');
  await chmod(join(dir, 'not-executable'), 0o644);
});
after(() => rm(dir, { recursive: true, force: true }));

/** Runs `prefix... argv...` with fd 3 as a pipe; resolves the exit code, the fd 3 text and stdout. */
function run(
  prefix: string[],
  argv: string[],
): Promise<{ code: number | null; status: string; stdout: string }> {
  return new Promise((resolve, reject) => {
    const [file, ...args] = [...prefix, ...argv] as [string, ...string[]];
    const child = spawn(file, args, {
      cwd: dir,
      env: { PATH: '/usr/bin:/bin' },
      stdio: ['ignore', 'pipe', 'ignore', 'pipe'],
    });
    let status = '';
    let stdout = '';
    (child.stdio[3] as Readable).on('data', (chunk: Buffer) => (status += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, status: status.trim(), stdout }));
  });
}

const scripts: Array<[string, string[], boolean]> = [
  ['sh check', ['/bin/sh', '-c', execCheckScript, 'tc-exec'], true],
  ['perl supervisor', ['/usr/bin/perl', '-e', superviseScript, '--'], existsSync('/usr/bin/perl')],
];

for (const [name, prefix, available] of scripts) {
  describe(name, { skip: available ? false : 'no perl here' }, () => {
    it('runs the command with its arguments and exit code, and reports nothing', async () => {
      assert.deepEqual(await run(prefix, ['sh', '-c', 'echo "$0 $1"; exit 3', 'a', '-b']), {
        code: 3,
        status: '',
        stdout: 'a -b\n',
      });
    });

    it('says when a command is missing or not executable', async () => {
      const missing = await run(prefix, ['/definitely/not/here']);
      assert.equal(outcomeOf(missing.status, missing.code, null).startError?.code, 'ENOENT');
      const notOnPath = await run(prefix, ['no-such-command-here']);
      assert.equal(outcomeOf(notOnPath.status, notOnPath.code, null).startError?.code, 'ENOENT');
      const notExecutable = await run(prefix, ['./not-executable']);
      assert.equal(outcomeOf(notExecutable.status, notExecutable.code, null).startError?.code, 'EACCES');
      const directory = await run(prefix, ['/tmp']);
      assert.equal(outcomeOf(directory.status, directory.code, null).startError?.code, 'EACCES');
    });

    it('never hands fd 3 to the command', async () => {
      const { stdout } = await run(prefix, [
        'sh',
        '-c',
        'if [ -e /proc/self/fd/3 ]; then echo open; else echo closed; fi',
      ]);
      assert.equal(stdout, 'closed\n');
    });
  });
}

describe(
  'perl supervisor and signals',
  { skip: existsSync('/usr/bin/perl') ? false : 'no perl here' },
  () => {
    it('tells a signal from an exit code of 128+N', async () => {
      const prefix = ['/usr/bin/perl', '-e', superviseScript, '--'];
      const signaled = await run(prefix, ['sh', '-c', 'kill -TERM $$']);
      assert.deepEqual(outcomeOf(signaled.status, signaled.code, null), { exitCode: -1, signal: 'SIGTERM' });
      const exited = await run(prefix, ['sh', '-c', 'exit 143']);
      assert.deepEqual(outcomeOf(exited.status, exited.code, null), { exitCode: 143 });
    });
  },
);

describe('outcomes', () => {
  it('come from the status line first, then the exit', () => {
    assert.deepEqual(outcomeOf('', 0, null), { exitCode: 0 });
    assert.deepEqual(outcomeOf('', null, 'SIGKILL'), { exitCode: -1, signal: 'SIGKILL' });
    assert.deepEqual(outcomeOf('host cannot join the cgroup /x', 125, null), {
      exitCode: -1,
      hostError: 'cannot join the cgroup /x',
    });
    assert.deepEqual(outcomeOf('errno 2', 127, null), {
      exitCode: -1,
      startError: { code: 'ENOENT', message: 'ENOENT' },
    });
    assert.deepEqual(outcomeOf('signal 9', 137, null), { exitCode: -1, signal: 'SIGKILL' });
  });
});
