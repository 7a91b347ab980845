import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maxRunTimePlugin } from '../../../src/plugins/max-run-time/max-run-time-plugin.js';
import { onExitStatusPlugin } from '../../../src/plugins/on-exit-status/on-exit-status-plugin.js';
import { runWithPlugins } from '../../helpers/plugin-harness.js';

describe('on-exit-status plugin', () => {
  const run = (exitCode: number, onExitStatus: unknown) =>
    runWithPlugins({ plugins: [onExitStatusPlugin], payload: { onExitStatus }, engine: { exitCode } });

  it('a listed exit code is exception/intermittent-task', async () => {
    const { resolution, log } = await run(5, { retry: [4, 5] });
    assert.deepEqual(resolution, {
      kind: 'exception',
      reason: 'intermittent-task',
      message: 'exit code 5 is listed in onExitStatus.retry',
    });
    assert.match(log, /Exit code 5 is listed in onExitStatus\.retry/);
  });

  it('another exit code fails, success stays success, purgeCaches is accepted', async () => {
    assert.equal((await run(3, { retry: [5] })).resolution.kind, 'failed');
    assert.equal((await run(0, { retry: [5], purgeCaches: [0, 5] })).resolution.kind, 'completed');
  });

  it('a kill is not the exit code the task chose', async () => {
    const { resolution } = await runWithPlugins({
      plugins: [onExitStatusPlugin, maxRunTimePlugin],
      payload: { onExitStatus: { retry: [1] }, maxRunTime: 1 },
      engine: { runsUntilKilled: true },
    });
    assert.equal(resolution.kind, 'failed');
  });

  it('refuses retry codes below 1', async () => {
    const { resolution, log } = await run(0, { retry: [0] });
    assert.equal(resolution.kind === 'exception' && resolution.reason, 'malformed-payload');
    assert.match(log, /payload\.onExitStatus\.retry\[0\] must be >= 1/);
  });
});
