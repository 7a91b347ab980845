// The live log and the interactive shell of a docker task, through a real worker: a viewer streams the log
// while the container runs; the shell (a `docker exec` with a terminal in the task's container) sees the
// task's environment and opens the gate the task waits for, so "while it runs" is a fact, not a timing guess.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createTask,
  referenceUrlOf,
  startQueue,
  startWorker,
  taskLog,
  uniqueTaskQueueId,
  waitForStatus,
  type CliProcess,
  type QueueHandle,
} from '../../helpers/cluster.js';
import { busyboxImage, dockerService, testDockerConfig } from '../../helpers/docker-service.js';
import { openLiveReader } from '../../helpers/live-log-reader.js';
import { ShellClient } from '../../helpers/shell-client.js';

const docker = await dockerService();
const timeoutMs = 120_000;

describe(
  'docker tasks: live log and interactive shell',
  { skip: 'skip' in docker ? docker.skip : false, timeout: 4 * timeoutMs },
  () => {
    let queue: QueueHandle;
    let worker: CliProcess;
    const taskQueueId = uniqueTaskQueueId();

    before(async () => {
      queue = await startQueue();
      worker = startWorker({
        rootUrl: queue.rootUrl,
        taskQueueId,
        extra: {
          engine: 'docker',
          docker: testDockerConfig('socket' in docker ? docker.socket : ''),
          interactive: { enabled: true },
        },
      });
    });
    after(async () => {
      await worker?.stop();
      await queue?.stop();
    });

    it('streams the container’s output while it runs; a shell in the container opens the gate', async () => {
      const taskId = await createTask(queue.client, taskQueueId, {
        image: busyboxImage,
        command: [
          'sh',
          '-c',
          'echo waiting-for-gate; while [ ! -e /tmp/gate ]; do sleep 0.05; done; echo after-the-gate',
        ],
        env: { GREETING: 'hello shell' },
        maxRunTime: 120,
        features: { interactive: true },
      });
      const reader = await openLiveReader(
        await referenceUrlOf(queue.rootUrl, taskId, 'public/logs/live.log', { timeoutMs }),
      );
      await reader.waitFor('waiting-for-gate\n', timeoutMs);
      assert.equal((await waitForStatus(queue.client, taskId, () => true)).state, 'running');

      const page = new URL(
        await referenceUrlOf(queue.rootUrl, taskId, 'private/docker-worker/shell.html', {
          timeoutMs,
          // The shell page is on the root URL (the socket's hook URL is in its query), not the queue's.
          accepted: (location) => !location.includes('/artifacts/'),
        }),
      );
      const shell = await ShellClient.connect(page.searchParams.get('socketUrl')!);
      shell.type('echo "IN:$TASK_ID:$GREETING:$TERM:$(hostname)"; touch /tmp/gate\n');
      await shell.waitFor(new RegExp(`IN:${taskId}:hello shell:xterm-256color:`));
      await shell.closed;

      const status = await waitForStatus(queue.client, taskId, undefined, timeoutMs);
      const backing = Buffer.from(await taskLog(queue.rootUrl, taskId));
      assert.equal(status.state, 'completed', backing.toString());
      assert.match(backing.toString(), /waiting-for-gate\n[\s\S]*after-the-gate\n/);
      assert.ok((await reader.done).equals(backing), 'the live reader got the whole log');
    });
  },
);
