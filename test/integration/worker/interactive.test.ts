// The interactive shell through a real worker: the shell.html reference a Taskcluster UI would open, its
// socket on the worker's webhook server, a shell in the task's directory, and nothing left after the task.
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  createTask,
  startQueue,
  startWorker,
  taskLog,
  tempDir,
  uniqueTaskQueueId,
  waitForStatus,
  type CliProcess,
  type QueueHandle,
} from '../../helpers/cluster.js';
import { waitUntil } from '../../helpers/processes.js';
import { RefusedError, ShellClient } from '../../helpers/shell-client.js';

describe('interactive shell through the worker', { timeout: 120_000 }, () => {
  let queue: QueueHandle;
  let worker: CliProcess;
  const taskQueueId = uniqueTaskQueueId();

  before(async () => {
    queue = await startQueue();
    worker = startWorker({ rootUrl: queue.rootUrl, taskQueueId, extra: { interactive: { enabled: true } } });
  });
  after(async () => {
    await worker?.stop();
    await queue?.stop();
  });

  it('opens a shell in the running task, and refuses it once the task is over', async () => {
    const gate = join(tempDir('gate'), 'open');
    const taskId = await createTask(queue.client, taskQueueId, {
      command: [['sh', '-c', `while [ ! -e ${gate} ]; do sleep 0.1; done`]],
      maxRunTime: 120,
      features: { interactive: true },
    });
    await waitForStatus(queue.client, taskId, (s) => s.state === 'running');
    let location: string | null = null;
    await waitUntil(async () => {
      const response = await fetch(
        // A private artifact: the URL carries the root client's signature.
        queue.client.externalBuildSignedUrl(
          queue.client.getArtifact,
          taskId,
          0,
          'private/generic-worker/shell.html',
        ),
        { redirect: 'manual' },
      );
      location = response.status === 303 ? response.headers.get('location') : null;
      return location !== null;
    }, 'the shell.html reference exists');
    const page = new URL(location!);
    assert.equal(page.pathname, '/shell/');
    assert.equal(page.searchParams.get('v'), '2');
    assert.equal(page.searchParams.get('taskId'), taskId);
    assert.equal(page.searchParams.get('runId'), '0');
    const socketUrl = page.searchParams.get('socketUrl');
    assert.match(socketUrl ?? '', /^ws:\/\//);

    const shell = await ShellClient.connect(socketUrl!);
    shell.type('echo "IN:$TASK_ID:$(pwd)"\n');
    const [, where] = (await shell.waitFor(new RegExp(`IN:${taskId}:(\\S+)`))) as unknown as [string, string];
    assert.equal(existsSync(where), true);
    await shell.close();

    // A socket URL with the wrong secret is refused.
    const wrong = socketUrl!.replace(/[0-9a-f]$/, (c) => (c === '0' ? '1' : '0'));
    await assert.rejects(ShellClient.connect(wrong), RefusedError);

    writeFileSync(gate, '');
    assert.equal(
      (await waitForStatus(queue.client, taskId)).state,
      'completed',
      await taskLog(queue.rootUrl, taskId),
    );
    await assert.rejects(ShellClient.connect(socketUrl!), RefusedError);
  });

  it('a task asking for the shell on a pool that has not enabled it is malformed-payload', async () => {
    const otherQueueId = uniqueTaskQueueId();
    const plain = startWorker({ rootUrl: queue.rootUrl, taskQueueId: otherQueueId, workerId: 'no-shell' });
    try {
      const taskId = await createTask(queue.client, otherQueueId, {
        command: [['true']],
        maxRunTime: 30,
        features: { interactive: true },
      });
      const status = await waitForStatus(queue.client, taskId);
      assert.equal(status.runs[0]!.reasonResolved, 'malformed-payload');
      assert.match(await taskLog(queue.rootUrl, taskId), /\[taskcluster:error\].*interactive.*not enabled/);
    } finally {
      await plain.stop();
    }
  });
});
