// The life of tasks and workers: max run time, retries, capacity, cancel, crashes, restarts, shutdown.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  createTask,
  startQueue,
  startWorker,
  taskLog,
  tempDir,
  uniqueTaskQueueId,
  waitForStatus,
  type QueueHandle,
} from '../../helpers/cluster.js';
import { freePort, isAlive, readPids, waitUntil } from '../../helpers/processes.js';

const running = (s: { state: string }): boolean => s.state === 'running';

async function withQueue<T>(
  options: Parameters<typeof startQueue>[0],
  body: (queue: QueueHandle) => Promise<T>,
): Promise<T> {
  const queue = await startQueue(options);
  try {
    return await body(queue);
  } finally {
    await queue.stop();
  }
}

describe('task and worker lifecycle', { timeout: 180_000, concurrency: 1 }, () => {
  it('max run time kills the whole process tree, including a background child, and fails the task', async () => {
    await withQueue({}, async (queue) => {
      const taskQueueId = uniqueTaskQueueId();
      const worker = startWorker({ rootUrl: queue.rootUrl, taskQueueId });
      try {
        const pidFile = join(tempDir('pids'), 'pids');
        const taskId = await createTask(queue.client, taskQueueId, {
          command: [['sh', '-c', `sleep 1000 & echo $! >> ${pidFile}; echo $$ >> ${pidFile}; sleep 1000`]],
          maxRunTime: 2,
        });
        const pids = await readPids(pidFile, 2);
        const status = await waitForStatus(queue.client, taskId);
        const log = await taskLog(queue.rootUrl, taskId);
        assert.equal(status.state, 'failed', log);
        assert.match(log, /max run time/i);
        await waitUntil(() => pids.every((pid) => !isAlive(pid)), 'every process of the task is gone', 5000);
      } finally {
        await worker.stop();
      }
    });
  });

  it('an exit code listed in onExitStatus.retry creates a retry run', async () => {
    await withQueue({}, async (queue) => {
      const taskQueueId = uniqueTaskQueueId();
      const worker = startWorker({ rootUrl: queue.rootUrl, taskQueueId });
      try {
        const taskId = await createTask(
          queue.client,
          taskQueueId,
          { command: [['sh', '-c', 'exit 42']], maxRunTime: 30, onExitStatus: { retry: [42] } },
          { retries: 1 },
        );
        const status = await waitForStatus(
          queue.client,
          taskId,
          (s) => s.runs.length === 2 && s.runs[1]!.state === 'exception',
        );
        assert.equal(status.runs[0]!.reasonResolved, 'intermittent-task');
        assert.equal(status.runs[1]!.reasonCreated, 'task-retry');
        assert.equal(status.runs[1]!.reasonResolved, 'intermittent-task');
        assert.equal(status.state, 'exception');
      } finally {
        await worker.stop();
      }
    });
  });

  it('capacity 4 runs four tasks at once and never more', async () => {
    await withQueue({}, async (queue) => {
      const taskQueueId = uniqueTaskQueueId();
      const worker = startWorker({ rootUrl: queue.rootUrl, taskQueueId, capacity: 4 });
      try {
        const taskIds: string[] = [];
        for (let i = 0; i < 8; i++) {
          taskIds.push(
            await createTask(queue.client, taskQueueId, {
              command: [['sh', '-c', 'echo "START $(date +%s%N)"; sleep 1.5; echo "END $(date +%s%N)"']],
              maxRunTime: 60,
            }),
          );
        }
        const intervals: Array<[number, number]> = [];
        for (const taskId of taskIds) {
          const status = await waitForStatus(queue.client, taskId);
          assert.equal(status.state, 'completed');
          const log = await taskLog(queue.rootUrl, taskId);
          intervals.push([Number(/START (\d+)/.exec(log)![1]), Number(/END (\d+)/.exec(log)![1])]);
        }
        const events = intervals.flatMap(([start, end]) => [
          [start, 1],
          [end, -1],
        ]);
        events.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
        let current = 0;
        let peak = 0;
        for (const [, delta] of events) {
          current += delta!;
          peak = Math.max(peak, current);
        }
        assert.equal(peak, 4, `peak concurrency ${peak}`);
      } finally {
        await worker.stop();
      }
    });
  });

  it('capacity 1 never holds two runs, as the queue sees them (claimed after the last one resolved)', async () => {
    await withQueue({}, async (queue) => {
      const taskQueueId = uniqueTaskQueueId();
      const taskIds: string[] = [];
      // Queued before the worker starts: every claim follows a report at once, the tightest case.
      for (let i = 0; i < 12; i++)
        taskIds.push(await createTask(queue.client, taskQueueId, { command: [['true']], maxRunTime: 60 }));
      const worker = startWorker({ rootUrl: queue.rootUrl, taskQueueId, capacity: 1 });
      try {
        const runs = [];
        for (const taskId of taskIds) {
          const status = await waitForStatus(queue.client, taskId);
          assert.equal(status.state, 'completed');
          const run = status.runs[0] as unknown as { started: string; resolved: string };
          runs.push({ started: Date.parse(run.started), resolved: Date.parse(run.resolved) });
        }
        runs.sort((a, b) => a.started - b.started);
        for (let i = 1; i < runs.length; i++)
          assert.ok(
            runs[i]!.started >= runs[i - 1]!.resolved,
            `run ${i} started ${runs[i - 1]!.resolved - runs[i]!.started} ms before the previous one resolved`,
          );
      } finally {
        await worker.stop();
      }
    });
  });

  it('cancel while running kills the processes and the worker reports nothing', async () => {
    await withQueue({ claimTimeout: 6 }, async (queue) => {
      const taskQueueId = uniqueTaskQueueId();
      const worker = startWorker({ rootUrl: queue.rootUrl, taskQueueId });
      try {
        const pidFile = join(tempDir('pids'), 'pids');
        const taskId = await createTask(queue.client, taskQueueId, {
          command: [['sh', '-c', `echo $$ >> ${pidFile}; sleep 1000`]],
          maxRunTime: 300,
        });
        const [pid] = await readPids(pidFile, 1);
        await queue.client.cancelTask(taskId);
        await waitUntil(() => !isAlive(pid!), 'the canceled task process is gone', 20_000);
        const status = await waitForStatus(queue.client, taskId);
        assert.equal(status.runs.length, 1);
        assert.equal(status.runs[0]!.reasonResolved, 'canceled');
        // The log of a canceled run is not lost: the queue still takes artifacts after an exception.
        let log = '';
        await waitUntil(async () => {
          log = await taskLog(queue.rootUrl, taskId).catch(() => '');
          return log !== '';
        }, 'the canceled run has its backing log');
        assert.match(log, /=== Task Starting ===/);
        // The worker is still serving.
        const next = await createTask(queue.client, taskQueueId, { command: [['true']], maxRunTime: 30 });
        assert.equal((await waitForStatus(queue.client, next)).state, 'completed');
      } finally {
        await worker.stop();
      }
    });
  });

  it('a worker SIGKILLed mid-task leads to claim-expired and a second worker completes the retry', async () => {
    await withQueue({ claimTimeout: 3 }, async (queue) => {
      const taskQueueId = uniqueTaskQueueId();
      const first = startWorker({ rootUrl: queue.rootUrl, taskQueueId, workerId: 'doomed' });
      let survivor: ReturnType<typeof startWorker> | undefined;
      try {
        const taskId = await createTask(queue.client, taskQueueId, {
          command: [['sh', '-c', 'sleep 2; echo finished']],
          maxRunTime: 60,
        });
        await waitForStatus(queue.client, taskId, running);
        first.kill('SIGKILL');
        survivor = startWorker({ rootUrl: queue.rootUrl, taskQueueId, workerId: 'survivor' });
        const status = await waitForStatus(queue.client, taskId, (s) => s.state === 'completed');
        assert.equal(status.runs[0]!.reasonResolved, 'claim-expired');
        assert.equal(status.runs[1]!.reasonCreated, 'retry');
        assert.equal(status.runs[1]!.workerId, 'survivor');
        assert.match(await taskLog(queue.rootUrl, taskId, 1), /finished/);
      } finally {
        await first.stop();
        await survivor?.stop();
      }
    });
  });

  it('the queue killed and restarted mid-task loses nothing', async () => {
    const port = await freePort();
    const dataDir = tempDir('queue-restart');
    let queue = await startQueue({ port, dataDir });
    const taskQueueId = uniqueTaskQueueId();
    const worker = startWorker({ rootUrl: queue.rootUrl, taskQueueId });
    try {
      const taskId = await createTask(queue.client, taskQueueId, {
        command: [['sh', '-c', 'sleep 2; echo survived > out.txt; echo done-after-restart']],
        maxRunTime: 60,
        artifacts: [{ type: 'file', path: 'out.txt', name: 'public/out.txt' }],
      });
      await waitForStatus(queue.client, taskId, running);
      queue.process.kill('SIGKILL');
      await queue.process.exited;
      queue = await startQueue({ port, dataDir });
      const status = await waitForStatus(queue.client, taskId);
      assert.equal(status.state, 'completed', worker.output.slice(-3000));
      assert.match(await taskLog(queue.rootUrl, taskId), /done-after-restart/);
      const response = await fetch(
        queue.client.externalBuildUrl(queue.client.getArtifact, taskId, 0, 'public/out.txt'),
      );
      assert.equal(await response.text(), 'survived\n');
    } finally {
      await worker.stop();
      await queue.stop();
    }
  });

  it('graceful SIGTERM lets a running task finish; the worker then exits 0', async () => {
    await withQueue({}, async (queue) => {
      const taskQueueId = uniqueTaskQueueId();
      const worker = startWorker({ rootUrl: queue.rootUrl, taskQueueId });
      const taskId = await createTask(queue.client, taskQueueId, {
        command: [['sh', '-c', 'sleep 2; echo graceful-finish']],
        maxRunTime: 60,
      });
      await waitForStatus(queue.client, taskId, running);
      worker.kill('SIGTERM');
      const { code } = await worker.exited;
      const status = await waitForStatus(queue.client, taskId);
      assert.equal(status.state, 'completed', worker.output.slice(-3000));
      assert.equal(code, 0, worker.output.slice(-3000));
    });
  });

  it('a second signal aborts running tasks as worker-shutdown', async () => {
    await withQueue({}, async (queue) => {
      const taskQueueId = uniqueTaskQueueId();
      const worker = startWorker({ rootUrl: queue.rootUrl, taskQueueId });
      const pidFile = join(tempDir('pids'), 'pids');
      const taskId = await createTask(queue.client, taskQueueId, {
        command: [['sh', '-c', `echo $$ >> ${pidFile}; sleep 1000`]],
        maxRunTime: 600,
      });
      const [pid] = await readPids(pidFile, 1);
      worker.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 300));
      worker.kill('SIGTERM');
      const { code } = await worker.exited;
      const status = await waitForStatus(queue.client, taskId, (s) => s.runs[0]!.state === 'exception');
      assert.equal(status.runs[0]!.reasonResolved, 'worker-shutdown', worker.output.slice(-3000));
      assert.equal(status.runs[1]?.reasonCreated, 'retry');
      assert.match(await taskLog(queue.rootUrl, taskId, 0), /=== Task Starting ===/);
      assert.notEqual(code, 0);
      assert.equal(isAlive(pid!), false);
    });
  });

  it('dependencies hold a task until its dependency completes', async () => {
    await withQueue({}, async (queue) => {
      const taskQueueId = uniqueTaskQueueId();
      const worker = startWorker({ rootUrl: queue.rootUrl, taskQueueId, capacity: 2 });
      try {
        const first = await createTask(queue.client, taskQueueId, {
          command: [['sh', '-c', 'sleep 1; echo "FIRST_END $(date +%s%N)"']],
          maxRunTime: 60,
        });
        const second = await createTask(
          queue.client,
          taskQueueId,
          { command: [['sh', '-c', 'echo "SECOND_START $(date +%s%N)"']], maxRunTime: 60 },
          { dependencies: [first] },
        );
        assert.equal(
          ((await queue.client.status(second)) as { status: { state: string } }).status.state,
          'unscheduled',
        );
        assert.equal((await waitForStatus(queue.client, second)).state, 'completed');
        const firstEnd = Number(/FIRST_END (\d+)/.exec(await taskLog(queue.rootUrl, first))![1]);
        const secondStart = Number(/SECOND_START (\d+)/.exec(await taskLog(queue.rootUrl, second))![1]);
        assert.ok(secondStart > firstEnd, 'the dependent task started after its dependency ended');
      } finally {
        await worker.stop();
      }
    });
  });
});
