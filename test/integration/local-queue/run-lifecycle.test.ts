// reclaimTask, the reports and their retry rules, cancelTask, rerunTask and scheduleTask.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { rejection, tc, type Json } from '../../helpers/local-queue-client.js';
import {
  createAndClaim,
  startQueueFixture,
  taskDefinition,
  uniqueTaskQueue,
  worker,
  type QueueFixture,
} from '../../helpers/local-queue-fixture.js';

describe('local queue: run lifecycle', () => {
  let f: QueueFixture;
  before(async () => {
    f = await startQueueFixture({ claimWorkPollSeconds: 1 });
  });
  after(() => f.close());

  test('reclaimTask extends the claim and issues new credentials', async () => {
    const { taskId, claim } = await createAndClaim(f.client, uniqueTaskQueue());
    await new Promise((resolve) => setTimeout(resolve, 5));
    const reclaim = await f.client.reclaimTask(taskId, 0);
    assert.deepEqual(Object.keys(reclaim), [
      'status',
      'runId',
      'workerGroup',
      'workerId',
      'takenUntil',
      'credentials',
    ]);
    assert.match(reclaim.takenUntil, /Z$/);
    assert.ok(Date.parse(reclaim.takenUntil) > Date.parse(claim.takenUntil));
    assert.equal(reclaim.status.runs[0].takenUntil, reclaim.takenUntil);
    assert.match(
      reclaim.credentials.clientId,
      new RegExp(`^task-client/${taskId}/0/on/test-wg/test-w1/until/`),
    );
    assert.equal(JSON.parse(reclaim.credentials.certificate).expiry, Date.parse(reclaim.takenUntil));
  });

  test('reportCompleted resolves the run; again is idempotent; other outcomes 409', async () => {
    const { taskId } = await createAndClaim(f.client, uniqueTaskQueue());
    const { status } = await f.client.reportCompleted(taskId, 0);
    assert.equal(status.state, 'completed');
    assert.deepEqual(Object.keys(status.runs[0]), [
      'runId',
      'state',
      'reasonCreated',
      'reasonResolved',
      'workerGroup',
      'workerId',
      'takenUntil',
      'scheduled',
      'started',
      'resolved',
    ]);
    assert.equal(status.runs[0].reasonResolved, 'completed');
    assert.deepEqual(await f.client.reportCompleted(taskId, 0), { status });

    const failed = await rejection(f.client.reportFailed(taskId, 0));
    assert.equal(failed.statusCode, 409);
    assert.equal(failed.code, 'RequestConflict');
    assert.match(failed.body.message, new RegExp(`^Run 0 of task \`${taskId}\` is not running or failed\\.`));
    const exception = await rejection(f.client.reportException(taskId, 0, { reason: 'malformed-payload' }));
    assert.equal(exception.statusCode, 409);
    assert.match(
      exception.body.message,
      new RegExp(`^Run 0 on task \`${taskId}\` is resolved or not running\\.`),
    );
    const reclaim = await rejection(f.client.reclaimTask(taskId, 0));
    assert.equal(reclaim.statusCode, 409);
    assert.match(
      reclaim.body.message,
      new RegExp(`^Run 0 on task \`${taskId}\` is resolved or not running\\.`),
    );
    assert.equal(reclaim.body.requestInfo.method, 'reclaimTask');
    assert.deepEqual(reclaim.body.requestInfo.params, { taskId, runId: '0' });
  });

  test('reportFailed resolves failed, idempotently', async () => {
    const { taskId } = await createAndClaim(f.client, uniqueTaskQueue());
    const { status } = await f.client.reportFailed(taskId, 0);
    assert.equal(status.state, 'failed');
    assert.equal(status.runs[0].reasonResolved, 'failed');
    assert.equal((await f.client.reportFailed(taskId, 0)).status.state, 'failed');
    assert.equal((await rejection(f.client.reportCompleted(taskId, 0))).statusCode, 409);
  });

  test('final exception reasons resolve the task', async () => {
    for (const reason of ['malformed-payload', 'resource-unavailable', 'internal-error']) {
      const { taskId } = await createAndClaim(f.client, uniqueTaskQueue());
      const { status } = await f.client.reportException(taskId, 0, { reason });
      assert.equal(status.state, 'exception');
      assert.equal(status.runs.length, 1);
      assert.equal(status.runs[0].reasonResolved, reason);
      assert.equal(status.retriesLeft, 5);
      assert.deepEqual((await f.client.reportException(taskId, 0, { reason })).status, status, 'idempotent');
    }
  });

  test('worker-shutdown and intermittent-task retry while retries are left', async () => {
    const queue = uniqueTaskQueue();
    const { taskId } = await createAndClaim(f.client, queue, { retries: 1 });
    const { status } = await f.client.reportException(taskId, 0, { reason: 'worker-shutdown' });
    assert.equal(status.state, 'pending');
    assert.equal(status.retriesLeft, 0);
    assert.deepEqual(
      status.runs.map((r: Json) => [r.state, r.reasonCreated, r.reasonResolved]),
      [
        ['exception', 'scheduled', 'worker-shutdown'],
        ['pending', 'retry', undefined],
      ],
    );
    // The same report again is still idempotent after the retry run was added.
    assert.deepEqual(
      (await f.client.reportException(taskId, 0, { reason: 'worker-shutdown' })).status,
      status,
    );

    const { tasks } = await f.client.claimWork(queue, { ...worker, tasks: 1 });
    assert.equal(tasks[0].runId, 1);
    const final = await f.client.reportException(taskId, 1, { reason: 'intermittent-task' });
    assert.equal(final.status.state, 'exception', 'no retries left');
    assert.equal(final.status.runs.length, 2);

    const other = await createAndClaim(f.client, queue);
    const retried = await f.client.reportException(other.taskId, 0, { reason: 'intermittent-task' });
    assert.equal(retried.status.runs[1].reasonCreated, 'task-retry');
    assert.equal(retried.status.retriesLeft, 4);
  });

  test('a bad exception reason is an InputError; unknown runs are 404', async () => {
    const { taskId } = await createAndClaim(f.client, uniqueTaskQueue());
    const bad = await rejection(f.client.reportException(taskId, 0, { reason: 'bored' }));
    assert.equal(bad.statusCode, 400);
    const noRun = await rejection(f.client.reportCompleted(taskId, 3));
    assert.equal(noRun.statusCode, 404);
    assert.match(noRun.body.message, new RegExp(`^Run 3 not found on task \`${taskId}\`\\.`));
    const noTask = await rejection(f.client.reclaimTask(tc.slugid(), 0));
    assert.equal(noTask.statusCode, 404);
  });

  test('cancelTask resolves exception/canceled; the next reclaim answers 409', async () => {
    const queue = uniqueTaskQueue();
    const { taskId } = await createAndClaim(f.client, queue);
    const { status } = await f.client.cancelTask(taskId);
    assert.equal(status.state, 'exception');
    assert.equal(status.runs[0].reasonResolved, 'canceled');
    assert.equal(status.runs[0].workerId, worker.workerId);
    assert.equal((await rejection(f.client.reclaimTask(taskId, 0))).statusCode, 409);
    assert.deepEqual((await f.client.cancelTask(taskId)).status, status, 'idempotent');

    const pendingId = tc.slugid();
    await f.client.createTask(pendingId, taskDefinition(queue));
    const canceled = await f.client.cancelTask(pendingId);
    assert.deepEqual(
      canceled.status.runs.map((r: Json) => [r.state, r.reasonResolved]),
      [['exception', 'canceled']],
    );
    assert.deepEqual((await f.client.claimWork(queue, { ...worker, tasks: 1 })).tasks, [], 'not handed out');
  });

  test('rerunTask adds a run to a resolved task and resets retries', async () => {
    const queue = uniqueTaskQueue();
    const { taskId } = await createAndClaim(f.client, queue, { retries: 2 });
    await f.client.reportException(taskId, 0, { reason: 'worker-shutdown' });
    await f.client.claimWork(queue, { ...worker, tasks: 1 });
    await f.client.reportCompleted(taskId, 1);
    const { status } = await f.client.rerunTask(taskId);
    assert.equal(status.state, 'pending');
    assert.equal(status.retriesLeft, 2);
    assert.equal(status.runs[2].reasonCreated, 'rerun');
    assert.deepEqual((await f.client.rerunTask(taskId)).status, status, 'pending: unchanged');
  });

  test('scheduleTask is idempotent for scheduled tasks', async () => {
    const taskId = tc.slugid();
    const { status } = await f.client.createTask(taskId, taskDefinition(uniqueTaskQueue()));
    assert.deepEqual((await f.client.scheduleTask(taskId)).status, status);
    assert.equal((await rejection(f.client.scheduleTask(tc.slugid()))).statusCode, 404);
  });

  test('emits domain events after each change', async () => {
    const seen: string[] = [];
    const names = [
      'task-defined',
      'task-pending',
      'task-running',
      'task-completed',
      'artifact-created',
    ] as const;
    const listeners = names.map((name) => {
      const listener = (event: { status: { taskId: string } }) => seen.push(`${name}:${event.status.taskId}`);
      f.queue.events.on(name, listener);
      return [name, listener] as const;
    });
    try {
      const { taskId, claim } = await createAndClaim(f.client, uniqueTaskQueue());
      await f.client.createArtifact(taskId, 0, 'public/ref', {
        storageType: 'reference',
        url: 'https://example.com/x',
        contentType: 'text/plain',
        expires: claim.task.expires,
      });
      await f.client.reportCompleted(taskId, 0);
      assert.deepEqual(
        seen.filter((entry) => entry.endsWith(taskId)),
        ['task-defined', 'task-pending', 'task-running', 'artifact-created', 'task-completed'].map(
          (n) => `${n}:${taskId}`,
        ),
      );
    } finally {
      for (const [name, listener] of listeners) f.queue.events.off(name, listener);
    }
  });
});
