// The worker against a queue that checks scopes: with a client made by `tc-worker queue add-client
// --worker-pool`, it claims with its own credentials and does everything else about a run with the run's.
import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CliProcess,
  createTask,
  startQueue,
  startWorker,
  taskLog,
  tempDir,
  uniqueTaskQueueId,
  waitForStatus,
  type QueueHandle,
} from '../../helpers/cluster.js';

async function addClient(queue: QueueHandle, ...args: string[]) {
  const proc = new CliProcess(['queue', '--data-dir', queue.dataDir, 'add-client', ...args]);
  const { code } = await proc.exited;
  assert.equal(code, 0, proc.output);
  const clientId = /TASKCLUSTER_CLIENT_ID=(\S+)/.exec(proc.output)?.[1];
  const accessToken = /TASKCLUSTER_ACCESS_TOKEN=(\S+)/.exec(proc.output)?.[1];
  assert.ok(clientId && accessToken, proc.output);
  return { clientId, accessToken };
}

describe('a worker with only the scopes of its pool', { timeout: 120_000 }, () => {
  let queue: QueueHandle;
  before(async () => {
    queue = await startQueue();
  });
  after(() => queue.stop());

  it('the queue made a root client on its first start, private to its owner, and said how to use it', async () => {
    await queue.process.waitFor(/export TASKCLUSTER_ACCESS_TOKEN/);
    assert.equal(statSync(join(queue.dataDir, 'root-client.json')).mode & 0o777, 0o600);
    assert.equal(statSync(join(queue.dataDir, 'queue.sqlite3')).mode & 0o777, 0o600);
    assert.match(queue.process.output, /export TASKCLUSTER_CLIENT_ID=static\/tc-worker\/root/);
    assert.match(
      queue.process.output,
      new RegExp(`export TASKCLUSTER_ACCESS_TOKEN=${queue.credentials.accessToken}`),
    );
  });

  it('runs tasks of its queue: the run credentials do the rest', async () => {
    const taskQueueId = uniqueTaskQueueId();
    // Added while the queue runs: it reads clients from its database on each request.
    const credentials = await addClient(
      queue,
      '--client-id',
      'test/pool-worker',
      '--worker-pool',
      taskQueueId,
    );
    const worker = startWorker({ rootUrl: queue.rootUrl, taskQueueId, credentials });
    try {
      const taskId = await createTask(queue.client, taskQueueId, {
        command: [['echo', 'scoped']],
        maxRunTime: 30,
      });
      const status = await waitForStatus(queue.client, taskId);
      const log = await taskLog(queue.rootUrl, taskId);
      assert.equal(status.state, 'completed', log);
      assert.match(log, /scoped/);
    } finally {
      await worker.stop();
    }
    assert.doesNotMatch(
      worker.output,
      new RegExp(credentials.accessToken),
      'the token never reaches the log',
    );
  });

  it('gets nothing from a queue it may not claim from', async () => {
    const allowed = uniqueTaskQueueId();
    const other = uniqueTaskQueueId();
    const credentials = await addClient(queue, '--client-id', 'test/other-pool', '--worker-pool', allowed);
    const worker = startWorker({ rootUrl: queue.rootUrl, taskQueueId: other, credentials });
    try {
      const taskId = await createTask(queue.client, other, { command: [['true']], maxRunTime: 30 });
      await worker.waitFor(/InsufficientScopes|queue:claim-work/);
      const { status } = (await queue.client.status(taskId)) as { status: { state: string } };
      assert.equal(status.state, 'pending');
    } finally {
      await worker.stop();
    }
  });
});

describe('a queue with static clients and roles in its --config', { timeout: 120_000 }, () => {
  it('lets a worker holding a role claim, and makes nothing public when anonymous is emptied', async () => {
    const taskQueueId = uniqueTaskQueueId();
    const dir = tempDir('queue-config');
    const credentials = { clientId: 'static/pool', accessToken: 'a-static-access-token-for-tests' };
    const config = {
      clients: [{ ...credentials, scopes: ['assume:worker-pool:test-prov/*'] }],
      roles: [
        { roleId: 'worker-pool:test-prov/*', scopes: ['queue:claim-work:test-prov/*', 'queue:worker-id:*'] },
        { roleId: 'anonymous', scopes: [] },
      ],
    };
    const configPath = join(dir, 'queue.json');
    writeFileSync(configPath, JSON.stringify(config));
    const queue = await startQueue({ args: ['--config', configPath] });
    const worker = startWorker({ rootUrl: queue.rootUrl, taskQueueId, credentials });
    try {
      const taskId = await createTask(queue.client, taskQueueId, { command: [['true']], maxRunTime: 30 });
      assert.equal((await waitForStatus(queue.client, taskId)).state, 'completed');
      const anonymous = await fetch(`${queue.rootUrl}/api/queue/v1/task/${taskId}/status`);
      assert.equal(anonymous.status, 403, 'an empty anonymous role: even reading needs credentials');
    } finally {
      await worker.stop();
      await queue.stop();
    }
  });
});
