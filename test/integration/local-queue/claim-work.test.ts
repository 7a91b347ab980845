// claimWork: ordering, the 32 cap, long-polling, wake-up, no double claims, credentials and worker records.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { rejection, tc, type Json } from '../../helpers/local-queue-client.js';
import {
  startQueueFixture,
  taskDefinition,
  uniqueTaskQueue,
  worker,
  type QueueFixture,
} from '../../helpers/local-queue-fixture.js';

describe('local queue: claimWork', () => {
  let f: QueueFixture;
  before(async () => {
    f = await startQueueFixture({ claimWorkPollSeconds: 1 });
  });
  after(() => f.close());

  test('hands out the highest priority first, then the oldest', async () => {
    const queue = uniqueTaskQueue();
    const created: Array<[string, string]> = [];
    for (const priority of ['low', 'highest', 'lowest', 'highest', 'medium']) {
      const taskId = tc.slugid();
      await f.client.createTask(taskId, taskDefinition(queue, { priority }));
      created.push([taskId, priority]);
    }
    const { tasks } = await f.client.claimWork(queue, { ...worker, tasks: 5 });
    const byId = new Map(created);
    assert.deepEqual(
      tasks.map((t: Json) => byId.get(t.status.taskId)),
      ['highest', 'highest', 'medium', 'low', 'lowest'],
    );
    // Same priority: creation order.
    assert.deepEqual(
      tasks.slice(0, 2).map((t: Json) => t.status.taskId),
      created.filter(([, p]) => p === 'highest').map(([id]) => id),
    );
  });

  test('a claim has the real shape and per-run temporary credentials', async () => {
    const queue = uniqueTaskQueue();
    const taskId = tc.slugid();
    await f.client.createTask(taskId, taskDefinition(queue, { scopes: ['secrets:get:x'] }));
    const before = Date.now();
    const { tasks } = await f.client.claimWork(queue, { ...worker, tasks: 4 });
    assert.equal(tasks.length, 1);
    const claim = tasks[0];
    assert.deepEqual(Object.keys(claim), [
      'status',
      'runId',
      'workerGroup',
      'workerId',
      'takenUntil',
      'task',
      'credentials',
    ]);
    assert.equal(claim.runId, 0);
    assert.equal(claim.workerGroup, worker.workerGroup);
    assert.equal(claim.status.state, 'running');
    assert.match(claim.takenUntil, /\+00:00$/, 'the real queue writes this one timestamp with an offset');
    const takenUntil = Date.parse(claim.takenUntil);
    assert.equal(new Date(takenUntil).toJSON(), claim.status.runs[0].takenUntil);
    assert.ok(takenUntil >= before + 1200 * 1000 - 5000, 'default claim timeout is 1200 s');
    assert.deepEqual(Object.keys(claim.status.runs[0]), [
      'runId',
      'state',
      'reasonCreated',
      'workerGroup',
      'workerId',
      'takenUntil',
      'scheduled',
      'started',
    ]);
    assert.equal(claim.task.taskQueueId, queue);

    const { clientId, accessToken, certificate } = claim.credentials;
    assert.equal(
      clientId,
      `task-client/${taskId}/0/on/${worker.workerGroup}/${worker.workerId}/until/${takenUntil / 1000}`,
    );
    assert.equal(typeof accessToken, 'string');
    const cert = JSON.parse(certificate);
    assert.deepEqual(Object.keys(cert), [
      'version',
      'scopes',
      'start',
      'expiry',
      'seed',
      'signature',
      'issuer',
    ]);
    assert.equal(cert.version, 1);
    assert.deepEqual(cert.scopes, [
      `queue:reclaim-task:${taskId}/0`,
      `queue:resolve-task:${taskId}/0`,
      `queue:create-artifact:${taskId}/0`,
      'secrets:get:x',
    ]);
    assert.equal(cert.expiry, takenUntil);
    assert.equal(cert.issuer, 'static/taskcluster/queue');
    assert.equal(cert.seed.length, 44);
    // The credentials are usable with taskcluster-client (the queue does not check them yet).
    const asTask = new tc.Queue({ rootUrl: f.queue.rootUrl, credentials: claim.credentials });
    const reclaim = await asTask.reclaimTask(taskId, 0);
    assert.equal(reclaim.runId, 0);
    assert.notEqual(reclaim.credentials.accessToken, accessToken);
  });

  test('asks for 1 to 32 tasks and never hands out more than asked', async () => {
    const queue = uniqueTaskQueue();
    for (let i = 0; i < 34; i++) await f.client.createTask(tc.slugid(), taskDefinition(queue));
    for (const tasks of [0, 33]) {
      const error = await rejection(f.client.claimWork(queue, { ...worker, tasks }));
      assert.equal(error.statusCode, 400);
      assert.equal(error.code, 'InputError');
    }
    const first = await f.client.claimWork(queue, { ...worker, tasks: 32 });
    assert.equal(first.tasks.length, 32);
    const second = await f.client.claimWork(queue, { ...worker, tasks: 32 });
    assert.equal(second.tasks.length, 2);
  });

  test('with nothing pending it long-polls, then answers []', async () => {
    const queue = uniqueTaskQueue();
    const start = Date.now();
    const result = await f.client.claimWork(queue, { ...worker, tasks: 1 });
    const waited = Date.now() - start;
    assert.deepEqual(result, { tasks: [] });
    assert.ok(waited >= 900, `waited ${waited} ms for a 1 s poll`);
  });

  test('a waiting claimWork gets a task created afterwards at once', async () => {
    const slow = await startQueueFixture({ claimWorkPollSeconds: 20 });
    try {
      const queue = uniqueTaskQueue();
      const claiming = slow.client.claimWork(queue, { ...worker, tasks: 1 });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const taskId = tc.slugid();
      const created = Date.now();
      await slow.client.createTask(taskId, taskDefinition(queue));
      const { tasks } = await claiming;
      const latency = Date.now() - created;
      assert.equal(tasks[0]?.status.taskId, taskId);
      // Far below the 20 s poll: a wake-up, not a poll. Loose because the machine is noisy.
      assert.ok(latency < 5000, `claimWork answered ${latency} ms after the task was created`);
    } finally {
      await slow.close();
    }
  });

  test('closing the queue ends a long-poll promptly', async () => {
    const slow = await startQueueFixture({ claimWorkPollSeconds: 20 });
    const claiming = slow.client.claimWork(uniqueTaskQueue(), { ...worker, tasks: 1 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const start = Date.now();
    await slow.close();
    const result = await claiming.catch((error: unknown) => error);
    assert.ok(Date.now() - start < 5000, 'close did not wait for the 20 s poll');
    assert.deepEqual(result, { tasks: [] });
  });

  test('concurrent claimWork calls never hand one run to two workers', async () => {
    const queue = uniqueTaskQueue();
    const count = 40;
    const claimers = Array.from({ length: 12 }, (_, i) =>
      f.client.claimWork(queue, { workerGroup: 'wg', workerId: `w${i}`, tasks: 4 }),
    );
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const taskId = tc.slugid();
      ids.push(taskId);
      await f.client.createTask(taskId, taskDefinition(queue));
    }
    const claimed: string[] = [];
    for (const result of await Promise.all(claimers)) {
      for (const t of result.tasks) claimed.push(`${t.status.taskId}/${t.runId}`);
    }
    // Whatever was left after the waiting calls answered.
    for (;;) {
      const { tasks } = await f.client.claimWork(queue, { ...worker, tasks: 32 });
      if (tasks.length === 0) break;
      for (const t of tasks) claimed.push(`${t.status.taskId}/${t.runId}`);
    }
    assert.equal(new Set(claimed).size, claimed.length, 'a run was claimed twice');
    assert.deepEqual([...claimed].sort(), ids.map((id) => `${id}/0`).sort());
  });

  test('records the worker for getWorker and listWorkers', async () => {
    const queue = uniqueTaskQueue();
    const [provisionerId, workerType] = queue.split('/') as [string, string];
    const taskId = tc.slugid();
    await f.client.createTask(taskId, taskDefinition(queue));
    await f.client.claimWork(queue, { ...worker, tasks: 1 });
    const info = await f.client.getWorker(provisionerId, workerType, worker.workerGroup, worker.workerId);
    assert.deepEqual(Object.keys(info), [
      'taskQueueId',
      'workerGroup',
      'workerId',
      'quarantineUntil',
      'expires',
      'firstClaim',
      'recentTasks',
      'lastDateActive',
      'provisionerId',
      'workerType',
    ]);
    assert.deepEqual(info.recentTasks, [{ taskId, runId: 0 }]);
    assert.equal(info.taskQueueId, queue);
    assert.ok(Date.parse(info.quarantineUntil) < Date.now(), 'not quarantined');
    assert.ok(Date.parse(info.expires) > Date.now());

    const { workers } = await f.client.listWorkers(provisionerId, workerType);
    assert.equal(workers.length, 1);
    assert.equal(workers[0].workerId, worker.workerId);
    assert.deepEqual(workers[0].latestTask, { taskId, runId: 0 });
    assert.equal(workers[0].quarantineUntil, undefined);

    const missing = await rejection(f.client.getWorker(provisionerId, workerType, 'wg', 'nobody'));
    assert.equal(missing.statusCode, 404);
  });

  test('a quarantined worker gets no work', async () => {
    const queue = uniqueTaskQueue();
    const [provisionerId, workerType] = queue.split('/') as [string, string];
    await f.client.claimWork(queue, { ...worker, tasks: 1 });
    const until = tc.fromNow('1 hour').toJSON();
    const updated = await f.client.quarantineWorker(
      provisionerId,
      workerType,
      worker.workerGroup,
      worker.workerId,
      {
        quarantineUntil: until,
      },
    );
    assert.equal(updated.quarantineUntil, until);
    await f.client.createTask(tc.slugid(), taskDefinition(queue));
    const { tasks } = await f.client.claimWork(queue, { ...worker, tasks: 1 });
    assert.deepEqual(tasks, []);
    const { workers } = await f.client.listWorkers(provisionerId, workerType, { quarantined: 'true' });
    assert.equal(workers[0]?.quarantineUntil, until);
  });

  test('taskQueueCounts, listPendingTasks and listClaimedTasks', async () => {
    const queue = uniqueTaskQueue();
    const ids = [tc.slugid(), tc.slugid(), tc.slugid()];
    for (const id of ids) await f.client.createTask(id, taskDefinition(queue));
    await f.client.claimWork(queue, { ...worker, tasks: 1 });
    const counts = await f.client.taskQueueCounts(queue);
    const [provisionerId, workerType] = queue.split('/');
    assert.deepEqual(counts, {
      provisionerId,
      workerType,
      taskQueueId: queue,
      pendingTasks: 2,
      claimedTasks: 1,
    });

    const pending = await f.client.listPendingTasks(queue, { limit: 1 });
    assert.equal(pending.tasks.length, 1);
    assert.deepEqual(Object.keys(pending.tasks[0]), ['taskId', 'runId', 'task', 'inserted']);
    assert.equal(pending.tasks[0].taskId, ids[1]);
    const more = await f.client.listPendingTasks(queue, { continuationToken: pending.continuationToken });
    assert.deepEqual(
      more.tasks.map((t: Json) => t.taskId),
      [ids[2]],
    );

    const claimed = await f.client.listClaimedTasks(queue);
    assert.deepEqual(
      claimed.tasks.map((t: Json) => [t.taskId, t.runId, t.workerGroup, t.workerId]),
      [[ids[0], 0, worker.workerGroup, worker.workerId]],
    );
    assert.equal(claimed.tasks[0].task.taskQueueId, queue);

    // A raw slash in the taskQueueId works too.
    const raw = await fetch(`${f.queue.rootUrl}/api/queue/v1/task-queues/${queue}/counts`);
    assert.equal(((await raw.json()) as Json).pendingTasks, 2);
    const deprecated = await f.client.pendingTasks(queue);
    assert.equal(deprecated.pendingTasks, 2);
  });

  test('task queues, provisioners and worker types are listed once used', async () => {
    const queue = uniqueTaskQueue();
    const [provisionerId, workerType] = queue.split('/') as [string, string];
    await f.client.createTask(tc.slugid(), taskDefinition(queue));
    const taskQueue = await f.client.getTaskQueue(queue);
    assert.deepEqual(Object.keys(taskQueue), [
      'taskQueueId',
      'stability',
      'description',
      'expires',
      'lastDateActive',
    ]);
    const all: string[] = [];
    let continuationToken: string | undefined;
    do {
      const page = await f.client.listTaskQueues({
        limit: 1,
        ...(continuationToken ? { continuationToken } : {}),
      });
      all.push(...page.taskQueues.map((q: Json) => q.taskQueueId));
      continuationToken = page.continuationToken;
    } while (continuationToken);
    assert.ok(all.includes(queue));
    const { provisioners } = await f.client.listProvisioners();
    assert.ok(provisioners.some((p: Json) => p.provisionerId === provisionerId));
    const { workerTypes } = await f.client.listWorkerTypes(provisionerId);
    assert.ok(workerTypes.some((w: Json) => w.workerType === workerType));
    assert.equal((await f.client.getWorkerType(provisionerId, workerType)).workerType, workerType);
    assert.equal((await f.client.getProvisioner(provisionerId)).provisionerId, provisionerId);
    assert.equal((await rejection(f.client.getTaskQueue('no/such'))).statusCode, 404);
  });
});
