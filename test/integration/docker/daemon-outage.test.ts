// A Docker daemon that goes away or stops answering while tasks run: the running task resolves as an
// exception (resource-unavailable) and never hangs past its max run time; the worker goes on with the next
// task once the daemon is back and removes the container it could not remove before. The worker reaches the
// real daemon through a socket proxy that the test cuts or freezes, so that the daemon the other tests
// share is never disturbed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
import { waitUntil } from '../../helpers/processes.js';
import { openLiveReader } from '../../helpers/live-log-reader.js';
import { SocketProxy } from '../../helpers/socket-proxy.js';

const docker = await dockerService();

describe(
  'a Docker daemon that goes away',
  { skip: 'skip' in docker ? docker.skip : false, timeout: 300_000 },
  () => {
    let queue: QueueHandle;
    let worker: CliProcess;
    let proxy: SocketProxy;
    const dir = mkdtempSync(join(tmpdir(), 'tcw-docker-proxy-'));
    const taskQueueId = uniqueTaskQueueId();

    before(async () => {
      proxy = await SocketProxy.start(join(dir, 'docker.sock'), 'socket' in docker ? docker.socket : '');
      queue = await startQueue();
      worker = startWorker({
        rootUrl: queue.rootUrl,
        taskQueueId,
        extra: { engine: 'docker', docker: testDockerConfig(proxy.path, { callTimeoutSeconds: 3 }) },
      });
    });
    after(async () => {
      await worker?.stop();
      await queue?.stop();
      await proxy?.cut();
      rmSync(dir, { recursive: true, force: true });
    });

    /** Containers of this test's tasks on the real daemon. */
    /** Containers of a task on the real daemon (`all`: stopped ones too). */
    const containersOf = (taskId: string, all = true): string[] =>
      (
        spawnSync('docker', ['ps', all ? '-aq' : '-q', '--filter', `label=tc-worker.task=${taskId}/0`], {
          encoding: 'utf8',
        }).stdout ?? ''
      )
        .split('\n')
        .filter(Boolean);

    const longTask = (): Promise<string> =>
      createTask(queue.client, taskQueueId, {
        image: busyboxImage,
        command: ['sleep', '600'],
        maxRunTime: 5,
      });

    const shortTaskCompletes = async (): Promise<void> => {
      const taskId = await createTask(queue.client, taskQueueId, {
        image: busyboxImage,
        command: ['echo', 'the daemon is back'],
        maxRunTime: 30,
      });
      const status = await waitForStatus(queue.client, taskId, undefined, 120_000);
      const log = await taskLog(queue.rootUrl, taskId);
      assert.equal(status.state, 'completed', `${log}\n${worker.output.slice(-3000)}`);
      assert.match(log, /the daemon is back/);
    };

    it('a daemon that goes away under a running task: exception/resource-unavailable; the next task runs once it is back', async () => {
      const taskId = await longTask();
      await waitUntil(() => containersOf(taskId, false).length > 0, 'the task’s container runs', 60_000);
      await proxy.cut();
      const status = await waitForStatus(queue.client, taskId, undefined, 60_000);
      const log = await taskLog(queue.rootUrl, taskId);
      assert.equal(status.runs[0]?.reasonResolved, 'resource-unavailable', log);
      assert.match(log, /the Docker daemon did not answer/);
      await proxy.restore();
      await shortTaskCompletes();
      // The first task's container, which the worker could not remove while the daemon was away, is gone too.
      await waitUntil(
        () => containersOf(taskId).length === 0,
        'the first task’s container is removed',
        30_000,
      );
    });

    it('while the daemon is away the worker claims nothing: tasks wait in the queue and run once it is back', async () => {
      await proxy.cut();
      try {
        // The claim already under way when the daemon went takes one task, which cannot start.
        const first = await createTask(queue.client, taskQueueId, {
          image: busyboxImage,
          command: ['true'],
          maxRunTime: 30,
        });
        const failed = await waitForStatus(queue.client, first, undefined, 60_000);
        assert.equal(failed.runs[0]?.reasonResolved, 'resource-unavailable');
        await worker.waitFor(/engine unavailable; not claiming/, 30_000);
        const waiting = await createTask(queue.client, taskQueueId, {
          image: busyboxImage,
          command: ['echo', 'ran after the outage'],
          maxRunTime: 30,
        });
        await new Promise((resolve) => setTimeout(resolve, 3000));
        const status = await queue.client.status(waiting);
        assert.deepEqual(
          status.status.runs.map((run: { state: string }) => run.state),
          ['pending'],
          'not claimed while the daemon is away',
        );
        await proxy.restore();
        const done = await waitForStatus(queue.client, waiting, undefined, 120_000);
        assert.equal(done.state, 'completed', worker.output.slice(-3000));
        assert.match(await taskLog(queue.rootUrl, waiting), /ran after the outage/);
        assert.match(worker.output, /engine available again; claiming/);
      } finally {
        await proxy.restore();
      }
    });

    it('a daemon that stops answering cannot hold a task past its max run time', async () => {
      const taskId = await createTask(queue.client, taskQueueId, {
        image: busyboxImage,
        command: ['sh', '-c', 'echo container-started; sleep 1; echo a-second-later; sleep 600'],
        maxRunTime: 5,
      });
      // The container's output in the live log, a second after it started: the worker is past starting it
      // (the daemon's answer to the start call may come after the first output).
      const reader = await openLiveReader(
        await referenceUrlOf(queue.rootUrl, taskId, 'public/logs/live.log'),
      );
      await reader.waitFor('a-second-later\n', 60_000);
      const frozen = Date.now();
      proxy.freeze();
      try {
        const status = await waitForStatus(queue.client, taskId, undefined, 60_000).catch(
          (error: unknown) => {
            throw new Error(`${String(error)}\nworker output:\n${worker.output.slice(-4000)}`);
          },
        );
        const log = await taskLog(queue.rootUrl, taskId);
        assert.equal(status.runs[0]?.reasonResolved, 'resource-unavailable', log);
        assert.match(log, /max run time exceeded/);
        // Max run time (5 s) and the kill's bound (3 s), with room for a slow machine; not minutes.
        assert.ok(Date.now() - frozen < 40_000, `resolved after ${Date.now() - frozen} ms`);
      } finally {
        await proxy.restore();
      }
      await shortTaskCompletes();
      await waitUntil(
        () => containersOf(taskId).length === 0,
        'the first task’s container is removed',
        30_000,
      );
    });
  },
);
