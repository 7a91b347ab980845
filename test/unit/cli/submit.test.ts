import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exitCodes } from '../../../src/cli/exit-codes.js';
import { submitTask } from '../../../src/cli/submit-command.js';
import { withTaskDefaults } from '../../../src/cli/task-file.js';
import { QueueRequestError } from '../../../src/queue/types.js';
import { fakeIo } from './fake-io.js';

const now = new Date('2026-01-01T00:00:00.000Z');

describe('submit', () => {
  it('fills created, deadline, expires, metadata and the task queue', () => {
    const task = withTaskDefaults(
      { payload: { command: [['true']] } },
      { now, name: 'hello', taskQueueId: 'p/w' },
    );
    assert.deepEqual(task, {
      taskQueueId: 'p/w',
      payload: { command: [['true']] },
      created: '2026-01-01T00:00:00.000Z',
      deadline: '2026-01-01T01:00:00.000Z',
      expires: '2026-01-08T00:00:00.000Z',
      metadata: {
        name: 'hello',
        description: 'Submitted with tc-worker submit (hello)',
        owner: 'nobody@example.com',
        source: 'https://github.com/taskcluster/taskcluster',
      },
    });
  });

  it('keeps what the task file says', () => {
    const task = withTaskDefaults(
      {
        provisionerId: 'prov',
        workerType: 'wt',
        deadline: '2026-01-02T00:00:00.000Z',
        metadata: { name: 'mine', owner: 'me@example.com' },
        payload: {},
      },
      { now, name: 'file', taskQueueId: 'p/w' },
    );
    assert.equal(task.taskQueueId, undefined);
    assert.equal(task.deadline, '2026-01-02T00:00:00.000Z');
    assert.equal((task.metadata as { name: string }).name, 'mine');
    assert.equal((task.metadata as { owner: string }).owner, 'me@example.com');
  });

  const statusQueue = (states: string[], create: () => Promise<unknown> = () => Promise.resolve({})) => {
    const created: unknown[] = [];
    return {
      created,
      createTask: (taskId: string, task: unknown) => {
        created.push({ taskId, task });
        return create();
      },
      status: () => {
        const state = states.length > 1 ? states.shift()! : states[0]!;
        const runState = state === 'pending' ? 'pending' : state;
        return Promise.resolve({
          status: { state, runs: [{ runId: 0, state: runState, workerGroup: 'g', workerId: 'w' }] },
        });
      },
      listArtifacts: () => Promise.resolve({ artifacts: [{ name: 'public/logs/live_backing.log' }] }),
    };
  };

  it('prints the task id and where to see status, log and artifacts', async () => {
    const io = fakeIo();
    const queue = statusQueue(['pending']);
    const code = await submitTask({
      queue,
      rootUrl: 'http://q.example/',
      taskId: 'TASKID',
      task: { taskQueueId: 'p/w' },
      options: { wait: false, follow: false },
      io,
    });
    assert.equal(code, exitCodes.ok);
    assert.equal(queue.created.length, 1);
    assert.match(io.out, /taskId: TASKID/);
    assert.match(io.out, /http:\/\/q\.example\/api\/queue\/v1\/task\/TASKID\/status/);
    assert.match(io.out, /\/task\/TASKID\/runs\/0\/artifacts\/public\/logs\/live_backing\.log/);
  });

  it('--wait exits 0 completed, 1 failed, 2 exception', async () => {
    for (const [state, expected] of [
      ['completed', exitCodes.ok],
      ['failed', exitCodes.taskFailed],
      ['exception', exitCodes.taskException],
    ] as const) {
      const io = fakeIo();
      const code = await submitTask({
        queue: statusQueue(['pending', 'running', state]),
        rootUrl: 'http://q.example',
        taskId: 'TASKID',
        task: { taskQueueId: 'p/w' },
        options: { wait: true, follow: false, pollIntervalMs: 1 },
        io,
      });
      assert.equal(code, expected, state);
      assert.match(io.out, new RegExp(`resolved: ${state}`));
      assert.match(io.out, /state: {2}run 0 running on g\/w/);
      assert.match(
        io.out,
        /artifact: http:\/\/q\.example\/api\/queue\/v1\/task\/TASKID\/runs\/0\/artifacts\/public\/logs/,
      );
    }
  });

  it('a refused task exits 65, an unreachable queue 69', async () => {
    const refused = fakeIo();
    const refusedCode = await submitTask({
      queue: statusQueue(['pending'], () =>
        Promise.reject(new QueueRequestError(400, 'InputError', 'bad task')),
      ),
      rootUrl: 'http://q.example',
      taskId: 'T',
      task: {},
      options: { wait: true, follow: false },
      io: refused,
    });
    assert.equal(refusedCode, exitCodes.dataError);
    assert.match(refused.err, /createTask failed: 400 InputError bad task/);
    const down = await submitTask({
      queue: statusQueue(['pending'], () => Promise.reject(new Error('connect ECONNREFUSED'))),
      rootUrl: 'http://q.example',
      taskId: 'T',
      task: {},
      options: { wait: false, follow: false },
      io: fakeIo(),
    });
    assert.equal(down, exitCodes.unavailable);
  });
});
