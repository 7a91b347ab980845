// The live log as a viewer sees it: a real worker (child process) against the embedded queue; the viewer
// follows getArtifact's redirect for public/logs/live.log to the worker's webhook server. The task waits for
// a gate file so that "while the task runs" is a fact, not a timing guess.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  createTask,
  fetchArtifact,
  referenceUrlOf,
  startQueue,
  startWorker,
  taskLog,
  tempDir,
  uniqueTaskQueueId,
  waitForStatus,
  type CliProcess,
  type QueueHandle,
} from '../../helpers/cluster.js';
import { openLiveReader } from '../../helpers/live-log-reader.js';

const timeoutMs = 120_000;

describe('live log', { timeout: 4 * timeoutMs }, () => {
  let queue: QueueHandle;
  let worker: CliProcess;
  let disabledWorker: CliProcess;
  const taskQueueId = uniqueTaskQueueId();
  const disabledQueueId = uniqueTaskQueueId();

  before(async () => {
    queue = await startQueue();
    worker = startWorker({ rootUrl: queue.rootUrl, taskQueueId, capacity: 2 });
    disabledWorker = startWorker({
      rootUrl: queue.rootUrl,
      taskQueueId: disabledQueueId,
      workerId: 'no-live-log',
      extra: { liveLog: { enabled: false } },
    });
    await Promise.all([
      worker.waitFor(/webhook server listening/),
      disabledWorker.waitFor(/webhook server listening/),
    ]);
  });
  after(async () => {
    await Promise.all([worker?.stop(), disabledWorker?.stop()]);
    await queue?.stop();
  });

  it('streams every byte to many readers while the task runs, resumes with Range, then links', async () => {
    const gate = join(tempDir('gate'), 'open');
    // ~22 MB before the gate: more than socket buffers hold, so the stalled reader is really behind.
    const script = [
      "seq 1 300000 | sed 's/$/ the quick brown fox jumps over the lazy dog 0123456789 abcdefghij/'",
      'echo waiting-for-gate',
      `while [ ! -f '${gate}' ]; do sleep 0.05; done`,
      "seq 300001 300100 | sed 's/$/ after the gate/'",
      'echo task-done',
    ].join('\n');
    const taskId = await createTask(queue.client, taskQueueId, {
      command: [['sh', '-c', script]],
      maxRunTime: 300,
    });
    const hookUrl = await referenceUrlOf(queue.rootUrl, taskId, 'public/logs/live.log', { timeoutMs });

    const stalled = await openLiveReader(hookUrl);
    stalled.pause();
    const readers = await Promise.all(Array.from({ length: 10 }, () => openLiveReader(hookUrl)));
    assert.equal(readers[0]!.response.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(readers[0]!.response.headers['access-control-allow-origin'], '*');
    const dropped = await openLiveReader(hookUrl);

    // Lines arrive while the task is still running (it waits for the gate).
    await readers[0]!.waitFor('waiting-for-gate\n', timeoutMs);
    await dropped.waitFor('waiting-for-gate\n', timeoutMs);
    const status = await waitForStatus(queue.client, taskId, () => true);
    assert.equal(status.state, 'running');
    const seenBeforeDrop = dropped.received();
    dropped.destroy();
    const resumed = await openLiveReader(hookUrl, { range: `bytes=${seenBeforeDrop.length}-` });
    assert.equal(resumed.response.statusCode, 206);

    writeFileSync(gate, '');
    // The paused reader does not hold the task up.
    const final = await waitForStatus(queue.client, taskId, undefined, timeoutMs);
    assert.equal(final.state, 'completed');

    const backing = Buffer.from(await taskLog(queue.rootUrl, taskId));
    assert.match(backing.toString(), /waiting-for-gate\n[\s\S]*300100 after the gate\ntask-done\n/);
    for (const reader of readers) assert.ok((await reader.done).equals(backing), 'reader has the full log');
    assert.ok(
      Buffer.concat([seenBeforeDrop, await resumed.done]).equals(backing),
      'resume has no gap or repeat',
    );
    assert.ok(stalled.received().length < backing.length, 'the stalled reader was really behind');
    stalled.resume();
    assert.ok((await stalled.done).equals(backing), 'the stalled reader still gets everything');

    // The name now links to the backing log, and the hook is gone.
    const linked = await fetchArtifact(queue.rootUrl, taskId, 0, 'public/logs/live.log');
    assert.equal(linked.status, 200);
    assert.ok(Buffer.from(await linked.arrayBuffer()).equals(backing));
    assert.equal((await fetch(hookUrl)).status, 404);
  });

  it('refuses features.liveLog on a worker pool that disabled it, and publishes only the backing log', async () => {
    const asked = await createTask(queue.client, disabledQueueId, {
      command: [['true']],
      maxRunTime: 30,
      features: { liveLog: true },
    });
    const status = await waitForStatus(queue.client, asked, undefined, timeoutMs);
    assert.equal(status.state, 'exception');
    assert.equal(status.runs[0]?.reasonResolved, 'malformed-payload');
    assert.match(await taskLog(queue.rootUrl, asked), /live log is not enabled on this worker pool/);

    const plain = await createTask(queue.client, disabledQueueId, { command: [['true']], maxRunTime: 30 });
    assert.equal((await waitForStatus(queue.client, plain, undefined, timeoutMs)).state, 'completed');
    const artifacts = (await queue.client.listArtifacts(plain, 0)) as { artifacts: Array<{ name: string }> };
    assert.deepEqual(
      artifacts.artifacts.map((artifact) => artifact.name),
      ['public/logs/live_backing.log'],
    );
  });
});
