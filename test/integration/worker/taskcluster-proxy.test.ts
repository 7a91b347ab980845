// features.taskclusterProxy through the real worker and queue (process engine): a task reads a private
// artifact of its dependency through the proxy, with its own scopes and no credentials of its own, before and
// after a reclaim renewed the run's credentials; the proxy stops with the task.
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

describe('taskcluster proxy', { timeout: 120_000 }, () => {
  let queue: QueueHandle;
  let worker: CliProcess;
  const taskQueueId = uniqueTaskQueueId();

  before(async () => {
    // Short claims: the worker reclaims every few seconds, so a task of some seconds sees a renewal.
    queue = await startQueue({ claimTimeout: 4 });
    worker = startWorker({ rootUrl: queue.rootUrl, taskQueueId, capacity: 2 });
  });
  after(async () => {
    await worker?.stop();
    await queue?.stop();
  });

  /** A node script the task runs: fetch through the proxy, print, wait, fetch again, print. */
  const fetchTwice = (path: string, waitMs: number): string =>
    [
      'const url = process.env.TASKCLUSTER_PROXY_URL + ' + JSON.stringify(path) + ';',
      'const get = async () => { const r = await fetch(url); return r.status + " " + (await r.text()); };',
      '(async () => {',
      '  console.log("first: " + (await get()));',
      `  await new Promise((r) => setTimeout(r, ${waitMs}));`,
      '  console.log("second: " + (await get()));',
      '  console.log("credentials in env: " + Object.keys(process.env).filter((k) => /ACCESS_TOKEN|CLIENT_ID/.test(k)).join(","));',
      '})();',
    ].join('\n');

  it('reads a private artifact of a dependency with the task’s scopes, before and after a reclaim', async () => {
    const producer = await createTask(queue.client, taskQueueId, {
      command: [['sh', '-c', 'echo the-private-content > secret.txt']],
      maxRunTime: 60,
      artifacts: [{ type: 'file', path: 'secret.txt', name: 'private/secret.txt' }],
    });
    const consumer = await createTask(
      queue.client,
      taskQueueId,
      {
        command: [
          [
            process.execPath,
            '-e',
            fetchTwice(`/api/queue/v1/task/${producer}/artifacts/private/secret.txt`, 7000),
          ],
        ],
        maxRunTime: 60,
        features: { taskclusterProxy: true },
      },
      { dependencies: [producer], scopes: ['queue:get-artifact:private/secret.txt'] },
    );
    const status = await waitForStatus(queue.client, consumer, undefined, 90_000);
    const log = await taskLog(queue.rootUrl, consumer);
    assert.equal(status.state, 'completed', log);
    assert.match(log, /first: 200 the-private-content/);
    assert.match(log, /second: 200 the-private-content/);
    const renewed = log.indexOf('now signs with the credentials of the latest reclaim');
    assert.ok(renewed > log.indexOf('first: 200') && renewed < log.indexOf('second: 200'), log);
    assert.match(log, /credentials in env: \n/, 'no credentials in the task’s environment');
    // The URL's secret is not in the log.
    assert.doesNotMatch(log, /127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{20,}/);
  });

  it('has only the task’s scopes: a private artifact outside them is refused, and the run cannot be resolved through it', async () => {
    const producer = await createTask(queue.client, taskQueueId, {
      command: [['sh', '-c', 'echo not-for-you > secret.txt']],
      maxRunTime: 60,
      artifacts: [{ type: 'file', path: 'secret.txt', name: 'private/secret.txt' }],
    });
    const script = [
      'const base = process.env.TASKCLUSTER_PROXY_URL;',
      '(async () => {',
      `  const read = await fetch(base + "/api/queue/v1/task/${producer}/artifacts/private/secret.txt");`,
      '  console.log("read: " + read.status);',
      '  const done = await fetch(base + "/api/queue/v1/task/" + process.env.TASK_ID + "/runs/" + process.env.RUN_ID + "/completed", { method: "POST" });',
      '  console.log("resolve: " + done.status);',
      '})();',
    ].join('\n');
    const consumer = await createTask(
      queue.client,
      taskQueueId,
      { command: [[process.execPath, '-e', script]], maxRunTime: 60, features: { taskclusterProxy: true } },
      { dependencies: [producer] },
    );
    const status = await waitForStatus(queue.client, consumer, undefined, 90_000);
    const log = await taskLog(queue.rootUrl, consumer);
    assert.equal(status.state, 'completed', log);
    assert.match(log, /^read: 403$/m);
    assert.match(log, /^resolve: 403$/m);
    assert.doesNotMatch(log, /not-for-you/);
  });

  it('is not there for a task that does not ask for it, and stops with the task', async () => {
    const taskId = await createTask(queue.client, taskQueueId, {
      command: [['sh', '-c', 'echo "url=[$TASKCLUSTER_PROXY_URL]"']],
      maxRunTime: 60,
    });
    await waitForStatus(queue.client, taskId, undefined, 60_000);
    assert.match(await taskLog(queue.rootUrl, taskId), /url=\[\]/);

    const keeper = await createTask(queue.client, taskQueueId, {
      command: [['sh', '-c', 'echo "$TASKCLUSTER_PROXY_URL" > proxy-url.txt']],
      maxRunTime: 60,
      features: { taskclusterProxy: true },
      artifacts: [{ type: 'file', path: 'proxy-url.txt', name: 'public/proxy-url.txt' }],
    });
    assert.equal((await waitForStatus(queue.client, keeper, undefined, 60_000)).state, 'completed');
    const url = (
      await (
        await fetch(
          queue.client.externalBuildUrl(queue.client.getLatestArtifact, keeper, 'public/proxy-url.txt'),
        )
      ).text()
    ).trim();
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{20,}$/);
    await assert.rejects(fetch(`${url}/api/queue/v1/ping`), 'the proxy is gone once the task ended');
  });
});
