// Docker engine tasks through the embedded queue and a real worker, against a real Docker daemon: cases as
// data, each a docker-worker payload and what the queue and the task log show afterwards.
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
import { busyboxImage, dockerService, testDockerConfig } from '../../helpers/docker-service.js';

interface Case {
  name: string;
  payload: Record<string, unknown>;
  scopes?: string[];
  expect: { state: 'completed' | 'failed' | 'exception'; reason?: string; log?: RegExp[]; notLog?: RegExp[] };
}

const image = busyboxImage;
const cases: Case[] = [
  {
    name: 'a command that exits 0 completes, with docker-worker’s closing line',
    payload: { image, command: ['sh', '-c', 'echo hello-from-docker; echo to-stderr >&2'], maxRunTime: 30 },
    expect: {
      state: 'completed',
      log: [
        /=== Task Starting ===/,
        /hello-from-docker/,
        /to-stderr/,
        // docker-worker's closing line comes last, after the footer, timed over the whole task.
        /=== Task Finished ===\n[^\n]*Task Duration[^\n]*\n[^\n]*Successful task run with exit code: 0 completed in \d+\.\d{3} seconds\n$/,
      ],
    },
  },
  {
    name: 'features.taskclusterProxy without a network to reach the worker by is malformed-payload, saying why',
    payload: { image, command: ['true'], maxRunTime: 30, features: { taskclusterProxy: true } },
    expect: {
      state: 'exception',
      reason: 'malformed-payload',
      log: [/features\.taskclusterProxy was requested, but the task has no network/],
    },
  },
  {
    name: 'a non-zero exit fails the task with its exit code',
    payload: { image, command: ['sh', '-c', 'exit 3'], maxRunTime: 30 },
    expect: {
      state: 'failed',
      log: [/Exit Code: 3/, /Unsuccessful task run with exit code: 3 completed in/],
    },
  },
  {
    name: 'without a command the image’s default command runs',
    payload: { image, maxRunTime: 30 },
    expect: { state: 'completed', log: [/the image's default command/] },
  },
  {
    name: 'env is applied; the forced variables win; the worker’s credentials never reach the task',
    payload: {
      image,
      command: [
        'sh',
        '-c',
        'echo "FOO=$FOO TASK_ID=$TASK_ID RUN_ID=$RUN_ID ROOT=$TASKCLUSTER_ROOT_URL"; env',
      ],
      env: { FOO: 'bar baz', TASK_ID: 'overridden' },
      maxRunTime: 30,
    },
    expect: {
      state: 'completed',
      log: [
        /FOO=bar baz TASK_ID=[A-Za-z0-9_-]{22} RUN_ID=0 ROOT=http:\/\/127\.0\.0\.1:\d+/,
        /TASK_WORKDIR=\//,
      ],
      notLog: [/TASK_ID=overridden/, /not-checked-yet/, /TASKCLUSTER_ACCESS_TOKEN/],
    },
  },
  {
    name: 'max run time kills the container and fails the task',
    payload: { image, command: ['sh', '-c', 'echo sleeping; sleep 600'], maxRunTime: 1 },
    expect: { state: 'failed', log: [/sleeping/, /max run time exceeded/, /Unsuccessful task run/] },
  },
  {
    name: 'a container over the memory limit is OOM-killed, failed, and the log says so',
    payload: { image, command: ['sh', '-c', 'dd if=/dev/zero of=/dev/null bs=300M count=1'], maxRunTime: 60 },
    expect: { state: 'failed', log: [/ran out of memory \(memory limit 64 MiB\)/] },
  },
  {
    name: 'an image that cannot be pulled fails the task with the reason',
    payload: { image: '127.0.0.1:9/no/such-image:1', command: ['true'], maxRunTime: 30 },
    expect: { state: 'failed', log: [/the image 127\.0\.0\.1:9\/no\/such-image:1 could not be pulled/] },
  },
  {
    name: 'a cache without its scope is malformed-payload and nothing runs',
    payload: {
      image,
      command: ['sh', '-c', 'echo ran'],
      cache: { 'tcw-test-noscope': '/cache' },
      maxRunTime: 30,
    },
    expect: {
      state: 'exception',
      reason: 'malformed-payload',
      log: [
        /payload\.cache\.tcw-test-noscope: the cache needs the scope docker-worker:cache:tcw-test-noscope/,
      ],
      notLog: [/Executing command/],
    },
  },
  {
    name: 'privileged without the scope is malformed-payload',
    payload: { image, command: ['true'], capabilities: { privileged: true }, maxRunTime: 30 },
    expect: {
      state: 'exception',
      reason: 'malformed-payload',
      log: [/needs the scope docker-worker:capability:privileged/],
    },
  },
  {
    name: 'privileged with the scope (on a worker that allows it) gets every capability the host can give',
    payload: {
      image,
      command: ['sh', '-c', 'grep CapEff /proc/self/status'],
      capabilities: { privileged: true },
      maxRunTime: 30,
    },
    scopes: ['docker-worker:capability:privileged'],
    expect: { state: 'completed', log: [/CapEff:\s*0*[0-9a-f]{9,}/] },
  },
  {
    name: 'a feature this worker does not offer is malformed-payload',
    payload: { image, maxRunTime: 30, features: { dind: true } },
    expect: { state: 'exception', reason: 'malformed-payload', log: [/payload\.features .*"dind"/] },
  },
  {
    name: 'every problem the engine finds is listed: device, cache scope',
    payload: {
      image,
      maxRunTime: 30,
      capabilities: { devices: { kvm: true } },
      cache: { 'tcw-test-other': '/other' },
    },
    expect: {
      state: 'exception',
      reason: 'malformed-payload',
      log: [
        /payload\.capabilities\.devices\.kvm: this worker offers no such device/,
        /payload\.cache\.tcw-test-other: the cache needs the scope/,
      ],
    },
  },
  {
    name: 'an indexed image on a deployment without an index service is malformed-payload, saying so',
    payload: {
      image: { type: 'indexed-image', namespace: 'no.such.namespace', path: 'public/image.tar' },
      maxRunTime: 30,
    },
    expect: {
      state: 'exception',
      reason: 'malformed-payload',
      log: [/no indexed task at namespace no\.such\.namespace/],
    },
  },
  {
    name: 'onExitStatus.retry makes the run intermittent',
    payload: { image, command: ['sh', '-c', 'exit 42'], onExitStatus: { retry: [42] }, maxRunTime: 30 },
    expect: { state: 'exception', reason: 'intermittent-task' },
  },
];

const docker = await dockerService();

describe('docker engine tasks', { skip: 'skip' in docker ? docker.skip : false, timeout: 240_000 }, () => {
  let queue: QueueHandle;
  let worker: CliProcess;
  const taskQueueId = uniqueTaskQueueId();

  before(async () => {
    queue = await startQueue();
    worker = startWorker({
      rootUrl: queue.rootUrl,
      taskQueueId,
      capacity: 4,
      maxTaskRunTime: 600,
      extra: {
        engine: 'docker',
        docker: testDockerConfig('socket' in docker ? docker.socket : '', {
          memoryMB: 64,
          allowPrivileged: true,
        }),
      },
    });
  });
  after(async () => {
    await worker?.stop();
    await queue?.stop();
  });

  for (const testCase of cases) {
    it(testCase.name, async () => {
      const taskId = await createTask(queue.client, taskQueueId, testCase.payload, {
        ...(testCase.scopes ? { scopes: testCase.scopes } : {}),
      });
      const status = await waitForStatus(queue.client, taskId, undefined, 120_000);
      const run = status.runs[0]!;
      const log = await taskLog(queue.rootUrl, taskId, 0);
      const context = `worker output:\n${worker.output.slice(-3000)}\ntask log:\n${log}`;
      if (process.env.SHOW_LOG) console.log(log);
      assert.equal(run.state, testCase.expect.state, context);
      if (testCase.expect.reason) assert.equal(run.reasonResolved, testCase.expect.reason, context);
      for (const pattern of testCase.expect.log ?? []) assert.match(log, pattern, context);
      for (const pattern of testCase.expect.notLog ?? []) assert.doesNotMatch(log, pattern, context);
    });
  }

  it('publishes file and directory artifacts copied out of the stopped container; a missing one is an error artifact and the task still completes', async () => {
    const taskId = await createTask(queue.client, taskQueueId, {
      image,
      command: [
        'sh',
        '-c',
        'mkdir -p /out/dir/sub && echo one > /out/one.txt && echo two > /out/dir/sub/two.txt && echo three > /out/dir/three.txt && ln -s /out/one.txt /out/link.txt',
      ],
      maxRunTime: 30,
      artifacts: {
        'public/one.txt': { type: 'file', path: '/out/one.txt' },
        'public/link.txt': { type: 'file', path: '/out/link.txt' },
        'public/dir': { type: 'directory', path: '/out/dir' },
        'public/missing.txt': { type: 'file', path: '/out/missing.txt' },
        'public/missing-dir': { type: 'directory', path: '/nowhere' },
      },
    });
    const status = await waitForStatus(queue.client, taskId, undefined, 120_000);
    const log = await taskLog(queue.rootUrl, taskId);
    assert.equal(status.state, 'completed', log);
    const get = (name: string): Promise<Response> =>
      fetch(queue.client.externalBuildUrl(queue.client.getArtifact, taskId, 0, name), { redirect: 'follow' });
    assert.equal(await (await get('public/one.txt')).text(), 'one\n');
    assert.equal(await (await get('public/link.txt')).text(), 'one\n');
    assert.equal(await (await get('public/dir/sub/two.txt')).text(), 'two\n');
    assert.equal(await (await get('public/dir/three.txt')).text(), 'three\n');
    const missing = await fetch(
      queue.client.externalBuildUrl(queue.client.getArtifact, taskId, 0, 'public/missing.txt'),
      { redirect: 'manual' },
    );
    assert.equal(missing.status, 424, 'an error artifact');
    const missingDir = await fetch(
      queue.client.externalBuildUrl(queue.client.getArtifact, taskId, 0, 'public/missing-dir'),
      { redirect: 'manual' },
    );
    assert.equal(missingDir.status, 424, 'an error artifact');
  });

  it('features.taskclusterProxy: a container on a bridge network reaches the queue through the proxy', async () => {
    const bridgeQueueId = uniqueTaskQueueId();
    const bridged = startWorker({
      rootUrl: queue.rootUrl,
      taskQueueId: bridgeQueueId,
      extra: {
        engine: 'docker',
        docker: testDockerConfig('socket' in docker ? docker.socket : '', { network: 'bridge' }),
      },
    });
    try {
      const taskId = await createTask(queue.client, bridgeQueueId, {
        image,
        command: [
          'sh',
          '-c',
          'wget -O- "$TASKCLUSTER_PROXY_URL/api/queue/v1/ping"; echo; echo "url=$TASKCLUSTER_PROXY_URL"',
        ],
        maxRunTime: 30,
        features: { taskclusterProxy: true },
      });
      const status = await waitForStatus(queue.client, taskId, undefined, 120_000);
      const log = await taskLog(queue.rootUrl, taskId);
      assert.equal(status.state, 'completed', `${log}\n${bridged.output.slice(-2000)}`);
      assert.match(log, /"alive":\s*true/);
      assert.match(log, /url=http:\/\/\d+\.\d+\.\d+\.\d+:\d+\/[A-Za-z0-9_-]{20,}/);
    } finally {
      await bridged.stop();
    }
  });

  it('names the logs after payload.log, and publishes no live log link with features.localLiveLog false', async () => {
    const named = await createTask(queue.client, taskQueueId, {
      image,
      command: ['echo', 'named-log'],
      maxRunTime: 30,
      log: 'public/logs/custom.log',
    });
    const quiet = await createTask(queue.client, taskQueueId, {
      image,
      command: ['echo', 'no-live-log'],
      maxRunTime: 30,
      features: { localLiveLog: false },
    });
    for (const taskId of [named, quiet])
      assert.equal((await waitForStatus(queue.client, taskId, undefined, 120_000)).state, 'completed');
    const names = async (taskId: string): Promise<Record<string, string>> =>
      Object.fromEntries(
        (await queue.client.listArtifacts(taskId, 0)).artifacts.map(
          (a: { name: string; storageType: string }) => [a.name, a.storageType],
        ),
      );
    assert.deepEqual(await names(named), {
      'public/logs/custom_backing.log': 's3',
      'public/logs/custom.log': 'link',
    });
    const linked = await fetch(
      queue.client.externalBuildUrl(queue.client.getArtifact, named, 0, 'public/logs/custom.log'),
    );
    assert.match(await linked.text(), /named-log/);
    assert.deepEqual(await names(quiet), { 'public/logs/live_backing.log': 's3' });
  });

  it('keeps a cache between tasks, and purges it after an exit code listed in onExitStatus.purgeCaches', async () => {
    const cache = `tcw-test-${Math.random().toString(36).slice(2, 10)}`;
    const scopes = [`docker-worker:cache:${cache}`];
    const run = async (script: string, extra: Record<string, unknown> = {}): Promise<[string, string]> => {
      const taskId = await createTask(
        queue.client,
        taskQueueId,
        { image, command: ['sh', '-c', script], cache: { [cache]: '/cache' }, maxRunTime: 30, ...extra },
        { scopes },
      );
      const status = await waitForStatus(queue.client, taskId, undefined, 120_000);
      return [status.state, await taskLog(queue.rootUrl, taskId)];
    };
    const [first, firstLog] = await run('echo kept > /cache/file');
    assert.equal(first, 'completed', firstLog);
    const [second, secondLog] = await run('cat /cache/file; exit 7', { onExitStatus: { purgeCaches: [7] } });
    assert.equal(second, 'failed', secondLog);
    assert.match(secondLog, /^kept$/m);
    assert.match(secondLog, /caches .* will be purged/);
    // Purged again at the end: the test leaves no volume behind.
    const [third, thirdLog] = await run('test ! -e /cache/file && echo cache-is-empty; exit 7', {
      onExitStatus: { purgeCaches: [7] },
    });
    assert.equal(third, 'failed', thirdLog);
    assert.match(thirdLog, /cache-is-empty/);
  });
});
