// createTask defaults, validation and idempotency, and the read calls, through taskcluster-client.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { rejection, tc, type Json } from '../../helpers/local-queue-client.js';
import {
  startQueueFixture,
  taskDefinition,
  uniqueTaskQueue,
  type QueueFixture,
} from '../../helpers/local-queue-fixture.js';

describe('local queue: createTask', () => {
  let f: QueueFixture;
  before(async () => {
    f = await startQueueFixture({ claimWorkPollSeconds: 1 });
  });
  after(() => f.close());

  test('fills the defaults like the real queue, in its field order', async () => {
    const taskId = tc.slugid();
    const queue = uniqueTaskQueue();
    const definition = taskDefinition(queue);
    const { status } = await f.client.createTask(taskId, definition);
    const [provisionerId, workerType] = queue.split('/');
    assert.deepEqual(Object.keys(status), [
      'taskId',
      'provisionerId',
      'workerType',
      'taskQueueId',
      'schedulerId',
      'projectId',
      'taskGroupId',
      'priority',
      'deadline',
      'expires',
      'retriesLeft',
      'state',
      'runs',
    ]);
    assert.equal(status.provisionerId, provisionerId);
    assert.equal(status.workerType, workerType);
    assert.equal(status.schedulerId, '-');
    assert.equal(status.projectId, 'none');
    assert.equal(status.taskGroupId, taskId);
    assert.equal(status.priority, 'lowest');
    assert.equal(status.retriesLeft, 5);
    assert.equal(status.state, 'pending');
    assert.deepEqual(Object.keys(status.runs[0]), ['runId', 'state', 'reasonCreated', 'scheduled']);
    assert.equal(status.runs[0].reasonCreated, 'scheduled');

    const task = await f.client.task(taskId);
    assert.deepEqual(Object.keys(task), [
      'provisionerId',
      'workerType',
      'taskQueueId',
      'schedulerId',
      'projectId',
      'taskGroupId',
      'dependencies',
      'requires',
      'routes',
      'priority',
      'retries',
      'created',
      'deadline',
      'expires',
      'scopes',
      'payload',
      'metadata',
      'tags',
      'extra',
    ]);
    assert.deepEqual(Object.keys(task.metadata), ['name', 'owner', 'source', 'description']);
    assert.deepEqual(
      {
        dependencies: task.dependencies,
        requires: task.requires,
        routes: task.routes,
        retries: task.retries,
        scopes: task.scopes,
        tags: task.tags,
        extra: task.extra,
      },
      {
        dependencies: [],
        requires: 'all-completed',
        routes: [],
        retries: 5,
        scopes: [],
        tags: {},
        extra: {},
      },
    );
    // expires defaults to deadline + 1 year
    const expires = new Date(task.deadline);
    expires.setUTCFullYear(expires.getUTCFullYear() + 1);
    assert.equal(task.expires, expires.toJSON());
  });

  test('accepts provisionerId/workerType instead of taskQueueId and fills it in', async () => {
    const taskId = tc.slugid();
    const [provisionerId, workerType] = uniqueTaskQueue().split('/');
    const definition = taskDefinition('unused', { provisionerId, workerType, priority: 'normal' });
    delete definition.taskQueueId;
    const { status } = await f.client.createTask(taskId, definition);
    assert.equal(status.taskQueueId, `${provisionerId}/${workerType}`);
    assert.equal(status.priority, 'lowest', 'normal is stored as lowest');
    const task = await f.client.task(taskId);
    assert.equal(task.taskQueueId, `${provisionerId}/${workerType}`);
  });

  test('rejects a taskQueueId that disagrees with provisionerId/workerType', async () => {
    const error = await rejection(
      f.client.createTask(tc.slugid(), taskDefinition('a/b', { provisionerId: 'a', workerType: 'c' })),
    );
    assert.equal(error.statusCode, 400);
    assert.equal(error.code, 'InputError');
    assert.match(error.body.message, /taskQueueId must match "provisionerId\/workerType"/);
  });

  test('rejects a definition without any queue', async () => {
    const definition = taskDefinition('x/y');
    delete definition.taskQueueId;
    const error = await rejection(f.client.createTask(tc.slugid(), definition));
    assert.equal(error.statusCode, 400);
    assert.match(error.body.message, /at least a provisionerId and a workerType or a taskQueueId/);
  });

  test('schema errors answer InputError in the Taskcluster error shape', async () => {
    const taskId = tc.slugid();
    const error = await rejection(
      f.client.createTask(taskId, taskDefinition(uniqueTaskQueue(), { retries: 100, bogus: true })),
    );
    assert.equal(error.statusCode, 400);
    assert.equal(error.code, 'InputError');
    assert.deepEqual(Object.keys(error.body), ['code', 'message', 'requestInfo']);
    assert.deepEqual(Object.keys(error.body.requestInfo), ['method', 'params', 'payload', 'time']);
    assert.equal(error.body.requestInfo.method, 'createTask');
    assert.deepEqual(error.body.requestInfo.params, { taskId });
    assert.equal(error.body.requestInfo.payload.retries, 100);
    assert.match(error.body.message, /Schema Validation Failed/);
    assert.match(error.body.message, /retries/);
    assert.match(error.body.message, /bogus/);
    assert.match(error.body.message, /\n---\n\n\* method: {5}createTask\n\* errorCode: {2}InputError\n/);
  });

  test('checks created, deadline and expires like the real queue', async () => {
    const queue = uniqueTaskQueue();
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [
        { deadline: tc.fromNow('-1 minute').toJSON(), created: tc.fromNow('-2 minutes').toJSON() },
        /`deadline` cannot be in the past/,
      ],
      [{ deadline: tc.fromNow('6 days').toJSON() }, /`deadline` cannot be more than 5 days into the future/],
      [{ expires: tc.fromNow('30 minutes').toJSON() }, /`expires` cannot be before `deadline`/],
      [{ created: tc.fromNow('-1 hour').toJSON() }, /`created` cannot be in the past/],
      [
        { created: tc.fromNow('1 hour').toJSON(), deadline: tc.fromNow('2 hours').toJSON() },
        /`created` cannot be in the future/,
      ],
    ];
    for (const [overrides, message] of cases) {
      const error = await rejection(f.client.createTask(tc.slugid(), taskDefinition(queue, overrides)));
      assert.equal(error.statusCode, 400, String(message));
      assert.match(error.body.message, message);
    }
    // Five days exactly is fine.
    await f.client.createTask(
      tc.slugid(),
      taskDefinition(queue, { deadline: tc.fromNow('5 days').toJSON() }),
    );
  });

  test('creating again identically answers the same status; differently 409', async () => {
    const taskId = tc.slugid();
    const definition = taskDefinition(uniqueTaskQueue());
    const first = await f.client.createTask(taskId, definition);
    const again = await f.client.createTask(taskId, definition);
    assert.deepEqual(again, first);
    const error = await rejection(f.client.createTask(taskId, { ...definition, retries: 2 }));
    assert.equal(error.statusCode, 409);
    assert.equal(error.code, 'RequestConflict');
    assert.match(error.body.message, /already used by another task/);
  });

  test('task and status of an unknown task answer 404 ResourceNotFound', async () => {
    const taskId = tc.slugid();
    for (const call of [f.client.task(taskId), f.client.status(taskId)]) {
      const error = await rejection(call);
      assert.equal(error.statusCode, 404);
      assert.equal(error.code, 'ResourceNotFound');
      assert.deepEqual(error.body.requestInfo.params, { taskId });
    }
  });

  test('an invalid taskId in the URL is an InputError', async () => {
    const error = await rejection(f.client.status('not-a-slug'));
    assert.equal(error.statusCode, 400);
    assert.equal(error.code, 'InputError');
  });

  test('unknown routes answer 404 in the same shape', async () => {
    const response = await fetch(`${f.queue.rootUrl}/api/queue/v1/no/such/route`);
    assert.equal(response.status, 404);
    const body = (await response.json()) as Json;
    assert.equal(body.code, 'ResourceNotFound');
    assert.deepEqual(Object.keys(body), ['code', 'message', 'requestInfo']);
  });

  test('ping answers', async () => {
    const body = await f.client.ping();
    assert.equal(body.alive, true);
  });

  test('tasks and statuses answer in bulk, skipping unknown ids', async () => {
    const queue = uniqueTaskQueue();
    const ids = [tc.slugid(), tc.slugid()];
    for (const id of ids) await f.client.createTask(id, taskDefinition(queue));
    const unknown = tc.slugid();
    const { tasks } = await f.client.tasks({ taskIds: [...ids, unknown] });
    assert.deepEqual(
      tasks.map((t: Json) => t.taskId),
      ids,
    );
    assert.equal(tasks[0].task.taskQueueId, queue);
    const { statuses } = await f.client.statuses({ taskIds: [unknown, ...ids] });
    assert.deepEqual(
      statuses.map((s: Json) => [s.taskId, s.status.state]),
      ids.map((id) => [id, 'pending']),
    );
    const paged = await f.client.statuses({ taskIds: ids }, { limit: 1 });
    assert.equal(paged.statuses.length, 1);
    const rest = await f.client.statuses({ taskIds: ids }, { continuationToken: paged.continuationToken });
    assert.equal(rest.statuses[0].taskId, ids[1]);
    assert.equal(rest.continuationToken, undefined);
  });

  test('listTaskGroup pages through a group; tasks of a group share a schedulerId', async () => {
    const queue = uniqueTaskQueue();
    const taskGroupId = tc.slugid();
    const ids = [tc.slugid(), tc.slugid(), tc.slugid()];
    for (const id of ids) await f.client.createTask(id, taskDefinition(queue, { taskGroupId }));
    const seen: string[] = [];
    let continuationToken: string | undefined;
    do {
      const page = await f.client.listTaskGroup(taskGroupId, {
        limit: 2,
        ...(continuationToken ? { continuationToken } : {}),
      });
      assert.equal(page.taskGroupId, taskGroupId);
      for (const entry of page.tasks) {
        assert.equal(entry.status.taskId, entry.status.taskId);
        assert.equal(entry.task.taskGroupId, taskGroupId);
        seen.push(entry.status.taskId);
      }
      continuationToken = page.continuationToken;
    } while (continuationToken);
    assert.deepEqual(seen.sort(), [...ids].sort());

    const error = await rejection(
      f.client.createTask(tc.slugid(), taskDefinition(queue, { taskGroupId, schedulerId: 'other' })),
    );
    assert.equal(error.statusCode, 409);
    const missing = await rejection(f.client.listTaskGroup(tc.slugid()));
    assert.equal(missing.statusCode, 404);
  });
});
