// Killing the queue process at any instant loses no acknowledged task, run or artifact, and its timers
// (claim expiry) are rebuilt when it starts again on the same data directory.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { readRootClientFile } from '../../../src/local-queue/index.js';
import { rejection, tc, type Json } from '../../helpers/local-queue-client.js';
import { startQueueProcess, type QueueProcess } from '../../helpers/local-queue-child.js';
import {
  eventually,
  taskDefinition,
  tempDataDir,
  uniqueTaskQueue,
  worker,
} from '../../helpers/local-queue-fixture.js';

describe('local queue: durability', () => {
  const dataDir = tempDataDir();
  const running: QueueProcess[] = [];
  const start = async (): Promise<QueueProcess> => {
    const proc = await startQueueProcess({ dataDir, claimTimeoutSeconds: 5, claimWorkPollSeconds: 1 });
    running.push(proc);
    return proc;
  };
  after(async () => {
    for (const proc of running) await proc.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('state survives SIGKILL right after acknowledged calls; claims still expire', async () => {
    const first = await start();
    const credentials = readRootClientFile(dataDir);
    const client = new tc.Queue({
      rootUrl: first.rootUrl,
      retries: 0,
      ...(credentials ? { credentials } : {}),
    });
    const queue = uniqueTaskQueue();

    const pendingId = tc.slugid();
    await client.createTask(pendingId, taskDefinition(queue));
    const claimedId = tc.slugid();
    await client.createTask(claimedId, taskDefinition(queue, { priority: 'highest' }));
    const { tasks } = await client.claimWork(queue, { ...worker, tasks: 1 });
    assert.equal(tasks[0].status.taskId, claimedId);
    const takenUntil = Date.parse(tasks[0].takenUntil);
    const expires = tasks[0].task.expires;
    const { putUrl } = await client.createArtifact(claimedId, 0, 'public/data.txt', {
      storageType: 's3',
      contentType: 'text/plain',
      expires,
    });
    const put = await fetch(putUrl, {
      method: 'PUT',
      headers: { 'content-type': 'text/plain' },
      body: 'durable bytes',
    });
    assert.equal(put.status, 200);
    await client.createArtifact(claimedId, 0, 'public/ref', {
      storageType: 'reference',
      url: 'https://example.com/r',
      expires,
    });
    const dependentId = tc.slugid();
    await client.createTask(dependentId, taskDefinition(uniqueTaskQueue(), { dependencies: [pendingId] }));

    // A burst of creates, killed the moment the last acknowledgement arrives, others still in flight.
    const acknowledged: string[] = [];
    const burstQueue = uniqueTaskQueue();
    await new Promise<void>((resolve) => {
      for (let i = 0; i < 30; i++) {
        const id = tc.slugid();
        client.createTask(id, taskDefinition(burstQueue)).then(
          () => {
            acknowledged.push(id);
            if (acknowledged.length === 15) resolve();
          },
          () => undefined,
        );
      }
    });
    await first.kill();

    const second = await start();
    const again = new tc.Queue({
      rootUrl: second.rootUrl,
      retries: 0,
      ...(credentials ? { credentials } : {}),
    });
    assert.equal((await again.status(pendingId)).status.state, 'pending');
    assert.equal((await again.status(dependentId)).status.state, 'unscheduled');
    const claimed = (await again.status(claimedId)).status;
    assert.equal(claimed.state, 'running');
    assert.equal(Date.parse(claimed.runs[0].takenUntil), takenUntil);
    const { statuses } = await again.statuses({ taskIds: acknowledged });
    assert.equal(statuses.length, acknowledged.length, 'every acknowledged createTask survived');

    const { artifacts } = await again.listArtifacts(claimedId, 0);
    assert.deepEqual(
      artifacts.map((a: Json) => a.name),
      ['public/data.txt', 'public/ref'],
    );
    const download = await fetch(again.buildUrl(again.getArtifact, claimedId, 0, 'public/data.txt'));
    assert.equal(await download.text(), 'durable bytes');

    // The claim timer was rebuilt at start: the claim expires and the task retries.
    const expired = await eventually(async () => {
      const { status } = await again.status(claimedId);
      return status.runs.length > 1 ? status : undefined;
    });
    assert.equal(expired.runs[0].reasonResolved, 'claim-expired');
    assert.equal(expired.runs[1].reasonCreated, 'retry');
    assert.ok(Date.parse(expired.runs[0].resolved) >= takenUntil);
    assert.equal((await rejection(again.reportCompleted(claimedId, 0))).statusCode, 409);

    // Dependencies still work after the restart.
    const claim = await again.claimWork(queue, { ...worker, tasks: 2 });
    const pendingClaim = claim.tasks.find((t: Json) => t.status.taskId === pendingId);
    assert.ok(pendingClaim);
    await again.reportCompleted(pendingId, pendingClaim.runId);
    assert.equal((await again.status(dependentId)).status.state, 'pending');
  });
});
