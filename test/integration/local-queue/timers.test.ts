// Claim expiry and deadlines, fired by a timer set to the next due time (short claims for the test).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { rejection, tc, type Json } from '../../helpers/local-queue-client.js';
import {
  createAndClaim,
  eventually,
  startQueueFixture,
  taskDefinition,
  uniqueTaskQueue,
  worker,
  type QueueFixture,
} from '../../helpers/local-queue-fixture.js';

describe('local queue: claim expiry and deadlines', () => {
  let f: QueueFixture;
  before(async () => {
    f = await startQueueFixture({ claimTimeoutSeconds: 1, claimWorkPollSeconds: 1 });
  });
  after(() => f.close());

  test('an unreclaimed claim resolves exception/claim-expired just after takenUntil, and retries', async () => {
    const queue = uniqueTaskQueue();
    const { taskId, claim } = await createAndClaim(f.client, queue, { retries: 1 });
    const takenUntil = Date.parse(claim.takenUntil);
    assert.ok(takenUntil - Date.now() <= 1000, 'claimTimeoutSeconds sets the claim length');
    const status = await eventually(async () => {
      const { status } = await f.client.status(taskId);
      return status.runs.length > 1 ? status : undefined;
    });
    assert.equal(status.state, 'pending');
    assert.equal(status.retriesLeft, 0);
    const [expired, retry] = status.runs;
    assert.equal(expired.state, 'exception');
    assert.equal(expired.reasonResolved, 'claim-expired');
    assert.equal(expired.takenUntil, new Date(takenUntil).toJSON());
    assert.deepEqual(Object.keys(retry), ['runId', 'state', 'reasonCreated', 'scheduled']);
    assert.equal(retry.reasonCreated, 'retry');
    const late = Date.parse(expired.resolved) - takenUntil;
    assert.ok(late >= 0, 'not before takenUntil');
    // Timer, not polling: well within a second on an idle machine; loose for a noisy one.
    assert.ok(late < 2000, `resolved ${late} ms after takenUntil`);

    const report = await rejection(f.client.reportCompleted(taskId, 0));
    assert.equal(report.statusCode, 409);
    assert.match(
      report.body.message,
      new RegExp(`^Run 0 of task \`${taskId}\` is not running or completed\\.`),
    );
    assert.equal((await rejection(f.client.reclaimTask(taskId, 0))).statusCode, 409);

    // The retry is claimable; with no retries left its expiry resolves the task.
    const { tasks } = await f.client.claimWork(queue, { ...worker, tasks: 1 });
    assert.equal(tasks[0].runId, 1);
    const final = await eventually(async () => {
      const { status: s } = await f.client.status(taskId);
      return s.state === 'exception' ? s : undefined;
    });
    assert.equal(final.runs.length, 2);
    assert.equal(final.runs[1].reasonResolved, 'claim-expired');
  });

  test('reclaiming keeps a run alive past its first takenUntil', async () => {
    const { taskId, claim } = await createAndClaim(f.client, uniqueTaskQueue());
    for (let i = 0; i < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 400));
      await f.client.reclaimTask(taskId, 0);
    }
    assert.ok(Date.now() > Date.parse(claim.takenUntil), 'past the first takenUntil');
    const { status } = await f.client.status(taskId);
    assert.equal(status.state, 'running');
    assert.equal(status.runs.length, 1);
    await f.client.reportCompleted(taskId, 0);
  });

  test('a pending task past its deadline resolves exception/deadline-exceeded', async () => {
    const taskId = tc.slugid();
    const deadline = new Date(Date.now() + 1200).toJSON();
    await f.client.createTask(taskId, taskDefinition(uniqueTaskQueue(), { deadline }));
    const status = await eventually(async () => {
      const { status: s } = await f.client.status(taskId);
      return s.state === 'exception' ? s : undefined;
    });
    assert.equal(status.runs.length, 1);
    assert.equal(status.runs[0].reasonResolved, 'deadline-exceeded');
    assert.ok(Date.parse(status.runs[0].resolved) >= Date.parse(deadline));
    assert.ok(Date.parse(status.runs[0].resolved) - Date.parse(deadline) < 2000);
    const cancel = await rejection(f.client.cancelTask(taskId));
    assert.equal(cancel.statusCode, 409, "can't be canceled past its deadline");
  });

  test('a running task past its deadline resolves deadline-exceeded; reclaim then 409', async () => {
    const slow = await startQueueFixture({ claimWorkPollSeconds: 1 });
    try {
      const deadline = new Date(Date.now() + 1200).toJSON();
      const { taskId } = await createAndClaim(slow.client, uniqueTaskQueue(), { deadline });
      const status = await eventually(async () => {
        const { status: s } = await slow.client.status(taskId);
        return s.state === 'exception' ? s : undefined;
      });
      assert.equal(status.runs[0].reasonResolved, 'deadline-exceeded');
      assert.equal(status.runs[0].workerId, worker.workerId);
      const reclaim = await rejection(slow.client.reclaimTask(taskId, 0));
      assert.equal(reclaim.statusCode, 409);
    } finally {
      await slow.close();
    }
  });

  test('an unscheduled task past its deadline gets a run with reasonCreated exception', async () => {
    const blocker = tc.slugid();
    await f.client.createTask(blocker, taskDefinition(uniqueTaskQueue()));
    const taskId = tc.slugid();
    const deadline = new Date(Date.now() + 1200).toJSON();
    const created = await f.client.createTask(
      taskId,
      taskDefinition(uniqueTaskQueue(), { deadline, dependencies: [blocker] }),
    );
    assert.equal(created.status.state, 'unscheduled');
    const status = await eventually(async () => {
      const { status: s } = await f.client.status(taskId);
      return s.state === 'exception' ? s : undefined;
    });
    assert.deepEqual(
      status.runs.map((r: Json) => [r.runId, r.state, r.reasonCreated, r.reasonResolved]),
      [[0, 'exception', 'exception', 'deadline-exceeded']],
    );
  });
});
