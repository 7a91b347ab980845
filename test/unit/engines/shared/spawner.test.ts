// The compiled process spawner, through its Node client: commands start in a session of their own with
// exactly the environment given, their output reaches the worker, their exit comes with the wait status and
// CPU time, start failures carry the errno as Node's spawn does, and a spawner that dies loses nothing
// silently.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { Spawner, type SpawnedProcess } from '../../../../src/engines/shared/spawner.js';
import { silentLog } from '../../../../src/log/worker-log.js';
import { tempDir } from '../../../helpers/task-fixtures.js';

const compiler = ['/usr/bin/cc', '/usr/bin/gcc', '/usr/bin/tcc', '/usr/bin/clang'].some((path) =>
  existsSync(path),
);
const env = { PATH: '/usr/bin:/bin', ONLY: 'this' };

function text(stream: Readable): Promise<string> {
  return new Promise((resolve) => {
    let all = '';
    stream.on('data', (chunk: Buffer) => (all += chunk.toString()));
    // An empty stream may have ended and closed before anyone listened.
    if (stream.closed) resolve(all);
    else stream.on('close', () => resolve(all));
  });
}

async function outputOf(spawned: SpawnedProcess): Promise<{ out: string; err: string }> {
  const [out, err] = await Promise.all([text(spawned.stdout), text(spawned.stderr)]);
  return { out, err };
}

describe('process spawner', { skip: compiler ? false : 'no C compiler to build the spawner with' }, () => {
  let dir: { path: string; remove: () => Promise<void> };
  let spawner: Spawner;
  before(async () => {
    dir = await tempDir('tcw-spawner-');
    const started = await Spawner.start(dir.path, silentLog());
    assert.ok(started, 'the spawner is built and runs');
    spawner = started;
  });
  after(async () => {
    spawner.stop();
    await dir.remove();
  });

  it('runs a command with exactly the given environment, in its directory, with its output and exit code', async () => {
    const spawned = await spawner.spawn({
      argv: ['sh', '-c', 'echo "$ONLY $(pwd) $(env | wc -l)"; echo to-stderr >&2; exit 3'],
      cwd: dir.path,
      env,
    });
    const [output, exit] = await Promise.all([outputOf(spawned), spawned.exited]);
    // PATH, ONLY and the PWD the shell sets itself: nothing of the worker's environment.
    assert.equal(output.out, `this ${dir.path} 3\n`);
    assert.equal(output.err, 'to-stderr\n');
    assert.equal(exit.code, 3);
    assert.equal(exit.signal, null);
  });

  it('starts each command in a session of its own, and reports a signal and the CPU time', async () => {
    const spawned = await spawner.spawn({
      argv: ['sh', '-c', 'i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done; kill -TERM $$'],
      cwd: '/',
      env,
    });
    const output = outputOf(spawned);
    const stat = readFileSync(`/proc/${spawned.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    assert.equal(Number(stat[2]), spawned.pid, 'its own process group');
    assert.equal(Number(stat[3]), spawned.pid, 'its own session');
    const exit = await spawned.exited;
    assert.equal(exit.signal, 'SIGTERM');
    assert.equal(exit.code, null);
    assert.ok(exit.cpu && exit.cpu.userSeconds + exit.cpu.kernelSeconds > 0.01, JSON.stringify(exit.cpu));
    await output;
  });

  it('says why a command could not start, as Node’s spawn does', async () => {
    const script = join(dir.path, 'not-executable');
    await writeFile(script, '#!/bin/sh\n');
    await chmod(script, 0o644);
    const cases: Array<[readonly [string, ...string[]], string, string]> = [
      [['no-such-command'], '/', 'ENOENT'],
      [[script], '/', 'EACCES'],
      [['true'], join(dir.path, 'missing-dir'), 'ENOENT'],
    ];
    for (const [argv, cwd, code] of cases)
      await assert.rejects(spawner.spawn({ argv, cwd, env }), (error: NodeJS.ErrnoException) => {
        assert.equal(error.code, code);
        assert.equal(error.message, `spawn ${argv[0]} ${code}`);
        return true;
      });
    await assert.rejects(spawner.spawn({ argv: ['true', 'a\0b'], cwd: '/', env }), /NUL/);
  });

  it('takes any number of arguments and variables; what exec refuses is E2BIG, and it keeps serving', async () => {
    const many = Array.from({ length: 20_000 }, (_, i) => `a${i}`);
    const manyEnv = Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`V${i}`, 'x']));
    const spawned = await spawner.spawn({
      argv: ['sh', '-c', 'echo "$# $V4999"', 'sh', ...many],
      cwd: '/',
      env: { ...env, ...manyEnv },
    });
    const [output, exit] = await Promise.all([outputOf(spawned), spawned.exited]);
    assert.equal(output.out, '20000 x\n');
    assert.equal(exit.code, 0);
    // Beyond what the kernel takes for one exec (a few MiB): refused, as by Node's spawn.
    const huge = [
      'true',
      'x'.repeat(128 * 1024 - 1),
      ...Array.from({ length: 40 }, () => 'y'.repeat(100_000)),
    ];
    await assert.rejects(spawner.spawn({ argv: huge as [string, ...string[]], cwd: '/', env }), {
      code: 'E2BIG',
    });
    assert.equal(spawner.alive, true);
    assert.equal((await (await spawner.spawn({ argv: ['true'], cwd: '/', env })).exited).code, 0);
  });

  it('starts many commands at once, each with its own output', async () => {
    const spawned = await Promise.all(
      Array.from({ length: 20 }, (_, i) => spawner.spawn({ argv: ['echo', `command ${i}`], cwd: '/', env })),
    );
    const outputs = await Promise.all(spawned.map((one) => outputOf(one)));
    const exits = await Promise.all(spawned.map((s) => s.exited));
    assert.deepEqual(
      outputs.map((o) => o.out),
      Array.from({ length: 20 }, (_, i) => `command ${i}\n`),
    );
    assert.ok(exits.every((exit) => exit.code === 0));
  });

  it('reports a command as lost when the spawner dies, and refuses new ones', async () => {
    const other = await Spawner.start(dir.path, silentLog());
    assert.ok(other);
    const spawned = await other.spawn({ argv: ['sleep', '30'], cwd: '/', env });
    const output = outputOf(spawned);
    const helperPid = Number(readFileSync(`/proc/${spawned.pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]);
    process.kill(helperPid, 'SIGKILL');
    const exit = await spawned.exited;
    assert.equal(exit.lost, true);
    assert.equal(other.alive, false);
    await assert.rejects(other.spawn({ argv: ['true'], cwd: '/', env }), /not running/);
    process.kill(-spawned.pid, 'SIGKILL');
    await output;
  });
});
