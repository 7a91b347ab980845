// runStage: every hook of a stage at once, each bounded by the timeout and the run's signal, which reach the
// hook through its own signal, made when the hook first reads it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HookTimeoutError } from '../../../src/errors.js';
import { silentLog } from '../../../src/log/worker-log.js';
import type { HookOptions, TaskPlugin } from '../../../src/plugins/types.js';
import { runStage, type ActivePlugin } from '../../../src/task-run/stages.js';

const plugin = (name: string, started: NonNullable<TaskPlugin['started']>): ActivePlugin => ({
  name,
  hooks: { started },
});
const invoke = (hooks: TaskPlugin, options: HookOptions) => hooks.started?.({} as never, options);

describe('plugin stages', () => {
  it('aborts the signal of a hook that overruns, read before or after the timeout', async () => {
    let readEarly: AbortSignal | undefined;
    let readLate: AbortSignal | undefined;
    const failures = await runStage(
      [
        plugin('early', async (_sandbox, { signal }) => {
          readEarly = signal;
          await new Promise((resolve) => signal.addEventListener('abort', resolve));
        }),
        plugin('late', async (_sandbox, options) => {
          await new Promise((resolve) => setTimeout(resolve, 80));
          readLate = options.signal;
        }),
        plugin('quick', () => undefined),
      ],
      'started',
      invoke,
      { timeoutMs: 30, workerLog: silentLog() },
    );
    assert.deepEqual(
      failures.map((failure) => failure.plugin),
      ['early', 'late'],
    );
    assert.ok(failures.every((failure) => failure.error instanceof HookTimeoutError));
    assert.ok(readEarly?.aborted);
    assert.ok(readEarly.reason instanceof HookTimeoutError);
    await new Promise((resolve) => setTimeout(resolve, 80));
    assert.ok(readLate?.aborted, 'made after the timeout: aborted at once');
  });

  it('passes the run’s abort to the hooks and never aborts the signal of a hook that finished', async () => {
    const run = new AbortController();
    let finished: AbortSignal | undefined;
    let waiting: AbortSignal | undefined;
    const stage = runStage(
      [
        plugin('done', (_sandbox, { signal }) => void (finished = signal)),
        plugin('waits', async (_sandbox, { signal }) => {
          waiting = signal;
          await new Promise((resolve) => signal.addEventListener('abort', resolve));
        }),
      ],
      'started',
      invoke,
      { timeoutMs: 60_000, workerLog: silentLog(), signal: run.signal },
    );
    await new Promise((resolve) => setTimeout(resolve, 10));
    run.abort('shutdown');
    const failures = await stage;
    assert.deepEqual(failures, [{ plugin: 'waits', error: 'shutdown' }]);
    assert.equal(waiting?.reason, 'shutdown');
    assert.equal(finished?.aborted, false);
  });
});
