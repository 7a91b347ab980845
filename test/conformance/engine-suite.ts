// The engine conformance suite: what every engine must do, run against each engine by its own test file.
// Assertions are about order and outcomes, never about timing (the machines are shared and noisy): a task
// that must be at a certain point waits for a file the suite creates once it has seen that point in the log.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, afterEach, before, describe, it as nodeIt, type TestOptions } from 'node:test';
import type {
  Engine,
  EngineTaskContext,
  ResultSet,
  Sandbox,
  SandboxBuilder,
  Shell,
} from '../../src/engines/types.js';
import {
  ArtifactSourceError,
  TaskCanceledError,
  TaskFailureError,
  WorkerShutdownError,
} from '../../src/errors.js';
import { silentLog } from '../../src/log/worker-log.js';
import { envPlugin } from '../../src/plugins/env/env-plugin.js';
import { interactivePlugin } from '../../src/plugins/interactive/interactive-plugin.js';
import { maxRunTimePlugin } from '../../src/plugins/max-run-time/max-run-time-plugin.js';
import type { Plugin, TaskContext } from '../../src/plugins/types.js';
import type { RunArtifacts } from '../../src/queue/types.js';
import { processesIn } from '../helpers/leftover-processes.js';
import { MemoryTaskLog } from '../helpers/memory-task-log.js';
import { runWithPlugins } from '../helpers/plugin-harness.js';
import { waitUntil } from '../helpers/processes.js';
import { makeTask, newTaskId, tempDir, testWorker } from '../helpers/task-fixtures.js';
import { describeProcesses, killProcesses, leadsOwnSession } from '../helpers/task-processes.js';
import { TestWebhookServer } from '../helpers/test-webhook-server.js';

/** A task as the suite knows it: enough to find its processes. */
export interface TaskRef {
  readonly taskId: string;
  /** The run's task directory (`EngineTaskContext.taskDir`). */
  readonly taskDir: string;
}

/** Cases an engine is known to fail. Each runs as a node:test `todo` with the reason given. */
export interface KnownGaps {
  /** A child that calls setsid (leaves its command's session and group) outlives kill, abort or the task. */
  readonly detachedSessions?: string;
  /**
   * The engine's payloads have one command, not a list: there are no per-command log lines and result
   * blocks to check, and a binary that cannot start is the command's own exit code.
   */
  readonly commandList?: string;
  /** The result set reads another file system than the host's task directory (a container's). */
  readonly hostTaskFiles?: string;
}

/**
 * An engine under test. The suite assumes the engine runs each task in `ctx.taskDir` (it checks files there
 * and creates the files a waiting task looks for there).
 */
export interface EngineUnderTest {
  readonly name: string;
  create(): Engine | Promise<Engine>;
  /**
   * The engine's payload for commands given as argv lists, each run by a POSIX shell script here. The suite
   * sets `maxRunTime` and `features` at the payload's top level, where both payload formats have them.
   * `task` is given when the suite started the task itself (it is unknown for tasks run through runTask):
   * an engine whose tasks do not start in the task directory (a container) goes there first.
   */
  payload(commands: string[][], task?: TaskRef): Record<string, unknown>;
  /**
   * The optional capabilities the engine has (default: none). Each one it has is checked; each one it lacks
   * is checked to be refused as malformed-payload (FeatureNotSupportedError) before the task runs.
   */
  readonly capabilities?: {
    /** `SandboxBuilder.canOpenShell` and `Sandbox.openShell` (`features.interactive`). */
    readonly shell?: boolean;
  };
  /**
   * True when tasks are isolated from each other (their own user, namespaces): then a task must not read or
   * write another running task's directory. Default false: tasks share the worker's user.
   */
  readonly isolated?: boolean;
  /**
   * The exact environment a task starts from, before any setEnv. When given, a task's environment must be
   * exactly this plus what was set; when absent, the suite only checks that PATH is set and the worker's
   * environment does not leak.
   */
  defaultEnv?(ctx: EngineTaskContext): Record<string, string>;
  /**
   * Host pids of the task's live processes that the suite cannot find by working directory (it finds those
   * whose working directory is inside the task directory): e.g. the members of the task's cgroup, for an
   * engine whose tasks see the task directory under another path.
   */
  taskProcesses?(task: TaskRef): number[] | Promise<number[]>;
  /** Cases the engine is known to fail, with why; they are reported as todo until the gap is closed. */
  readonly knownGaps?: KnownGaps;
}

interface StartOptions {
  /** setEnv calls, in order. */
  readonly env?: ReadonlyArray<readonly [string, string]>;
  /** Payload fields beside the commands (they win over the engine's). */
  readonly payload?: Record<string, unknown>;
  readonly keepTaskDir?: boolean;
}

interface Started {
  readonly ctx: EngineTaskContext;
  readonly log: MemoryTaskLog;
  readonly builder: SandboxBuilder;
  readonly sandbox: Sandbox;
  readonly controller: AbortController;
}

/** Upper bound of one case: one that hangs (a kill that never ends the task) fails instead. */
const caseTimeoutMs = 120_000;

type Case = () => Promise<void>;
/** node:test's `it`, bounded by caseTimeoutMs. */
function it(name: string, options: TestOptions | Case, fn?: Case): void {
  const body = typeof options === 'function' ? options : fn;
  void nodeIt(name, { timeout: caseTimeoutMs, ...(typeof options === 'function' ? {} : options) }, body);
}

const sh = (script: string): string[] => ['sh', '-c', script];

/** `waitfor NAME`: waits until the file NAME exists in the working directory (gives up after a minute). */
const waitforFunction =
  'waitfor() { n=0; until [ -e "$1" ]; do n=$((n+1)); ' +
  'if [ "$n" -gt 1200 ]; then echo "gave up waiting for $1" >&2; exit 90; fi; sleep 0.05; done; }';
const withWaitfor = (script: string): string[] => sh(`${waitforFunction}; ${script}`);

/**
 * Starts four children that stay in the command's session: one in the background, one with nohup, one
 * orphaned (its parent exited, so it was re-parented) and, after `ready`, the command's own sleep.
 */
const backgroundTree = 'sleep 300 & nohup sleep 300 >/dev/null 2>&1 & (sleep 300 &); echo ready; sleep 300';
const backgroundTreeSize = 5;
/** A child that leaves the command's session and process group (setsid), then `ready`. */
const detachedChild = 'setsid sleep 300 </dev/null >/dev/null 2>&1 & echo ready; sleep 300';

const shellSize = { rows: 24, cols: 80 };

/** A RunArtifacts for plugins that never publish anything here. */
const noArtifacts: RunArtifacts = {
  createArtifact: () => Promise.reject(new Error('the conformance suite publishes no artifacts')),
  finishArtifact: () => Promise.reject(new Error('the conformance suite publishes no artifacts')),
};

/** A task's own variables in the output of `env`, in the order printed. */
function environmentOf(log: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of log.split('\n')) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) env[match[1]] = match[2];
  }
  return env;
}

/** Collects a shell's output; `waitFor` a pattern in it, `exited` once onExit fired. */
class Terminal {
  output = '';
  exited = false;

  constructor(readonly shell: Shell) {
    shell.onData((chunk) => (this.output += chunk.toString('utf8')));
    shell.onExit(() => (this.exited = true));
  }

  /** Waits (bounded) until the shell reported its exit. */
  waitForExit(): Promise<void> {
    return waitUntil(() => this.exited, 'the shell reported its exit (onExit)', 10_000);
  }

  type(text: string): void {
    this.shell.write(Buffer.from(text));
  }

  async waitFor(pattern: RegExp, timeoutMs = 60_000): Promise<void> {
    await waitUntil(
      () => pattern.test(this.output),
      `${String(pattern)} in the shell's output`,
      timeoutMs,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}; output so far: ${JSON.stringify(this.output)}`);
    });
  }
}

/** Opens a shell in the running task (an engine with the shell capability must have openShell). */
async function openTerminal(sandbox: Sandbox): Promise<Terminal> {
  if (!sandbox.openShell)
    throw new Error('the sandbox of an engine with the shell capability has no openShell');
  return new Terminal(await sandbox.openShell(shellSize));
}

export function engineConformance(subject: EngineUnderTest): void {
  const hasShell = subject.capabilities?.shell === true;
  const isolated = subject.isolated === true;
  const gap = (name: keyof KnownGaps): { todo?: string } => {
    const reason = subject.knownGaps?.[name];
    return reason !== undefined ? { todo: reason } : {};
  };

  describe(`engine conformance: ${subject.name}`, () => {
    let engine: Engine;
    let workDir: { path: string; remove: () => Promise<void> };
    const tasks: TaskRef[] = [];

    /** The task's live processes: by working directory, and those the engine adds. Sorted pids. */
    async function processesOf(task: TaskRef): Promise<number[]> {
      const found = new Set(processesIn(task.taskDir));
      for (const pid of (await subject.taskProcesses?.(task)) ?? []) found.add(pid);
      return [...found].sort((a, b) => a - b);
    }

    /** Runs a case; whatever its outcome, no process of the task survives it (for cases marked todo). */
    async function reaping(task: TaskRef, body: () => Promise<void>): Promise<void> {
      try {
        await body();
      } finally {
        killProcesses(await processesOf(task));
      }
    }

    before(async () => {
      engine = await subject.create();
      workDir = await tempDir('tc-worker-engine-');
      // As the worker's run directories are: searchable, so that an engine's task user reaches its directory.
      await chmod(workDir.path, 0o711);
    });
    after(async () => {
      await engine.dispose?.();
      await workDir.remove();
    });
    afterEach(async () => {
      // No case may leave a process behind, whatever its outcome.
      const problems: string[] = [];
      for (const task of tasks.splice(0)) {
        try {
          await waitUntil(
            async () => (await processesOf(task)).length === 0,
            `no process is left in ${task.taskDir}`,
            10_000,
          );
        } catch {
          const left = await processesOf(task);
          problems.push(`processes left by ${task.taskId}: ${describeProcesses(left)}`);
          killProcesses(left);
        }
      }
      assert.deepEqual(problems, []);
    });

    async function start(commands: string[][], options: StartOptions = {}): Promise<Started> {
      const taskId = newTaskId();
      const taskDir = join(workDir.path, taskId);
      await mkdir(taskDir);
      tasks.push({ taskId, taskDir });
      const log = new MemoryTaskLog();
      const controller = new AbortController();
      const payload = { ...subject.payload(commands, { taskId, taskDir }), ...options.payload };
      const ctx: EngineTaskContext = {
        taskId,
        runId: 0,
        task: makeTask(payload),
        payload,
        taskDir,
        keepTaskDir: options.keepTaskDir ?? false,
        log,
        workerLog: silentLog(),
        signal: controller.signal,
      };
      const builder = await engine.prepare(ctx);
      for (const [name, value] of options.env ?? []) builder.setEnv(name, value);
      return { ctx, log, builder, sandbox: await builder.start(), controller };
    }

    async function run(
      commands: string[][],
      options?: StartOptions,
    ): Promise<{ ctx: EngineTaskContext; result: ResultSet; log: string }> {
      const { ctx, sandbox, log } = await start(commands, options);
      const result = await sandbox.wait();
      return { ctx, result, log: log.text };
    }

    /** Creates a file in the task directory (a waiting task goes on). */
    const release = (ctx: EngineTaskContext, name: string): Promise<void> =>
      writeFile(join(ctx.taskDir, name), '');

    /** Waits until at least `count` processes of the task run. */
    const waitForProcesses = (task: TaskRef, count: number, what: string): Promise<void> =>
      waitUntil(async () => (await processesOf(task)).length >= count, what);

    /** Waits until a `sleep 300` of the task leads a session of its own. */
    const waitForDetached = (task: TaskRef): Promise<void> =>
      waitUntil(
        async () => leadsOwnSession(await processesOf(task), 'sleep 300'),
        'a child of the task runs in a session of its own',
      );

    /** The context a plugin gets for a task the suite started itself. */
    const pluginContext = (ctx: EngineTaskContext): TaskContext => ({
      taskId: ctx.taskId,
      runId: ctx.runId,
      task: ctx.task,
      payload: ctx.payload,
      taskDir: ctx.taskDir,
      log: ctx.log,
      taskLogPath: join(workDir.path, `${ctx.taskId}.log`),
      scratchDir: workDir.path,
      reservedArtifacts: new Set(),
      workerLog: ctx.workerLog,
      worker: testWorker,
      artifacts: noArtifacts,
      signal: ctx.signal,
      started: new Date(),
    });

    /** A plugin that notes the context of the task runTask runs, so its processes can be checked. */
    const probePlugin = (): { plugin: Plugin; seen: { ctx?: TaskContext } } => {
      const seen: { ctx?: TaskContext } = {};
      const plugin: Plugin = {
        name: 'probe',
        forTask: (ctx) => {
          seen.ctx = ctx;
          tasks.push({ taskId: ctx.taskId, taskDir: ctx.taskDir });
          return undefined;
        },
      };
      return { plugin, seen };
    };

    describe('exit codes', () => {
      it('completes when every command exits 0', gap('commandList'), async () => {
        const { result, log } = await run([sh('echo one'), sh('echo two')]);
        assert.equal(result.success, true);
        assert.equal(result.exitCode, 0);
        assert.equal(result.killed, false);
        assert.equal(result.failure, undefined);
        assert.match(log, /Executing command 0: .*echo one/);
        assert.match(log, /^one$/m);
        assert.match(log, /Executing command 1: .*echo two/);
        assert.match(log, /^two$/m);
        assert.match(log, /Exit Code: 0/);
        assert.match(log, /Result: SUCCEEDED/);
        await result.dispose();
      });

      it('stops at the first failing command and reports its exit code', gap('commandList'), async () => {
        const { result, log } = await run([['true'], sh('echo failing; exit 3'), sh('echo never')]);
        assert.equal(result.success, false);
        assert.equal(result.exitCode, 3);
        assert.equal(result.killed, false);
        assert.match(result.failure ?? '', /3/, 'the failure names the exit code');
        assert.match(log, /^failing$/m);
        assert.match(log, /Exit Code: 3/);
        assert.match(log, /Result: FAILED/);
        assert.doesNotMatch(log, /Executing command 2/);
        assert.doesNotMatch(log, /never/);
        await result.dispose();
      });

      it('fails with exit code -1 when a signal ends a command', gap('commandList'), async () => {
        const { result, log } = await run([sh('kill -TERM $$'), sh('echo never')]);
        assert.equal(result.success, false);
        assert.equal(result.exitCode, -1);
        assert.equal(result.killed, false);
        assert.ok(result.failure, 'a failure sentence for the log');
        assert.doesNotMatch(log, /never/);
        await result.dispose();
      });

      it(
        'fails (not an exception) when a binary is missing or not executable',
        gap('commandList'),
        async () => {
          const missing = await run([['/definitely/not/here'], sh('echo never')]);
          assert.equal(missing.result.success, false);
          assert.equal(missing.result.exitCode, -1);
          assert.match(missing.log, /\[taskcluster:error\] Command 0 could not start: .*not\/here/);
          assert.match(missing.result.failure ?? '', /not\/here/);
          assert.doesNotMatch(missing.log, /never/);
          await missing.result.dispose();

          const notExecutable = await run([sh('echo "#!/bin/sh" > script; chmod 644 script'), ['./script']]);
          assert.equal(notExecutable.result.success, false);
          assert.equal(notExecutable.result.exitCode, -1);
          assert.match(notExecutable.log, /Command 1 could not start: \.\/script/);
          await notExecutable.result.dispose();
        },
      );
    });

    describe('environment', () => {
      it('starts from the default environment, set variables win in order, never the worker environment', async () => {
        process.env.TC_WORKER_TEST_SECRET = 'must-not-leak';
        try {
          const set: Array<[string, string]> = [
            ['ORDER', 'first'],
            ['GREETING', 'hello world'],
            ['ORDER', 'second'],
            ['HOME', '/overridden'],
          ];
          // `env` itself, no shell: a shell adds variables of its own.
          const { ctx, result, log } = await run([['env']], { env: set });
          assert.equal(result.success, true);
          const env = environmentOf(log);
          assert.equal(env.ORDER, 'second', 'the later setEnv won');
          assert.equal(env.GREETING, 'hello world');
          assert.equal(env.HOME, '/overridden', 'setEnv wins over the default environment');
          assert.ok(env.PATH, 'PATH is set');
          assert.doesNotMatch(log, /must-not-leak/);
          if (subject.defaultEnv) {
            // Exactly the default environment and what was set: nothing of the worker's.
            assert.deepEqual(env, { ...subject.defaultEnv(ctx), ...Object.fromEntries(set) });
          }
          await result.dispose();
        } finally {
          delete process.env.TC_WORKER_TEST_SECRET;
        }
      });

      it("forces the worker's variables over the payload's (env plugin, through runTask)", async () => {
        const probe = probePlugin();
        const run = await runWithPlugins({
          plugins: [envPlugin, maxRunTimePlugin, probe.plugin],
          payload: {
            ...subject.payload([['env']]),
            env: { GREETING: 'from the payload', TASK_ID: 'spoofed', RUN_ID: '99', TASK_WORKDIR: '/spoofed' },
          },
          engine,
        });
        const ctx = probe.seen.ctx;
        assert.ok(ctx, 'the task ran');
        assert.deepEqual(run.resolution, { kind: 'completed' }, run.log);
        const env = environmentOf(run.log);
        assert.equal(env.GREETING, 'from the payload');
        assert.equal(env.TASK_ID, ctx.taskId);
        assert.equal(env.RUN_ID, '0');
        assert.equal(env.TASK_GROUP_ID, ctx.task.taskGroupId);
        assert.equal(env.TASK_WORKDIR, ctx.taskDir);
        assert.equal(env.TASKCLUSTER_ROOT_URL, testWorker.rootUrl);
        assert.doesNotMatch(run.log, /spoofed|=99$/m);
      });
    });

    describe('the task log', () => {
      it('has stdout and stderr in the order written, while the command runs', async () => {
        // Each line is written only once the previous one is in the log, so the order is the task's.
        const { ctx, sandbox, log } = await start([
          withWaitfor(
            'echo out-1; waitfor step-1; echo err-2 >&2; waitfor step-2; echo out-3; waitfor step-3; ' +
              'echo err-4 >&2; waitfor step-4; seq 1 3000',
          ),
        ]);
        for (const [step, line] of ['out-1', 'err-2', 'out-3', 'err-4'].entries()) {
          await log.waitFor(new RegExp(`^${line}$`, 'm'));
          await release(ctx, `step-${step + 1}`);
        }
        const result = await sandbox.wait();
        assert.equal(result.success, true, log.text);
        const lines = log.text.split('\n');
        const at = (text: string): number => lines.indexOf(text);
        const order = ['out-1', 'err-2', 'out-3', 'err-4'].map(at);
        assert.deepEqual(
          order,
          [...order].sort((a, b) => a - b),
          log.text,
        );
        // A burst of output arrives whole and in order.
        const first = at('1');
        assert.ok(first > at('err-4'), log.text);
        assert.deepEqual(
          lines.slice(first, first + 3000),
          Array.from({ length: 3000 }, (_, i) => String(i + 1)),
        );
        // Output comes after the command's line and before its result block.
        assert.ok(lines.findIndex((line) => line.includes('Executing command 0')) < at('out-1'));
        assert.ok(lines.findIndex((line) => line.includes('Exit Code')) > first + 2999);
        await result.dispose();
      });
    });

    describe('kill and max run time', () => {
      it('kill ends the task as killed and failed, with its children (background, nohup, orphaned), and skips the rest', async () => {
        const { ctx, sandbox, log } = await start([sh(backgroundTree), sh('echo never')]);
        await log.waitFor(/^ready$/m);
        await waitForProcesses(ctx, backgroundTreeSize, 'the command and its children run');
        await sandbox.kill('test kill');
        // kill resolves once everything of the task is gone.
        const left = await processesOf(ctx);
        const result = await sandbox.wait();
        assert.equal(result.success, false);
        assert.equal(result.killed, true);
        assert.equal(result.exitCode, -1);
        assert.ok(result.failure, 'a failure sentence for the log');
        assert.doesNotMatch(log.text, /never/);
        await result.dispose();
        assert.deepEqual(left, [], `left after kill: ${describeProcesses(left)}`);
      });

      it(
        'kill (what max run time calls) also ends a child that detached into a session of its own (setsid)',
        gap('detachedSessions'),
        async () => {
          const { ctx, sandbox, log } = await start([sh(detachedChild)]);
          await reaping(ctx, async () => {
            await log.waitFor(/^ready$/m);
            await waitForDetached(ctx);
            await sandbox.kill('test kill');
            const left = await processesOf(ctx);
            const result = await sandbox.wait();
            assert.equal(result.killed, true);
            await result.dispose();
            assert.deepEqual(left, [], `left after kill: ${describeProcesses(left)}`);
          });
        },
      );

      it('max run time (the max-run-time plugin) kills the whole tree, skips the rest, and fails the task', async () => {
        const { ctx, sandbox, log } = await start([sh(backgroundTree), sh('echo never')], {
          payload: { maxRunTime: 1 },
        });
        await log.waitFor(/^ready$/m);
        await waitForProcesses(ctx, backgroundTreeSize, 'the command and its children run');
        const plugin = await maxRunTimePlugin.create({ config: {}, log: silentLog(), worker: testWorker });
        const hooks = await plugin.forTask(pluginContext(ctx));
        assert.ok(hooks);
        assert.equal(typeof hooks.started, 'function');
        // The clock starts only now, with every child running: the kill cannot come before them.
        await hooks.started?.(sandbox, { signal: ctx.signal });
        const result = await sandbox.wait();
        const left = await processesOf(ctx);
        assert.equal(result.killed, true);
        assert.equal(result.success, false);
        await assert.rejects(
          async () => hooks.stopped?.(result, { signal: ctx.signal }),
          (error) => error instanceof TaskFailureError && /max run time/.test(error.message),
        );
        assert.match(log.text, /max run time exceeded/);
        assert.doesNotMatch(log.text, /never/);
        await hooks.dispose?.();
        await result.dispose();
        assert.deepEqual(left, [], `left after max run time: ${describeProcesses(left)}`);
      });

      it('children a command left in the background die when it ends, holding its output or not', async () => {
        // One keeps the output pipe open, one does not: neither may hold up the task or outlive it.
        const { ctx, result, log } = await run([
          sh('sleep 300 & echo held'),
          sh('nohup sleep 300 >/dev/null 2>&1 & (sleep 300 >/dev/null 2>&1 &); echo released'),
        ]);
        const left = await processesOf(ctx);
        assert.equal(result.success, true);
        assert.match(log, /^held$/m);
        assert.match(log, /^released$/m);
        await result.dispose();
        assert.deepEqual(left, [], `left after the task: ${describeProcesses(left)}`);
      });

      it(
        'a child that detached into a session of its own (setsid) dies when the task ends',
        gap('detachedSessions'),
        async () => {
          const { ctx, sandbox, log } = await start([
            withWaitfor(
              "setsid sh -c 'touch detached-up; exec sleep 300' </dev/null >/dev/null 2>&1 & " +
                'waitfor detached-up; echo detached child up',
            ),
          ]);
          await reaping(ctx, async () => {
            const result = await sandbox.wait();
            const left = await processesOf(ctx);
            assert.equal(result.success, true, log.text);
            assert.match(log.text, /^detached child up$/m);
            await result.dispose();
            assert.deepEqual(left, [], `left after the task: ${describeProcesses(left)}`);
          });
        },
      );
    });

    describe('abort', () => {
      for (const reason of [new WorkerShutdownError(), new TaskCanceledError()]) {
        it(`abort (${reason.name}) stops the whole tree at once, removes what it left, rejects wait with the signal's reason`, async () => {
          const { ctx, sandbox, log, controller } = await start([
            sh(`printf x > left-behind; ${backgroundTree}`),
            sh('echo never'),
          ]);
          await log.waitFor(/^ready$/m);
          await waitForProcesses(ctx, backgroundTreeSize, 'the command and its children run');
          controller.abort(reason);
          await assert.rejects(sandbox.wait(), (error) => error === reason);
          const left = await processesOf(ctx);
          assert.deepEqual(left, [], `left after the abort: ${describeProcesses(left)}`);
          assert.equal(existsSync(join(ctx.taskDir, 'left-behind')), false, 'what the task left is removed');
          assert.doesNotMatch(log.text, /never/);
        });
      }

      it('an abort right after start still rejects wait with the reason', async () => {
        const { sandbox, controller } = await start([sh('sleep 300')]);
        const reason = new WorkerShutdownError();
        controller.abort(reason);
        await assert.rejects(sandbox.wait(), (error) => error === reason);
      });

      it(
        'abort also ends a child that detached into a session of its own (setsid)',
        gap('detachedSessions'),
        async () => {
          const { ctx, sandbox, log, controller } = await start([sh(detachedChild)]);
          await reaping(ctx, async () => {
            await log.waitFor(/^ready$/m);
            await waitForDetached(ctx);
            const reason = new WorkerShutdownError();
            controller.abort(reason);
            await assert.rejects(sandbox.wait(), (error) => error === reason);
            const left = await processesOf(ctx);
            assert.deepEqual(left, [], `left after the abort: ${describeProcesses(left)}`);
          });
        },
      );

      it('dispose removes what the task left; with keepTaskDir neither dispose nor an abort does', async () => {
        for (const keepTaskDir of [false, true]) {
          const { ctx, result } = await run([sh('printf x > left-behind')], { keepTaskDir });
          assert.equal(existsSync(join(ctx.taskDir, 'left-behind')), true, 'the task ran in ctx.taskDir');
          await result.dispose();
          assert.equal(
            existsSync(join(ctx.taskDir, 'left-behind')),
            keepTaskDir,
            `keepTaskDir ${keepTaskDir}`,
          );
        }
        const { ctx, sandbox, log, controller } = await start(
          [sh('printf x > left-behind; echo ready; sleep 300')],
          {
            keepTaskDir: true,
          },
        );
        await log.waitFor(/^ready$/m);
        controller.abort(new TaskCanceledError());
        await assert.rejects(sandbox.wait(), TaskCanceledError);
        assert.equal(existsSync(join(ctx.taskDir, 'left-behind')), true, 'kept after an abort');
      });
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
              // Enough `..` to reach / from any task directory.
              'ln -s ../../../../../../../../../../../../../../../.. up-link',
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
        if (file.read) {
          // The optional positional read yields the same bytes, and 0 at the end.
          const buffer = Buffer.alloc(file.size + 1);
          assert.equal(await file.read(buffer, buffer.length, 0), file.size);
          assert.equal(buffer.subarray(0, file.size).toString(), text);
          assert.equal(await file.read(buffer, buffer.length, file.size), 0);
        }
        await file.close?.();
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

      it(
        'refuses paths outside the task directory, missing files and the wrong kinds of file',
        gap('hostTaskFiles'),
        async () => {
          assert.equal(await reasonOf(result.readFile('missing.txt')), 'file-missing-on-worker');
          assert.equal(await reasonOf(result.readFile('out/a.txt/x')), 'file-missing-on-worker');
          assert.equal(await reasonOf(result.readFile('out')), 'invalid-resource-on-worker');
          assert.equal(await reasonOf(result.readFile('fifo')), 'invalid-resource-on-worker');
          assert.equal(await reasonOf(result.readFile('/etc/passwd')), 'file-not-readable-on-worker');
          assert.equal(await reasonOf(result.readFile('../../etc/passwd')), 'file-not-readable-on-worker');
          // Symbolic links that leave the task directory.
          assert.equal(await reasonOf(result.readFile('out/passwd-link')), 'file-not-readable-on-worker');
          assert.equal(
            await reasonOf(result.readFile('root-link/etc/passwd')),
            'file-not-readable-on-worker',
          );
          assert.equal(await reasonOf(result.readFile('up-link/etc/passwd')), 'file-not-readable-on-worker');
        },
      );

      it('walks directories inside the task directory only', gap('hostTaskFiles'), async () => {
        const files = await result.walkDir('out');
        assert.ok(files.includes('a.txt') && files.includes('sub/b.txt'), String(files));
        assert.deepEqual(files, [...files].sort());
        assert.deepEqual(await result.walkDir('empty'), []);
        assert.deepEqual(await result.walkDir('out-link/sub'), ['b.txt']);
        assert.equal(await reasonOf(result.walkDir('nope')), 'file-missing-on-worker');
        assert.equal(await reasonOf(result.walkDir('out/a.txt')), 'invalid-resource-on-worker');
        assert.equal(await reasonOf(result.walkDir('root-link')), 'file-not-readable-on-worker');
        assert.equal(await reasonOf(result.walkDir('up-link')), 'file-not-readable-on-worker');
        assert.equal(await reasonOf(result.walkDir('..')), 'file-not-readable-on-worker');
      });
    });

    describe('interactive shell', () => {
      if (!hasShell) {
        it('an engine without shells refuses a task that asks for one as malformed-payload, before it runs', async () => {
          const { builder } = await prepareOnly();
          assert.notEqual(builder.canOpenShell, true, 'the engine declares no shell capability');
          const webhooks = await TestWebhookServer.start();
          try {
            const config = { interactive: { enabled: true } };
            const plugin = await interactivePlugin.create({
              config,
              log: silentLog(),
              worker: testWorker,
              webhooks,
            });
            const probe = probePlugin();
            const run = await runWithPlugins({
              plugins: [plugin, maxRunTimePlugin, probe.plugin],
              payload: {
                ...subject.payload([sh('printf ran > ran; echo the-command-ran')]),
                features: { interactive: true },
              },
              engine,
              config,
            });
            assert.equal(run.resolution.kind === 'exception' && run.resolution.reason, 'malformed-payload');
            assert.match(run.log, /interactive was requested, but this worker engine cannot open a shell/);
            assert.doesNotMatch(run.log, /Executing command|the-command-ran/);
            assert.equal(run.stages.includes('started'), false);
          } finally {
            await webhooks.close();
          }
        });
        return;
      }

      it('opens a shell beside the running task: its environment and directory, and kill ends what it started', async () => {
        const { ctx, builder, sandbox, log } = await start(
          [sh('printf task-file > mine; echo ready; exec sleep 300')],
          { env: [['WHO', 'shell-env']] },
        );
        assert.equal(builder.canOpenShell, true, 'the engine declares the shell capability');
        await log.waitFor(/^ready$/m);
        const task = await processesOf(ctx);
        assert.ok(task.length > 0, 'the task runs');
        const terminal = await openTerminal(sandbox);
        // Computed output, so the terminal's echo of what was typed does not match.
        terminal.type('echo "sum=$((6*7)) who=$WHO term=$TERM file=$(cat mine)"\n');
        await terminal.waitFor(/sum=42 who=shell-env term=xterm-256color file=task-file/);
        terminal.type('sleep 300 & echo "job=$((40+2))"\n');
        await terminal.waitFor(/job=42/);
        const during = await processesOf(ctx);
        assert.ok(during.length >= task.length + 2, `the shell and its job: ${describeProcesses(during)}`);
        if (terminal.shell.pid !== undefined) assert.ok(during.includes(terminal.shell.pid));
        await terminal.shell.kill();
        await terminal.waitForExit();
        const afterKill = await processesOf(ctx);
        assert.deepEqual(afterKill, task, `only the task is left: ${describeProcesses(afterKill)}`);

        await sandbox.kill('test done');
        const result = await sandbox.wait();
        assert.equal(result.killed, true);
        await assert.rejects(openTerminal(sandbox), 'no shell once the commands ended');
        await result.dispose();
        assert.deepEqual(await processesOf(ctx), []);
      });

      it('a shell left open dies with the result set’s dispose', async () => {
        const { ctx, sandbox, log } = await start([sh('echo ready; exec sleep 300')]);
        await log.waitFor(/^ready$/m);
        const terminal = await openTerminal(sandbox);
        terminal.type('sleep 300 & echo "job=$((40+2))"\n');
        await terminal.waitFor(/job=42/);
        await sandbox.kill('test done');
        const result = await sandbox.wait();
        await result.dispose();
        const left = await processesOf(ctx);
        assert.deepEqual(left, [], `left after dispose: ${describeProcesses(left)}`);
        await terminal.waitForExit();
      });

      it('a shell left open dies with an abort', async () => {
        const { ctx, sandbox, log, controller } = await start([sh('echo ready; exec sleep 300')]);
        await log.waitFor(/^ready$/m);
        const terminal = await openTerminal(sandbox);
        terminal.type('sleep 300 & echo "job=$((40+2))"\n');
        await terminal.waitFor(/job=42/);
        const reason = new TaskCanceledError();
        controller.abort(reason);
        await assert.rejects(sandbox.wait(), (error) => error === reason);
        const left = await processesOf(ctx);
        assert.deepEqual(left, [], `left after the abort: ${describeProcesses(left)}`);
        await terminal.waitForExit();
      });
    });

    describe('concurrent tasks', () => {
      /** Starts two tasks at once, `a` and `b` (each with WHO set to its name), running `script(name)`. */
      const startPair = (script: (name: string) => string): Promise<[Started, Started]> =>
        Promise.all([
          start([withWaitfor(script('a'))], { env: [['WHO', 'a']] }),
          start([withWaitfor(script('b'))], { env: [['WHO', 'b']] }),
        ]);

      it(
        'run side by side, each with its own task directory, environment and exit code',
        gap('hostTaskFiles'),
        async () => {
          const [a, b] = await startPair(
            (name) =>
              `printf ${name} > mine; echo "ready who=$WHO"; waitfor release; ` +
              `echo "mine=$(cat mine)"; exit ${name === 'a' ? 3 : 0}`,
          );
          await a.log.waitFor(/^ready who=a$/m);
          await b.log.waitFor(/^ready who=b$/m);
          // Both run at the same time, as processes of their own.
          const [pa, pb] = [await processesOf(a.ctx), await processesOf(b.ctx)];
          assert.ok(pa.length > 0 && pb.length > 0, 'both tasks run at once');
          await Promise.all([release(a.ctx, 'release'), release(b.ctx, 'release')]);
          const [ra, rb] = await Promise.all([a.sandbox.wait(), b.sandbox.wait()]);
          assert.equal(ra.success, false);
          assert.equal(ra.exitCode, 3);
          assert.equal(rb.success, true, b.log.text);
          assert.equal(rb.exitCode, 0);
          assert.match(a.log.text, /^mine=a$/m);
          assert.doesNotMatch(a.log.text, /who=b|mine=b/);
          assert.match(b.log.text, /^mine=b$/m);
          assert.doesNotMatch(b.log.text, /who=a|mine=a/);
          const text = async (result: ResultSet, path: string): Promise<string> => {
            const chunks: Buffer[] = [];
            for await (const chunk of (await result.readFile(path)).open()) chunks.push(chunk as Buffer);
            return Buffer.concat(chunks).toString();
          };
          assert.equal(await text(ra, 'mine'), 'a');
          assert.equal(await text(rb, 'mine'), 'b');
          // One task's result never hands out the other's files.
          await assert.rejects(
            ra.readFile(join(b.ctx.taskDir, 'mine')),
            (error) => error instanceof ArtifactSourceError && error.reason === 'file-not-readable-on-worker',
          );
          await Promise.all([ra.dispose(), rb.dispose()]);
        },
      );

      // What an engine declares about isolation is checked either way: an isolated engine refuses the probes,
      // one that declares isolated: false (its tasks share the worker's user) really lets them through.
      it(
        isolated
          ? "a task cannot read, list or write another running task's directory"
          : "tasks share one user, as declared: a task can read, list and write another's directory",
        async () => {
          const a = await start([withWaitfor('printf secret-of-a > secret; echo ready; waitfor release')]);
          await a.log.waitFor(/^ready$/m);
          // b probes while a runs, its file there.
          const b = await start(
            [
              sh(
                // The probes' error messages go nowhere: stderr may reach the log out of order with stdout
                // (a container's two streams are copied apart), which must not split the verdict lines.
                'if cat "$OTHER/secret" 2>/dev/null; then echo; echo read=allowed; else echo read=refused; fi; ' +
                  'if ls "$OTHER" >/dev/null 2>&1; then echo list=allowed; else echo list=refused; fi; ' +
                  'if (echo planted > "$OTHER/planted") 2>/dev/null; then echo write=allowed; else echo write=refused; fi',
              ),
            ],
            { env: [['OTHER', a.ctx.taskDir]] },
          );
          const rb = await b.sandbox.wait();
          await release(a.ctx, 'release');
          const ra = await a.sandbox.wait();
          assert.equal(ra.success, true, a.log.text);
          assert.equal(rb.success, true, b.log.text);
          const outcome = isolated ? 'refused' : 'allowed';
          assert.match(b.log.text, new RegExp(`^read=${outcome}$`, 'm'));
          assert.match(b.log.text, new RegExp(`^list=${outcome}$`, 'm'));
          assert.match(b.log.text, new RegExp(`^write=${outcome}$`, 'm'));
          if (isolated) {
            assert.doesNotMatch(b.log.text, /secret-of-a/);
            assert.equal(existsSync(join(a.ctx.taskDir, 'planted')), false);
          } else {
            assert.match(b.log.text, /secret-of-a/);
          }
          await Promise.all([ra.dispose(), rb.dispose()]);
        },
      );
    });

    /** Prepares a task without starting it (to read what the builder declares). */
    async function prepareOnly(): Promise<{ builder: SandboxBuilder }> {
      const taskId = newTaskId();
      const taskDir = join(workDir.path, taskId);
      await mkdir(taskDir);
      const payload = subject.payload([['true']]);
      const builder = await engine.prepare({
        taskId,
        runId: 0,
        task: makeTask(payload),
        payload,
        taskDir,
        keepTaskDir: false,
        log: new MemoryTaskLog(),
        workerLog: silentLog(),
        signal: new AbortController().signal,
      });
      return { builder };
    }
  });
}
