// Images defined in a repository, as Taskcluster users ship them: one task builds an image and publishes
// it with `docker save` (plain, zstd and lz4), dependent tasks run in it as a task-image; the worker loads
// each once and reuses it. The building task runs on a process-engine worker (it needs the host's docker),
// the dependent ones on a docker-engine worker, both against the same embedded queue and real daemon.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
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
  type TaskStatus,
} from '../../helpers/cluster.js';
import { busyboxImage, dockerService, testDockerConfig } from '../../helpers/docker-service.js';

const docker = await dockerService();

const buildScript = (tag: string): string =>
  [
    'set -e',
    'mkdir ctx',
    'echo "built by $TASK_ID" > ctx/marker',
    `printf 'FROM ${busyboxImage}\\nCOPY marker /marker\\nCMD ["cat", "/marker"]\\n' > ctx/Dockerfile`,
    `docker build -q -t ${tag} ctx`,
    'mkdir public',
    `docker save ${tag} > public/image.tar`,
    'zstd -q public/image.tar -o public/image.tar.zst',
    'lz4 -q public/image.tar public/image.tar.lz4',
    // A tarball that calls its image by another image's name (the shared test image's).
    'mkdir evil && tar -C evil -xf public/image.tar',
    `sed -i "s#${tag.split(':')[0]}#local/busybox#g; s#${tag.split(':')[1]}#latest#g" evil/manifest.json evil/repositories`,
    'tar -C evil -cf public/evil.tar .',
    // The daemon forgets it: the dependent tasks must load it from the artifacts.
    `docker rmi ${tag}`,
  ].join('\n');

describe('task images', { skip: 'skip' in docker ? docker.skip : false, timeout: 300_000 }, () => {
  let queue: QueueHandle;
  let builder: CliProcess;
  let worker: CliProcess;
  const buildQueueId = uniqueTaskQueueId();
  const dockerQueueId = uniqueTaskQueueId();
  const loaded: string[] = [];

  before(async () => {
    queue = await startQueue();
    builder = startWorker({ rootUrl: queue.rootUrl, taskQueueId: buildQueueId, workerId: 'builder' });
    worker = startWorker({
      rootUrl: queue.rootUrl,
      taskQueueId: dockerQueueId,
      capacity: 2,
      extra: {
        engine: 'docker',
        docker: testDockerConfig('socket' in docker ? docker.socket : ''),
      },
    });
  });
  after(async () => {
    await Promise.all([builder?.stop(), worker?.stop()]);
    await queue?.stop();
    // The images the worker loaded stay cached on the daemon; a test run leaves none behind.
    if (loaded.length > 0) spawnSync('docker', ['rmi', '-f', ...loaded], { stdio: 'ignore' });
  });

  /** Runs a docker task in the task image `path` of `producer` (a dependency, if it exists). */
  const runIn = async (producer: string, path: string, exists = true): Promise<[TaskStatus, string]> => {
    const taskId = await createTask(
      queue.client,
      dockerQueueId,
      { image: { type: 'task-image', taskId: producer, path }, maxRunTime: 60 },
      exists ? { dependencies: [producer] } : {},
    );
    const status = await waitForStatus(queue.client, taskId, undefined, 120_000);
    return [status, await taskLog(queue.rootUrl, taskId)];
  };

  /** Creates the task that builds an image (tagged `tag`) and publishes it as `artifacts` say. */
  const buildTask = (tag: string, artifacts: Array<Record<string, string>>): Promise<string> =>
    createTask(queue.client, buildQueueId, {
      command: [['sh', '-c', buildScript(tag)]],
      env: { DOCKER_BUILDKIT: '0' },
      maxRunTime: 120,
      artifacts,
    });
  const randomTag = (): string => `tcw-test-built:${Math.random().toString(36).slice(2, 10)}`;

  it('builds an image in one task, runs dependent tasks in it (tar, tar.zst, tar.lz4), and reuses the loaded image', async () => {
    const tag = randomTag();
    const buildId = await buildTask(tag, [{ type: 'directory', path: 'public', name: 'public' }]);
    const built = await waitForStatus(queue.client, buildId, undefined, 120_000);
    assert.equal(
      built.state,
      'completed',
      `${await taskLog(queue.rootUrl, buildId)}\n${builder.output.slice(-2000)}`,
    );

    for (const [path, format] of [
      ['public/image.tar', 'tar'],
      ['public/image.tar.zst', 'zstd'],
      ['public/image.tar.lz4', 'lz4'],
    ] as const) {
      const [status, log] = await runIn(buildId, path);
      assert.equal(status.state, 'completed', log);
      assert.match(log, new RegExp(`^built by ${buildId}$`, 'm'), 'the image’s default command ran');
      assert.match(log, new RegExp(`Task image format: ${format}`));
      const cached = /as (tc-worker\/task-image:[0-9a-f]+)/.exec(log)?.[1];
      assert.ok(cached, log);
      loaded.push(cached);
    }
    // The names the tarball brought are not left on the daemon.
    assert.notEqual(spawnSync('docker', ['image', 'inspect', tag], { stdio: 'ignore' }).status, 0);
    const [again, againLog] = await runIn(buildId, 'public/image.tar.zst');
    assert.equal(again.state, 'completed', againLog);
    assert.match(againLog, /Using the cached task image public\/image\.tar\.zst/);
    assert.doesNotMatch(againLog, /Downloading the task image/);
  });

  it('a task image that names itself like another image does not replace that image', async () => {
    const idOf = (name: string): string =>
      spawnSync('docker', ['image', 'inspect', '--format', '{{.Id}}', name], {
        encoding: 'utf8',
      }).stdout.trim();
    const original = idOf(busyboxImage);
    const buildId = await buildTask(randomTag(), [
      { type: 'file', path: 'public/evil.tar', name: 'public/evil.tar' },
    ]);
    assert.equal((await waitForStatus(queue.client, buildId, undefined, 120_000)).state, 'completed');
    const [status, log] = await runIn(buildId, 'public/evil.tar');
    assert.equal(status.state, 'completed', log);
    assert.match(log, new RegExp(`^built by ${buildId}$`, 'm'));
    const cached = /as (tc-worker\/task-image:[0-9a-f]+)/.exec(log)?.[1];
    if (cached) loaded.push(cached);
    assert.equal(idOf(busyboxImage), original, `${busyboxImage} still names the image it named`);
  });

  it('a private task image is read with the task’s scopes; without them the task is malformed-payload, saying so', async () => {
    const buildId = await buildTask(randomTag(), [
      { type: 'file', path: 'public/image.tar', name: 'private/image.tar' },
    ]);
    assert.equal((await waitForStatus(queue.client, buildId, undefined, 120_000)).state, 'completed');
    const withScope = await createTask(
      queue.client,
      dockerQueueId,
      { image: { type: 'task-image', taskId: buildId, path: 'private/image.tar' }, maxRunTime: 60 },
      { dependencies: [buildId], scopes: ['queue:get-artifact:private/image.tar'] },
    );
    const status = await waitForStatus(queue.client, withScope, undefined, 120_000);
    const log = await taskLog(queue.rootUrl, withScope);
    assert.equal(status.state, 'completed', log);
    assert.match(log, new RegExp(`^built by ${buildId}$`, 'm'));
    const cached = /as (tc-worker\/task-image:[0-9a-f]+)/.exec(log)?.[1];
    if (cached) loaded.push(cached);
    // The image is on the daemon now; a task without the scope still may not use it.
    const [refused, refusedLog] = await runIn(buildId, 'private/image.tar');
    assert.equal(refused.runs[0]?.reasonResolved, 'malformed-payload', refusedLog);
    assert.match(
      refusedLog,
      /the task's scopes do not allow reading the artifact .*private\/image\.tar \(HTTP 403\)/,
    );
    assert.doesNotMatch(refusedLog, /bewit/);
  });

  it('a task-image artifact that does not exist is malformed-payload', async () => {
    const [status, log] = await runIn('aaaaaaaaQaaCaaaaaaaaaA', 'public/nothing.tar', false);
    assert.equal(status.runs[0]?.reasonResolved, 'malformed-payload', log);
    assert.match(log, /the artifact at .*public\/nothing\.tar does not exist/);
    // The download URL is signed with the run's credentials; the (public) log never shows the signature.
    assert.doesNotMatch(log, /bewit/);
  });

  it('an artifact that is no image tarball fails the task, saying what it is not', async () => {
    const producer = await createTask(queue.client, buildQueueId, {
      command: [['sh', '-c', 'mkdir public && echo not an image > public/text.tar']],
      maxRunTime: 30,
      artifacts: [{ type: 'file', path: 'public/text.tar', name: 'public/text.tar' }],
    });
    assert.equal((await waitForStatus(queue.client, producer, undefined, 60_000)).state, 'completed');
    const [status, log] = await runIn(producer, 'public/text.tar');
    assert.equal(status.state, 'failed', log);
    assert.match(log, /is not an image tarball/);
  });
});
