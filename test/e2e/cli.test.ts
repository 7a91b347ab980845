// tc-worker as a user runs it, from dist/ (the test command builds first): the demo, and submit --wait
// against `tc-worker queue` + `tc-worker work`.
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import {
  CliProcess,
  startQueue,
  startWorker,
  tempDir,
  uniqueTaskQueueId,
  type QueueHandle,
} from '../helpers/cluster.js';
import { freePort } from '../helpers/processes.js';

const built = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

before(() => {
  assert.ok(existsSync(built), `${built} is missing: run \`npm run build\` first (npm test does)`);
});

describe('tc-worker demo', { timeout: 120_000 }, () => {
  it('--exit-after-task runs the hello-world task, exits 0, and its artifact is downloadable', async () => {
    const dataDir = tempDir('demo');
    const port = await freePort();
    const demo = new CliProcess(['demo', '--exit-after-task', '--data-dir', dataDir, '--port', String(port)]);
    const { code } = await demo.exited;
    assert.equal(code, 0, demo.output);
    assert.match(demo.output, /claimed: +\S+ run 0/);
    assert.match(demo.output, /running: +\S+ run 0/);
    assert.match(demo.output, /resolved: +\S+ run 0 completed/);
    const artifact = /artifact: (http:\S+\/public\/hello\.txt)/.exec(demo.output)?.[1];
    const log = /log: +(http:\S+live_backing\.log)/.exec(demo.output)?.[1];
    assert.ok(artifact && log, demo.output);

    // The demo's queue is gone with it; its data is not. Serve the same data on the same port.
    const queue = await startQueue({ dataDir: join(dataDir, 'queue'), port });
    try {
      const response = await fetch(artifact);
      assert.equal(response.status, 200, artifact);
      assert.equal(await response.text(), 'hello world\n');
      const logResponse = await fetch(log);
      assert.equal(logResponse.status, 200, log);
      assert.match(await logResponse.text(), /hello from tc-worker/);
    } finally {
      await queue.stop();
    }
  });
});

describe('tc-worker submit against tc-worker queue and tc-worker work', { timeout: 120_000 }, () => {
  let queue: QueueHandle;
  let worker: CliProcess;
  const taskQueueId = uniqueTaskQueueId();
  const dir = tempDir('submit');

  before(async () => {
    queue = await startQueue();
    worker = startWorker({ rootUrl: queue.rootUrl, taskQueueId, capacity: 3 });
  });
  after(async () => {
    await worker?.stop();
    await queue?.stop();
  });

  function taskFile(name: string, text: string): string {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  }

  async function submit(file: string, ...flags: string[]): Promise<{ code: number | null; output: string }> {
    const proc = new CliProcess(['submit', file, '--task-queue-id', taskQueueId, ...flags], {
      TASKCLUSTER_ROOT_URL: queue.rootUrl,
      TASKCLUSTER_CLIENT_ID: queue.credentials.clientId,
      TASKCLUSTER_ACCESS_TOKEN: queue.credentials.accessToken,
    });
    const { code } = await proc.exited;
    return { code, output: proc.output };
  }

  it('--wait exits 0 for a completed task, 1 for a failed one, 2 for an exception', async () => {
    const completed = taskFile(
      'completed.yml',
      'payload:\n  command: [[sh, -c, "echo all good"]]\n  maxRunTime: 30\n',
    );
    const failed = taskFile(
      'failed.json',
      JSON.stringify({ payload: { command: [['false']], maxRunTime: 30 } }),
    );
    // No maxRunTime: malformed-payload.
    const exception = taskFile('exception.yml', 'payload:\n  command: [["true"]]\n');
    const results = await Promise.all([
      submit(completed, '--wait'),
      submit(failed, '--wait'),
      submit(exception, '--wait'),
    ]);
    assert.deepEqual(
      results.map(({ code }) => code),
      [0, 1, 2],
      results.map(({ output }) => output).join('\n---\n') + `\n--- worker:\n${worker.output.slice(-3000)}`,
    );
    assert.match(results[0].output, /taskId: \S{22}/);
    assert.match(results[0].output, /resolved: completed/);
    assert.match(results[2].output, /resolved: exception \(malformed-payload\)/);
  });

  it('--follow prints the task log when the task is done', async () => {
    const file = taskFile(
      'follow.yml',
      'payload:\n  command: [[sh, -c, "echo followed-output"]]\n  maxRunTime: 30\n',
    );
    const { code, output } = await submit(file, '--follow', '--root-url', queue.rootUrl);
    assert.equal(code, 0, output);
    assert.match(output, /--- task log ---[\s\S]*followed-output[\s\S]*--- end of task log ---/);
  });

  it('without --wait it prints where to look and exits 0 at once', async () => {
    const file = taskFile('nowait.yml', 'payload:\n  command: [["true"]]\n  maxRunTime: 30\n');
    const { code, output } = await submit(file);
    assert.equal(code, 0, output);
    const taskId = /taskId: (\S+)/.exec(output)![1]!;
    assert.match(output, new RegExp(`status: ${queue.rootUrl}/api/queue/v1/task/${taskId}/status`));
    assert.match(output, new RegExp(`/task/${taskId}/runs/0/artifacts/public/logs/live_backing\\.log`));
  });
});

describe('tc-worker work exit codes', { timeout: 120_000 }, () => {
  it('exits 78 on an invalid config, before claiming anything', async () => {
    const path = join(tempDir('bad-config'), 'worker.yml');
    writeFileSync(path, 'capacity: zero\n');
    const worker = new CliProcess(['work', '--config', path]);
    const { code } = await worker.exited;
    assert.equal(code, 78, worker.output);
    assert.match(worker.output, /invalid config .*worker\.yml/);
    assert.match(worker.output, /config\.capacity must be integer/);
  });

  it('exits 0 on a graceful stop and 75 when a second signal aborts a running task', async () => {
    const queue = await startQueue();
    const taskQueueId = uniqueTaskQueueId();
    const idle = startWorker({ rootUrl: queue.rootUrl, taskQueueId: uniqueTaskQueueId() });
    const busy = startWorker({ rootUrl: queue.rootUrl, taskQueueId });
    const file = join(tempDir('busy'), 'sleep.yml');
    // No retries: worker-shutdown is then final, and submit --wait sees it.
    writeFileSync(file, 'retries: 0\npayload:\n  command: [[sleep, "600"]]\n  maxRunTime: 300\n');
    const submit = new CliProcess(
      ['submit', file, '--root-url', queue.rootUrl, '--task-queue-id', taskQueueId, '--wait'],
      {
        TASKCLUSTER_CLIENT_ID: queue.credentials.clientId,
        TASKCLUSTER_ACCESS_TOKEN: queue.credentials.accessToken,
      },
    );
    try {
      await idle.waitFor(/"to":"running"/);
      idle.kill('SIGTERM');
      assert.equal((await idle.exited).code, 0, idle.output);

      await busy.waitFor(/task claimed/);
      busy.kill('SIGTERM');
      await busy.waitFor(/"to":"draining"/);
      busy.kill('SIGTERM');
      assert.equal((await busy.exited).code, 75, busy.output);
      assert.match(busy.output, /"report":"reported"/);
      const submitted = await submit.exited;
      assert.equal(submitted.code, 2, submit.output);
      assert.match(submit.output, /resolved: exception \(worker-shutdown\)/);
    } finally {
      await Promise.all([submit.stop(), idle.stop(), busy.stop()]);
      await queue.stop();
    }
  });
});
