// The engine conformance suite: what every engine must do, run against each engine by its own test file.
// Assertions are about order and outcomes, never about timing (the machines are shared and noisy).
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Engine, EngineTaskContext, ResultSet, Sandbox } from '../../src/engines/types.js';
import { ArtifactSourceError, TaskCanceledError, WorkerShutdownError } from '../../src/errors.js';
import { silentLog } from '../../src/log/worker-log.js';
import { processesIn } from '../helpers/leftover-processes.js';
import { MemoryTaskLog } from '../helpers/memory-task-log.js';
import { isAlive, waitUntil } from '../helpers/processes.js';
import { makeTask, newTaskId, tempDir } from '../helpers/task-fixtures.js';

export interface EngineUnderTest {
  readonly name: string;
  create(): Engine | Promise<Engine>;
  /** The engine's payload for commands given as argv lists, each run by a POSIX shell script here. */
  payload(commands: string[][]): Record<string, unknown>;
}

interface Started {
  readonly ctx: EngineTaskContext;
  readonly log: MemoryTaskLog;
  readonly sandbox: Sandbox;
  readonly controller: AbortController;
}

const sh = (script: string): string[] => ['sh', '-c', script];

export function engineConformance(subject: EngineUnderTest): void {
  describe(`engine conformance: ${subject.name}`, () => {
    let engine: Engine;
    let workDir: { path: string; remove: () => Promise<void> };
    const taskDirs: string[] = [];

    before(async () => {
      engine = await subject.create();
      workDir = await tempDir('tc-worker-engine-');
    });
    after(async () => {
      await engine.dispose?.();
      await workDir.remove();
    });
    afterEach(async () => {
      // No case may leave a process behind, whatever its outcome.
      for (const dir of taskDirs.splice(0)) {
        await waitUntil(() => processesIn(dir).length === 0, `no process is left in ${dir}`, 10_000);
      }
    });

    async function start(commands: string[][], env: Record<string, string> = {}): Promise<Started> {
      const taskId = newTaskId();
      const taskDir = join(workDir.path, taskId);
      await mkdir(taskDir);
      taskDirs.push(taskDir);
      const log = new MemoryTaskLog();
      const controller = new AbortController();
      const payload = subject.payload(commands);
      const ctx: EngineTaskContext = {
        taskId,
        runId: 0,
        task: makeTask(payload),
        payload,
        taskDir,
        keepTaskDir: false,
        log,
        workerLog: silentLog(),
        signal: controller.signal,
      };
      const builder = await engine.prepare(ctx);
      for (const [name, value] of Object.entries(env)) builder.setEnv(name, value);
      return { ctx, log, sandbox: await builder.start(), controller };
    }

    async function run(
      commands: string[][],
      env?: Record<string, string>,
    ): Promise<{ result: ResultSet; log: string }> {
      const { sandbox, log } = await start(commands, env);
      const result = await sandbox.wait();
      return { result, log: log.text };
    }

    it('completes when every command exits 0', async () => {
      const { result, log } = await run([sh('echo one'), sh('echo two')]);
      assert.equal(result.success, true);
      assert.equal(result.exitCode, 0);
      assert.equal(result.killed, false);
      assert.match(log, /Executing command 0: .*echo one/);
      assert.match(log, /^one$/m);
      assert.match(log, /Executing command 1: .*echo two/);
      assert.match(log, /^two$/m);
      assert.match(log, /Exit Code: 0/);
      assert.match(log, /Result: SUCCEEDED/);
      await result.dispose();
    });

    it('stops at the first failing command and reports its exit code', async () => {
      const { result, log } = await run([['true'], sh('echo failing; exit 3'), sh('echo never')]);
      assert.equal(result.success, false);
      assert.equal(result.exitCode, 3);
      assert.equal(result.killed, false);
      assert.match(log, /Exit Code: 3/);
      assert.match(log, /Result: FAILED/);
      assert.doesNotMatch(log, /Executing command 2/);
      assert.doesNotMatch(log, /never/);
      await result.dispose();
    });

    it('fails (not an exception) when a binary is missing or not executable', async () => {
      const missing = await run([['/definitely/not/here']]);
      assert.equal(missing.result.success, false);
      assert.equal(missing.result.exitCode, -1);
      assert.match(missing.log, /\[taskcluster:error\] Command 0 could not start: .*not\/here/);
      await missing.result.dispose();

      const notExecutable = await run([sh('echo "#!/bin/sh" > script; chmod 644 script'), ['./script']]);
      assert.equal(notExecutable.result.success, false);
      assert.equal(notExecutable.result.exitCode, -1);
      assert.match(notExecutable.log, /Command 1 could not start: \.\/script/);
      await notExecutable.result.dispose();
    });

    it('runs with a clean default environment, set variables, and never the worker environment', async () => {
      process.env.TC_WORKER_TEST_SECRET = 'must-not-leak';
      try {
        const { result, log } = await run([sh('env; pwd')], { GREETING: 'hello world', HOME: '/overridden' });
        assert.equal(result.success, true);
        assert.match(log, /^GREETING=hello world$/m);
        assert.match(log, /^HOME=\/overridden$/m);
        assert.match(log, /^PATH=/m);
        assert.doesNotMatch(log, /must-not-leak/);
        await result.dispose();
      } finally {
        delete process.env.TC_WORKER_TEST_SECRET;
      }
    });

    it('streams stdout and stderr into the log as they come', async () => {
      const { result, log } = await run([
        sh('echo first; sleep 0.3; echo second >&2; sleep 0.3; echo third'),
      ]);
      assert.equal(result.success, true);
      const lines = log.split('\n');
      const at = (text: string): number => lines.indexOf(text);
      assert.ok(at('first') >= 0 && at('second') >= 0 && at('third') >= 0, log);
      assert.ok(at('first') < at('second') && at('second') < at('third'), log);
      // Output comes after the command's line and before its result block.
      assert.ok(lines.findIndex((line) => line.includes('Executing command 0')) < at('first'));
      assert.ok(lines.findIndex((line) => line.includes('Exit Code')) > at('third'));
      await result.dispose();
    });

    it('kill ends the task as killed, including children in the background, and skips the rest', async () => {
      const { sandbox, log } = await start([
        sh('sleep 300 & echo "bg=$!"; echo "main=$$"; sleep 300'),
        sh('echo never'),
      ]);
      const [, bg] = await log.waitFor(/bg=(\d+)/);
      const [, main] = await log.waitFor(/main=(\d+)/);
      assert.ok(isAlive(Number(bg)) && isAlive(Number(main)));
      await sandbox.kill('test kill');
      const result = await sandbox.wait();
      assert.equal(result.success, false);
      assert.equal(result.killed, true);
      assert.equal(result.exitCode, -1);
      assert.doesNotMatch(log.text, /never/);
      assert.equal(isAlive(Number(bg)), false, 'the background child died');
      assert.equal(isAlive(Number(main)), false, 'the command died');
      await result.dispose();
    });

    it('kills what a successful command left in the background when it ends', async () => {
      // One keeps the output pipe open, one does not: neither may hold up the task or outlive it.
      const { result, log } = await run([
        sh('sleep 300 & echo "held=$!"'),
        sh('sleep 300 >/dev/null 2>&1 & echo "detached=$!"'),
      ]);
      assert.equal(result.success, true);
      for (const name of ['held', 'detached']) {
        const pid = Number(new RegExp(`${name}=(\\d+)`).exec(log)?.[1]);
        assert.ok(pid > 0, log);
        assert.equal(isAlive(pid), false, `${name} background child died`);
      }
      await result.dispose();
    });

    for (const reason of [new WorkerShutdownError(), new TaskCanceledError()]) {
      it(`abort (${reason.name}) stops the task at once and rejects wait with the signal's reason`, async () => {
        const { sandbox, log, controller } = await start([sh('echo "pid=$$"; sleep 300'), sh('echo never')]);
        const [, pid] = await log.waitFor(/pid=(\d+)/);
        controller.abort(reason);
        await assert.rejects(sandbox.wait(), (error) => error === reason);
        assert.equal(isAlive(Number(pid)), false);
        assert.doesNotMatch(log.text, /never/);
      });
    }

    it('an abort right after start still rejects wait with the reason', async () => {
      const { sandbox, controller } = await start([sh('sleep 300')]);
      controller.abort(new WorkerShutdownError());
      await assert.rejects(sandbox.wait(), WorkerShutdownError);
    });

    describe('files of the task', () => {
      let result: ResultSet;
      before(async () => {
        const { sandbox } = await start([
          sh(
            [
              'mkdir -p out/sub empty',
              'printf hello > out/a.txt',
              'printf nested > out/sub/b.txt',
              'ln -s /etc/passwd out/passwd-link',
              'ln -s out/a.txt inside-link',
              'ln -s / root-link',
              'ln -s out out-link',
              'mkfifo fifo',
              'printf "" > zero',
            ].join(' && '),
          ),
        ]);
        result = await sandbox.wait();
        assert.equal(result.success, true);
      });
      after(() => result.dispose());

      const reasonOf = async (promise: Promise<unknown>): Promise<string> => {
        try {
          await promise;
        } catch (error) {
          assert.ok(error instanceof ArtifactSourceError, String(error));
          return error.reason;
        }
        return 'no error';
      };
      const read = async (path: string): Promise<string> => {
        const file = await result.readFile(path);
        const chunks: Buffer[] = [];
        for await (const chunk of file.open()) chunks.push(chunk as Buffer);
        const text = Buffer.concat(chunks).toString();
        assert.equal(Buffer.byteLength(text), file.size);
        return text;
      };

      it('reads files inside the task directory, through links that stay inside', async () => {
        assert.equal(await read('out/a.txt'), 'hello');
        assert.equal(await read('out/sub/b.txt'), 'nested');
        assert.equal(await read('inside-link'), 'hello');
        assert.equal(await read('out-link/a.txt'), 'hello');
        assert.equal(await read('zero'), '');
        // A file can be read again (an upload retry opens it once more).
        const file = await result.readFile('out/a.txt');
        for (let i = 0; i < 2; i++) {
          const chunks: Buffer[] = [];
          for await (const chunk of file.open()) chunks.push(chunk as Buffer);
          assert.equal(Buffer.concat(chunks).toString(), 'hello');
        }
      });

      it('refuses paths outside the task directory and the wrong kinds of file', async () => {
        assert.equal(await reasonOf(result.readFile('missing.txt')), 'file-missing-on-worker');
        assert.equal(await reasonOf(result.readFile('out/a.txt/x')), 'file-missing-on-worker');
        assert.equal(await reasonOf(result.readFile('out')), 'invalid-resource-on-worker');
        assert.equal(await reasonOf(result.readFile('fifo')), 'invalid-resource-on-worker');
        assert.equal(await reasonOf(result.readFile('/etc/passwd')), 'file-not-readable-on-worker');
        assert.equal(await reasonOf(result.readFile('../../etc/passwd')), 'file-not-readable-on-worker');
        assert.equal(await reasonOf(result.readFile('out/passwd-link')), 'file-not-readable-on-worker');
        assert.equal(await reasonOf(result.readFile('root-link/etc/passwd')), 'file-not-readable-on-worker');
      });

      it('walks directories inside the task directory only', async () => {
        const files = await result.walkDir('out');
        assert.ok(files.includes('a.txt') && files.includes('sub/b.txt'), String(files));
        assert.deepEqual(files, [...files].sort());
        assert.deepEqual(await result.walkDir('empty'), []);
        assert.deepEqual(await result.walkDir('out-link/sub'), ['b.txt']);
        assert.equal(await reasonOf(result.walkDir('nope')), 'file-missing-on-worker');
        assert.equal(await reasonOf(result.walkDir('out/a.txt')), 'invalid-resource-on-worker');
        assert.equal(await reasonOf(result.walkDir('root-link')), 'file-not-readable-on-worker');
        assert.equal(await reasonOf(result.walkDir('..')), 'file-not-readable-on-worker');
      });
    });
  });
}
