// Task outcomes as data: each case is a payload and what the queue and the task log must show afterwards.
// One embedded queue and one worker (capacity 4) serve every case, as a user would run them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createTask,
  startQueue,
  startWorker,
  taskLog,
  uniqueTaskQueueId,
  waitForStatus,
  type CliProcess,
  type QueueHandle,
} from '../../helpers/cluster.js';

interface Case {
  name: string;
  payload: Record<string, unknown>;
  expect: { state: 'completed' | 'failed' | 'exception'; reason?: string; log?: RegExp[]; notLog?: RegExp[] };
}

const maxTaskRunTime = 600;

const cases: Case[] = [
  {
    name: 'two commands succeed in order',
    payload: {
      command: [
        ['sh', '-c', 'echo first-output'],
        ['sh', '-c', 'echo second-output >&2'],
      ],
      maxRunTime: 30,
    },
    expect: {
      state: 'completed',
      log: [
        /=== Task Starting ===/,
        /Executing command 0/,
        /first-output/,
        /Executing command 1/,
        /second-output/,
        /=== Task Finished ===/,
      ],
    },
  },
  {
    name: 'a non-zero exit fails the task and logs the exit code',
    payload: { command: [['sh', '-c', 'exit 3']], maxRunTime: 30 },
    expect: { state: 'failed', log: [/exit code:? 3/i] },
  },
  {
    name: 'commands stop at the first failure',
    payload: { command: [['false'], ['sh', '-c', 'echo should-never-run']], maxRunTime: 30 },
    expect: { state: 'failed', notLog: [/should-never-run/, /Executing command 1/] },
  },
  {
    name: 'a missing binary fails the task',
    payload: { command: [['/nonexistent/tc-worker-test-binary']], maxRunTime: 30 },
    expect: { state: 'failed', log: [/nonexistent\/tc-worker-test-binary/] },
  },
  {
    name: 'env is applied and the forced variables cannot be overridden',
    payload: {
      command: [['sh', '-c', 'echo "FOO=$FOO TASK_ID=$TASK_ID RUN_ID=$RUN_ID"; env']],
      env: { FOO: 'bar baz', TASK_ID: 'overridden', TASKCLUSTER_ACCESS_TOKEN: 'leak' },
      maxRunTime: 30,
    },
    expect: {
      state: 'completed',
      log: [/FOO=bar baz TASK_ID=[A-Za-z0-9_-]{22} RUN_ID=0/],
      notLog: [/TASK_ID=overridden/, /not-checked-yet/],
    },
  },
  {
    name: 'an empty payload is malformed and every missing field is listed',
    payload: {},
    expect: {
      state: 'exception',
      reason: 'malformed-payload',
      log: [/\[taskcluster:error\].*command/, /\[taskcluster:error\].*maxRunTime/],
    },
  },
  {
    name: 'an extra field is malformed',
    payload: { command: [['true']], maxRunTime: 30, bogusField: 1 },
    expect: { state: 'exception', reason: 'malformed-payload', log: [/\[taskcluster:error\].*bogusField/] },
  },
  {
    name: 'a non-string env value is malformed',
    payload: { command: [['true']], maxRunTime: 30, env: { NUMBER: 12 } },
    expect: { state: 'exception', reason: 'malformed-payload', log: [/\[taskcluster:error\].*env.*NUMBER/] },
  },
  {
    name: 'an empty command list is malformed',
    payload: { command: [], maxRunTime: 30 },
    expect: { state: 'exception', reason: 'malformed-payload', log: [/\[taskcluster:error\].*command/] },
  },
  {
    name: 'maxRunTime above the worker limit is malformed',
    payload: { command: [['true']], maxRunTime: maxTaskRunTime + 1 },
    expect: {
      state: 'exception',
      reason: 'malformed-payload',
      log: [new RegExp(`\\[taskcluster:error\\].*${maxTaskRunTime + 1}.*${maxTaskRunTime}`)],
    },
  },
  {
    name: 'several problems are all listed',
    payload: { command: [], maxRunTime: 0, env: { A: true } },
    expect: {
      state: 'exception',
      reason: 'malformed-payload',
      log: [
        /\[taskcluster:error\].*command/,
        /\[taskcluster:error\].*maxRunTime/,
        /\[taskcluster:error\].*env/,
      ],
    },
  },
];

describe('task outcomes through the embedded queue', { timeout: 120_000 }, () => {
  let queue: QueueHandle;
  let worker: CliProcess;
  const taskQueueId = uniqueTaskQueueId();

  before(async () => {
    queue = await startQueue();
    worker = startWorker({ rootUrl: queue.rootUrl, taskQueueId, capacity: 4, maxTaskRunTime });
  });
  after(async () => {
    await worker?.stop();
    await queue?.stop();
  });

  for (const testCase of cases) {
    it(testCase.name, async () => {
      const taskId = await createTask(queue.client, taskQueueId, testCase.payload);
      const status = await waitForStatus(queue.client, taskId);
      const run = status.runs[0]!;
      const log = await taskLog(queue.rootUrl, taskId, 0);
      const context = `worker output:\n${worker.output.slice(-3000)}\ntask log:\n${log}`;
      assert.equal(run.state, testCase.expect.state, context);
      if (testCase.expect.reason) assert.equal(run.reasonResolved, testCase.expect.reason, context);
      for (const pattern of testCase.expect.log ?? []) assert.match(log, pattern, context);
      for (const pattern of testCase.expect.notLog ?? []) assert.doesNotMatch(log, pattern, context);
      // Log lines written by the worker carry Taskcluster's prefixes.
      assert.match(log, /^\[taskcluster \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\] /m);
    });
  }

  it('publishes a file artifact with its content', async () => {
    const taskId = await createTask(queue.client, taskQueueId, {
      command: [['sh', '-c', 'mkdir -p public && echo hello artifact > public/hello.txt']],
      maxRunTime: 30,
      artifacts: [{ type: 'file', path: 'public/hello.txt', name: 'public/hello.txt' }],
    });
    const status = await waitForStatus(queue.client, taskId);
    assert.equal(status.state, 'completed', await taskLog(queue.rootUrl, taskId));
    const { artifacts } = (await queue.client.listArtifacts(taskId, 0)) as {
      artifacts: Array<{ name: string }>;
    };
    assert.ok(artifacts.some((a) => a.name === 'public/hello.txt'));
    const queueClient = queue.client;
    const response = await fetch(
      queueClient.externalBuildUrl(queueClient.getArtifact, taskId, 0, 'public/hello.txt'),
    );
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'hello artifact\n');
  });

  it('a missing required artifact fails the task with an error artifact', async () => {
    const taskId = await createTask(queue.client, taskQueueId, {
      command: [['true']],
      maxRunTime: 30,
      artifacts: [{ type: 'file', path: 'missing.txt', name: 'public/missing.txt' }],
    });
    const status = await waitForStatus(queue.client, taskId);
    assert.equal(status.state, 'failed', await taskLog(queue.rootUrl, taskId));
    const queueClient = queue.client;
    const response = await fetch(
      queueClient.externalBuildUrl(queueClient.getArtifact, taskId, 0, 'public/missing.txt'),
      {
        redirect: 'manual',
      },
    );
    assert.equal(response.status, 424);
  });
});
