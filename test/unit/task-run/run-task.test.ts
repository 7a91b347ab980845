// runTask: the stages in order, the resolution rules, malformed payloads, aborts, and errors that must never
// escape. Plugins are the real ones or small inline ones; the engine is the fake one unless said otherwise.
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { createProcessEngine } from '../../../src/engines/process/process-engine.js';
import {
  MalformedPayloadError,
  ResourceUnavailableError,
  TaskCanceledError,
  TaskFailureError,
  WorkerShutdownError,
} from '../../../src/errors.js';
import { silentLog } from '../../../src/log/worker-log.js';
import { envPlugin } from '../../../src/plugins/env/env-plugin.js';
import { maxRunTimePlugin } from '../../../src/plugins/max-run-time/max-run-time-plugin.js';
import { onExitStatusPlugin } from '../../../src/plugins/on-exit-status/on-exit-status-plugin.js';
import { taskLogPlugin } from '../../../src/plugins/task-log/task-log-plugin.js';
import type { Plugin, TaskPlugin } from '../../../src/plugins/types.js';
import { composePayloadSchema, createPayloadValidator } from '../../../src/task-run/payload-schema.js';
import { runTask } from '../../../src/task-run/run-task.js';
import { FakeEngine } from '../../helpers/fake-engine.js';
import { FakeRunArtifacts } from '../../helpers/fake-run-artifacts.js';
import { runWithPlugins } from '../../helpers/plugin-harness.js';
import { makeTask, newTaskId, tempDir, testWorker } from '../../helpers/task-fixtures.js';

const genericPlugins = [envPlugin, maxRunTimePlugin, onExitStatusPlugin, taskLogPlugin];
const inline = (name: string, hooks: TaskPlugin | (() => never), extra: Partial<Plugin> = {}): Plugin => ({
  name,
  forTask: typeof hooks === 'function' ? hooks : () => hooks,
  ...extra,
});

describe('runTask', () => {
  it('runs the stages in order and completes', async () => {
    const run = await runWithPlugins({ plugins: [], payload: {}, engine: { output: 'task output\n' } });
    assert.deepEqual(run.resolution, { kind: 'completed' });
    assert.deepEqual(run.stages, ['buildSandbox', 'started', 'stopped', 'finished:completed', 'dispose']);
    assert.deepEqual((run.engine as FakeEngine).events, ['prepare', 'start', 'wait', 'dispose']);
    const lines = run.log.split('\n');
    const index = (pattern: RegExp): number => lines.findIndex((line) => pattern.test(line));
    assert.ok(index(/^\[taskcluster \S+Z\] Worker type: test-prov\/test-wt$/) === 0, run.log);
    assert.ok(index(/Worker: test-group\/test-worker/) > 0);
    assert.ok(index(/Task: \S+ run 0/) > 0);
    assert.ok(index(/=== Task Starting ===/) < index(/^task output$/));
    assert.ok(index(/^task output$/) < index(/=== Task Finished ===/));
    assert.ok(index(/=== Task Finished ===/) < index(/Task Duration: \d+\.\d{3}s/));
    assert.doesNotMatch(run.log, /taskcluster:error/);
  });

  it('fails when the task fails, with the first error last in the log', async () => {
    const run = await runWithPlugins({ plugins: [], payload: {}, engine: { exitCode: 2 } });
    assert.deepEqual(run.resolution, { kind: 'failed', reason: 'exit code 2' });
    assert.match(
      run.log,
      /=== Task Finished ===\n.*Task Duration.*\n\[taskcluster:error\] Task failed: exit code 2\n$/,
    );
    assert.ok(!run.stages.some((stage) => stage.startsWith('exception')));
  });

  it('fails with the reason a stopped hook gives (TaskFailureError)', async () => {
    const failing = inline('failing', {
      stopped: () => {
        throw new TaskFailureError('required artifact missing');
      },
    });
    const run = await runWithPlugins({ plugins: [failing], payload: {} });
    assert.deepEqual(run.resolution, { kind: 'failed', reason: 'required artifact missing' });
  });

  describe('malformed payloads', () => {
    const cases: Array<{ name: string; payload: unknown; problems: RegExp[] }> = [
      {
        name: 'empty payload',
        payload: {},
        problems: [/payload is missing the required property "command"/, /"maxRunTime"/],
      },
      {
        name: 'extra field',
        payload: { command: [['true']], maxRunTime: 10, image: 'ubuntu' },
        problems: [/payload has a property that is not allowed: "image"/],
      },
      {
        name: 'non-string env value',
        payload: { command: [['true']], maxRunTime: 10, env: { A: 'ok', B: 1 } },
        problems: [/payload\.env\.B must be string/],
      },
      {
        name: 'empty command',
        payload: { command: [], maxRunTime: 10 },
        problems: [/payload\.command must NOT have fewer than 1 items/],
      },
      {
        name: 'empty argv',
        payload: { command: [[]], maxRunTime: 10 },
        problems: [/payload\.command\[0\] must NOT have fewer than 1 items/],
      },
      {
        name: 'maxRunTime above the limit',
        payload: { command: [['true']], maxRunTime: 7200 },
        problems: [/payload\.maxRunTime is 7200 seconds, more than this worker's maximum of 3600 seconds/],
      },
      {
        name: 'several problems at once',
        payload: { command: 'true', maxRunTime: 0, features: { backingLog: 'yes' } },
        problems: [
          /payload\.command must be array/,
          /payload\.maxRunTime must be >= 1/,
          /backingLog must be boolean/,
        ],
      },
    ];
    for (const { name, payload, problems } of cases) {
      it(`${name}: exception/malformed-payload, every problem listed, log still uploaded`, async () => {
        const run = await runWithPlugins({ plugins: genericPlugins, payload, engine: createProcessEngine() });
        assert.equal(run.resolution.kind, 'exception');
        assert.equal(run.resolution.kind === 'exception' && run.resolution.reason, 'malformed-payload');
        for (const problem of problems) {
          const line = run.log.split('\n').find((l) => problem.test(l));
          assert.ok(line?.startsWith('[taskcluster:error] '), `${String(problem)} in\n${run.log}`);
        }
        assert.doesNotMatch(run.log, /Executing command/, 'nothing runs');
        assert.deepEqual(run.stages, ['finished:exception', 'exception:exception', 'dispose']);
        const backing = run.artifacts.text('public/logs/live_backing.log');
        assert.equal(backing, run.log);
      });
    }

    it("merges the problems of several plugins' forTask", async () => {
      const refuse = (problem: string): Plugin =>
        inline(problem, () => {
          throw new MalformedPayloadError(problem);
        });
      const run = await runWithPlugins({
        plugins: [refuse('scope a missing'), refuse('feature b disabled')],
        payload: {},
      });
      assert.equal(run.resolution.kind === 'exception' && run.resolution.reason, 'malformed-payload');
      assert.match(run.log, /^\[taskcluster:error\] scope a missing$/m);
      assert.match(run.log, /^\[taskcluster:error\] feature b disabled$/m);
    });

    it('validates a copy: the task definition is not changed', async () => {
      const payload = { command: [['true']], maxRunTime: 10 };
      const run = await runWithPlugins({ plugins: genericPlugins, payload, engine: createProcessEngine() });
      assert.deepEqual(run.resolution, { kind: 'completed' });
      assert.deepEqual(payload, { command: [['true']], maxRunTime: 10 });
    });
  });

  describe('errors never escape', () => {
    it('a throwing hook is exception/internal-error, explained in the log, and the rest still runs', async () => {
      const broken = inline('broken', {
        stopped: () => {
          throw new Error('boom');
        },
      });
      const run = await runWithPlugins({ plugins: [broken], payload: {} });
      assert.equal(run.resolution.kind === 'exception' && run.resolution.reason, 'internal-error');
      assert.match(run.log, /\[taskcluster:error\] Internal worker error in plugin broken \(stopped\): boom/);
      assert.deepEqual(run.stages, [
        'buildSandbox',
        'started',
        'stopped',
        'finished:exception',
        'exception:exception',
        'dispose',
      ]);
    });

    it('a throwing forTask is an internal error too', async () => {
      const broken = inline('broken', () => {
        throw new TypeError('bad plugin');
      });
      const run = await runWithPlugins({ plugins: [broken], payload: {} });
      assert.equal(run.resolution.kind === 'exception' && run.resolution.reason, 'internal-error');
      assert.match(run.log, /Internal worker error in plugin broken \(forTask\): bad plugin/);
    });

    it('an engine that fails to prepare is an internal error', async () => {
      const run = await runWithPlugins({
        plugins: [],
        payload: {},
        engine: { prepareError: new Error('no disk') },
      });
      assert.equal(run.resolution.kind === 'exception' && run.resolution.reason, 'internal-error');
      assert.match(run.log, /Internal worker error in engine fake: no disk/);
    });

    it('a hook that hangs times out; a hung started hook kills the task', async () => {
      const hung = inline('hung', { started: () => new Promise<void>(() => undefined) });
      const engine = new FakeEngine({ runsUntilKilled: true });
      const run = await runWithPlugins({ plugins: [hung], payload: {}, engine, hookTimeoutMs: 200 });
      assert.equal(run.resolution.kind === 'exception' && run.resolution.reason, 'internal-error');
      assert.match(run.log, /plugin hung did not finish its started hook within 0\.2 seconds/);
      assert.ok(
        engine.events.some((event) => event.startsWith('kill:')),
        String(engine.events),
      );
    });

    it('a finished hook that fails turns a completed run into its exception', async () => {
      const upload = inline('upload', {
        finished: () => {
          throw new ResourceUnavailableError('storage answered 503');
        },
      });
      const run = await runWithPlugins({ plugins: [upload], payload: {} });
      assert.deepEqual(run.resolution, {
        kind: 'exception',
        reason: 'resource-unavailable',
        message: 'storage answered 503',
      });
      assert.ok(run.stages.includes('exception:exception'));
    });
  });

  describe('aborts', () => {
    for (const reason of [new WorkerShutdownError(), new TaskCanceledError()]) {
      it(`${reason.name} stops the engine at once and decides the resolution`, async () => {
        const controller = new AbortController();
        const engine = new FakeEngine({ runsUntilKilled: true });
        const starter = inline('starter', {
          started: () => void setImmediate(() => controller.abort(reason)),
        });
        const run = await runWithPlugins({
          plugins: [starter],
          payload: {},
          engine,
          signal: controller.signal,
        });
        const expected = reason instanceof TaskCanceledError ? 'canceled' : 'exception';
        assert.equal(run.resolution.kind, expected);
        if (run.resolution.kind === 'exception') assert.equal(run.resolution.reason, 'worker-shutdown');
        assert.ok(engine.events.includes('abort'));
        assert.ok(!run.stages.includes('stopped'), 'no stopped stage after an abort');
        assert.deepEqual(run.stages.slice(-3), [`finished:${expected}`, `exception:${expected}`, 'dispose']);
      });
    }

    it('an abort after the commands ended (during stopped) still disposes the result', async () => {
      const controller = new AbortController();
      const engine = new FakeEngine();
      const stopper = inline('stopper', {
        stopped: () => void controller.abort(new TaskCanceledError()),
      });
      const run = await runWithPlugins({
        plugins: [stopper],
        payload: {},
        engine,
        signal: controller.signal,
      });
      assert.equal(run.resolution.kind, 'canceled');
      assert.deepEqual(engine.events.slice(-2), ['wait', 'dispose'], 'the result set is disposed');
    });

    it('an already aborted signal never starts the engine', async () => {
      const controller = new AbortController();
      controller.abort(new WorkerShutdownError());
      const engine = new FakeEngine();
      const run = await runWithPlugins({ plugins: [], payload: {}, engine, signal: controller.signal });
      assert.equal(run.resolution.kind === 'exception' && run.resolution.reason, 'worker-shutdown');
      assert.ok(!engine.events.includes('start'));
    });
  });

  describe('the run directory', () => {
    const runOnce = async (keepTaskDir: boolean): Promise<string[]> => {
      const workDir = await tempDir();
      const artifacts = await FakeRunArtifacts.start();
      try {
        const engine = createProcessEngine();
        const plugins = [await maxRunTimePlugin.create({ config: {}, log: silentLog(), worker: testWorker })];
        const resolution = await runTask({
          taskId: newTaskId(),
          runId: 0,
          task: makeTask({ command: [['sh', '-c', 'echo kept > file.txt']], maxRunTime: 10 }),
          engine,
          plugins,
          validatePayload: createPayloadValidator(composePayloadSchema(engine, plugins)),
          workDir: workDir.path,
          keepTaskDir,
          artifacts,
          worker: testWorker,
          workerLog: silentLog(),
          signal: new AbortController().signal,
        });
        assert.deepEqual(resolution, { kind: 'completed' });
        const runs = await readdir(workDir.path);
        return runs.length === 0
          ? []
          : (await readdir(`${workDir.path}/${runs[0]}`, { recursive: true })).sort();
      } finally {
        await artifacts.close();
        await workDir.remove();
      }
    };

    it('is removed at the end', async () => {
      assert.deepEqual(await runOnce(false), []);
    });

    it('is kept with keepTaskDir, the log beside the task directory', async () => {
      const kept = await runOnce(true);
      assert.ok(kept.includes('task/file.txt') && kept.includes('task.log'), String(kept));
    });
  });
});
