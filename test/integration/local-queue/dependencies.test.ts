// task.dependencies with requires all-completed and all-resolved; scheduleTask; listDependentTasks.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { rejection, tc, type Json } from '../../helpers/local-queue-client.js';
import {
  eventually,
  startQueueFixture,
  taskDefinition,
  uniqueTaskQueue,
  worker,
  type QueueFixture,
} from '../../helpers/local-queue-fixture.js';

describe('local queue: dependencies', () => {
  let f: QueueFixture;
  before(async () => {
    f = await startQueueFixture({ claimWorkPollSeconds: 1 });
  });
  after(() => f.close());

  /** Creates a task on its own queue and claims it, so the test controls how it resolves. */
  async function claimedTask(): Promise<string> {
    const queue = uniqueTaskQueue();
    const taskId = tc.slugid();
    await f.client.createTask(taskId, taskDefinition(queue));
    const { tasks } = await f.client.claimWork(queue, { ...worker, tasks: 1 });
    assert.equal(tasks[0].status.taskId, taskId);
    return taskId;
  }

  test('all-completed: unscheduled until every dependency completed', async () => {
    const [a, b] = [await claimedTask(), await claimedTask()];
    const queue = uniqueTaskQueue();
    const taskId = tc.slugid();
    const { status } = await f.client.createTask(taskId, taskDefinition(queue, { dependencies: [a, b] }));
    assert.equal(status.state, 'unscheduled');
    assert.deepEqual(status.runs, []);
    assert.deepEqual((await f.client.taskQueueCounts(queue)).pendingTasks, 0);
    await f.client.reportCompleted(a, 0);
    assert.equal((await f.client.status(taskId)).status.state, 'unscheduled');
    await f.client.reportCompleted(b, 0);
    const after = (await f.client.status(taskId)).status;
    assert.equal(after.state, 'pending');
    assert.equal(after.runs[0].reasonCreated, 'scheduled');
    const { tasks } = await f.client.claimWork(queue, { ...worker, tasks: 1 });
    assert.equal(tasks[0].status.taskId, taskId);

    const dependents = await f.client.listDependentTasks(a);
    assert.equal(dependents.taskId, a);
    assert.deepEqual(
      dependents.tasks.map((t: Json) => t.status.taskId),
      [taskId],
    );
  });

  test('dependencies already completed schedule the task at once', async () => {
    const a = await claimedTask();
    await f.client.reportCompleted(a, 0);
    const { status } = await f.client.createTask(
      tc.slugid(),
      taskDefinition(uniqueTaskQueue(), { dependencies: [a] }),
    );
    assert.equal(status.state, 'pending');
  });

  test('all-resolved: failed and exception dependencies count too', async () => {
    const [a, b] = [await claimedTask(), await claimedTask()];
    const taskId = tc.slugid();
    await f.client.createTask(
      taskId,
      taskDefinition(uniqueTaskQueue(), { dependencies: [a, b], requires: 'all-resolved' }),
    );
    await f.client.reportFailed(a, 0);
    assert.equal((await f.client.status(taskId)).status.state, 'unscheduled');
    await f.client.reportException(b, 0, { reason: 'malformed-payload' });
    assert.equal((await f.client.status(taskId)).status.state, 'pending');
  });

  test('a retrying dependency is not resolved yet', async () => {
    const a = await claimedTask();
    const taskId = tc.slugid();
    await f.client.createTask(
      taskId,
      taskDefinition(uniqueTaskQueue(), { dependencies: [a], requires: 'all-resolved' }),
    );
    await f.client.reportException(a, 0, { reason: 'worker-shutdown' });
    assert.equal((await f.client.status(taskId)).status.state, 'unscheduled');
  });

  test('a failed dependency under all-completed leaves the task unscheduled until its deadline', async () => {
    const a = await claimedTask();
    const taskId = tc.slugid();
    const deadline = new Date(Date.now() + 1500).toJSON();
    await f.client.createTask(taskId, taskDefinition(uniqueTaskQueue(), { dependencies: [a], deadline }));
    await f.client.reportFailed(a, 0);
    assert.equal((await f.client.status(taskId)).status.state, 'unscheduled');
    const status = await eventually(async () => {
      const { status: s } = await f.client.status(taskId);
      return s.state === 'exception' ? s : undefined;
    });
    assert.deepEqual(
      status.runs.map((r: Json) => [r.reasonCreated, r.reasonResolved]),
      [['exception', 'deadline-exceeded']],
    );
  });

  test('a task resolved by its deadline satisfies all-resolved dependents', async () => {
    const taskId = tc.slugid();
    const deadline = new Date(Date.now() + 1200).toJSON();
    await f.client.createTask(taskId, taskDefinition(uniqueTaskQueue(), { deadline }));
    const dependent = tc.slugid();
    await f.client.createTask(
      dependent,
      taskDefinition(uniqueTaskQueue(), { dependencies: [taskId], requires: 'all-resolved' }),
    );
    const status = await eventually(async () => {
      const { status: s } = await f.client.status(dependent);
      return s.state === 'pending' ? s : undefined;
    });
    assert.equal(status.runs.length, 1);
  });

  test('dependencies must exist; a task may list itself and then needs scheduleTask', async () => {
    const missing = tc.slugid();
    const error = await rejection(
      f.client.createTask(tc.slugid(), taskDefinition(uniqueTaskQueue(), { dependencies: [missing] })),
    );
    assert.equal(error.statusCode, 400);
    assert.equal(error.code, 'InputError');
    assert.match(error.body.message, new RegExp(`references non-existing tasks: \\n \\* ${missing}`));

    const self = tc.slugid();
    const queue = uniqueTaskQueue();
    const { status } = await f.client.createTask(self, taskDefinition(queue, { dependencies: [self] }));
    assert.equal(status.state, 'unscheduled');
    const scheduled = await f.client.scheduleTask(self);
    assert.equal(scheduled.status.state, 'pending');
    assert.equal(scheduled.status.runs[0].reasonCreated, 'scheduled');
    assert.deepEqual((await f.client.scheduleTask(self)).status, scheduled.status, 'idempotent');
  });

  test('a dependency that expires before the deadline is refused', async () => {
    const short = tc.slugid();
    await f.client.createTask(
      short,
      taskDefinition(uniqueTaskQueue(), {
        deadline: tc.fromNow('10 minutes').toJSON(),
        expires: tc.fromNow('20 minutes').toJSON(),
      }),
    );
    const error = await rejection(
      f.client.createTask(tc.slugid(), taskDefinition(uniqueTaskQueue(), { dependencies: [short] })),
    );
    assert.equal(error.statusCode, 400);
    assert.match(error.body.message, /expires\nbefore `task.deadline`/);
  });

  test('canceling an unscheduled task resolves it and lets all-resolved dependents run', async () => {
    const blocker = await claimedTask();
    const middle = tc.slugid();
    await f.client.createTask(middle, taskDefinition(uniqueTaskQueue(), { dependencies: [blocker] }));
    const last = tc.slugid();
    await f.client.createTask(
      last,
      taskDefinition(uniqueTaskQueue(), { dependencies: [middle], requires: 'all-resolved' }),
    );
    const { status } = await f.client.cancelTask(middle);
    assert.deepEqual(
      status.runs.map((r: Json) => [r.reasonCreated, r.reasonResolved]),
      [['exception', 'canceled']],
    );
    assert.equal((await f.client.status(last)).status.state, 'pending');
  });
});
