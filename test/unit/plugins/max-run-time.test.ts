import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createProcessEngine } from '../../../src/engines/process/process-engine.js';
import { artifactsPlugin } from '../../../src/plugins/artifacts/artifacts-plugin.js';
import { maxRunTimePlugin } from '../../../src/plugins/max-run-time/max-run-time-plugin.js';
import { FakeEngine } from '../../helpers/fake-engine.js';
import { runWithPlugins } from '../../helpers/plugin-harness.js';

describe('max-run-time plugin', () => {
  it('kills a task that runs too long: failed, and the log says so', async () => {
    const engine = new FakeEngine({ runsUntilKilled: true });
    const run = await runWithPlugins({ plugins: [maxRunTimePlugin], payload: { maxRunTime: 1 }, engine });
    assert.deepEqual(run.resolution, {
      kind: 'failed',
      reason: 'the task exceeded its max run time of 1 seconds',
    });
    assert.ok(engine.events.includes('kill:max run time of 1 seconds exceeded'), String(engine.events));
    assert.match(run.log, /^\[taskcluster:error\] Aborting task: max run time exceeded \(1 seconds\)$/m);
  });

  it('leaves a task alone that ends in time', async () => {
    const engine = new FakeEngine();
    const run = await runWithPlugins({ plugins: [maxRunTimePlugin], payload: { maxRunTime: 1 }, engine });
    assert.deepEqual(run.resolution, { kind: 'completed' });
    assert.ok(!engine.events.some((event) => event.startsWith('kill')));
  });

  it('refuses more than the worker allows, naming both numbers', async () => {
    const run = await runWithPlugins({
      plugins: [maxRunTimePlugin],
      payload: { maxRunTime: 601 },
      worker: { maxTaskRunTime: 600 },
    });
    assert.equal(run.resolution.kind === 'exception' && run.resolution.reason, 'malformed-payload');
    assert.match(
      run.log,
      /payload\.maxRunTime is 601 seconds, more than this worker's maximum of 600 seconds/,
    );
  });

  it('with the process engine: kills the tree, skips the rest, still uploads artifacts', async () => {
    const run = await runWithPlugins({
      plugins: [maxRunTimePlugin, artifactsPlugin],
      payload: {
        command: [
          ['sh', '-c', 'echo partial > out.txt; echo started; sleep 300'],
          ['echo', 'never'],
        ],
        maxRunTime: 1,
        artifacts: [{ type: 'file', path: 'out.txt', name: 'public/out.txt' }],
      },
      engine: createProcessEngine(),
    });
    assert.equal(run.resolution.kind, 'failed');
    assert.match(run.log, /max run time exceeded/);
    assert.doesNotMatch(run.log, /^never$/m);
    assert.equal(run.artifacts.text('public/out.txt'), 'partial\n');
  });
});
