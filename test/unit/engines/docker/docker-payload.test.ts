// The docker-worker payload format: the docker engine's part composed with every plugin's docker-worker
// part (as a worker running the docker engine composes them), and the engine's own checks (scopes, what the
// worker allows and offers).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { registry } from '../../../../src/cli/registry.js';
import { checkConfig } from '../../../../src/config/load-config.js';
import { dockerEngine } from '../../../../src/engines/docker/docker-provider.js';
import { dockerSettingsFrom } from '../../../../src/engines/docker/docker-settings.js';
import { checkDockerPayload } from '../../../../src/engines/docker/payload-check.js';
import type { Engine } from '../../../../src/engines/types.js';
import { silentLog } from '../../../../src/log/worker-log.js';
import type { Plugin } from '../../../../src/plugins/types.js';
import { loadSchema } from '../../../../src/schema/schema-files.js';
import { composePayloadSchema, createPayloadValidator } from '../../../../src/task-run/payload-schema.js';
import { testWorker } from '../../../helpers/task-fixtures.js';

const engine: Engine = {
  name: 'docker',
  payloadFormat: 'docker-worker',
  payloadSchema: loadSchema('payload/docker-engine'),
  prepare: () => Promise.reject(new Error('unused')),
};

async function validator(): Promise<(payload: unknown) => string[]> {
  const plugins: Plugin[] = [];
  for (const provider of registry.plugins)
    plugins.push(
      await provider.create({
        config: {},
        log: silentLog(),
        worker: testWorker,
        payloadFormat: 'docker-worker',
      }),
    );
  return createPayloadValidator(composePayloadSchema(engine, plugins));
}

describe('docker-worker payload schema', () => {
  it('takes a docker-worker payload with every field', async () => {
    const validate = await validator();
    const payload = {
      image: { type: 'task-image', taskId: 'aaaaaaaaQaaCaaaaaaaaaA', path: 'public/image.tar.zst' },
      command: ['/bin/bash', '-c', 'make'],
      env: { A: 'b' },
      maxRunTime: 600,
      artifacts: {
        'public/build.tar.gz': { type: 'file', path: '/home/worker/build.tar.gz' },
        'public/logs': { type: 'directory', path: '/home/worker/logs', expires: '2030-01-01T00:00:00.000Z' },
      },
      cache: { 'level-3-checkouts': '/builds/worker/checkouts' },
      capabilities: { privileged: false, devices: {} },
      features: { localLiveLog: true, interactive: false },
      onExitStatus: { retry: [72], purgeCaches: [73] },
      log: 'public/logs/live.log',
      supersederUrl: 'https://example.com/superseder',
    };
    assert.deepEqual(validate(structuredClone(payload)), []);
    for (const image of [
      'ubuntu:24.04',
      { type: 'docker-image', name: 'ubuntu' },
      { type: 'indexed-image', namespace: 'a.b', path: 'public/i.tar' },
    ])
      assert.deepEqual(validate({ image, maxRunTime: 1 }), []);
  });

  it('refuses the generic-worker shape and unknown features, each problem by field', async () => {
    const validate = await validator();
    const problems = validate({
      image: 'ubuntu',
      maxRunTime: 60,
      command: [['echo', 'nested']],
      artifacts: [{ type: 'file', path: 'a' }],
      features: { dind: true },
      cache: { 'bad name!': '/x', ok: 'relative' },
      osGroups: ['docker'],
    });
    for (const field of ['command[0]', 'artifacts', 'features', 'cache', 'cache.ok'])
      assert.ok(
        problems.some((problem) => problem.startsWith(`payload.${field} `)),
        `${field}: ${problems.join('\n')}`,
      );
    assert.ok(
      problems.some((problem) => problem.includes('osGroups')),
      problems.join('\n'),
    );
  });

  it('needs an image and a maxRunTime', async () => {
    const validate = await validator();
    const problems = validate({});
    assert.ok(
      problems.some((problem) => problem.includes('image')),
      problems.join('\n'),
    );
    assert.ok(
      problems.some((problem) => problem.includes('maxRunTime')),
      problems.join('\n'),
    );
  });
});

describe('docker payload checks', () => {
  it('needs a scope per cache, and refuses mount points that collide', () => {
    const check = checkDockerPayload(
      { image: 'x', cache: { a: '/cache/a', b: '/cache/a/', c: '/', d: '/d' } },
      ['docker-worker:cache:a', 'docker-worker:cache:c*', 'docker-worker:cache:d'],
      false,
    );
    assert.deepEqual(check.problems, [
      'payload.cache.b: the cache needs the scope docker-worker:cache:b, which the task lacks',
      'payload.cache.b: /cache/a/ is also the mount point of cache a',
      'payload.cache.c: a cache cannot be mounted on /',
    ]);
  });

  it('grants caches by a star scope', () => {
    const check = checkDockerPayload(
      { image: 'x', cache: { 'level-1': '/c' } },
      ['docker-worker:cache:level-*'],
      false,
    );
    assert.deepEqual(check.problems, []);
    assert.deepEqual([...check.caches], [['level-1', '/c']]);
  });

  it('privileged only when the worker allows it and the task has the scope', () => {
    const payload = { image: 'x', capabilities: { privileged: true } };
    const scope = ['docker-worker:capability:privileged'];
    assert.equal(checkDockerPayload(payload, scope, true).privileged, true);
    assert.deepEqual(checkDockerPayload(payload, scope, true).problems, []);
    assert.match(checkDockerPayload(payload, scope, false).problems.join(), /does not allow privileged/);
    assert.match(
      checkDockerPayload(payload, [], true).problems.join(),
      /needs the scope docker-worker:capability:privileged/,
    );
    assert.equal(checkDockerPayload(payload, [], true).privileged, false);
    assert.equal(checkDockerPayload({ image: 'x' }, scope, true).privileged, false);
  });

  it('refuses devices and disableSeccomp', () => {
    const check = checkDockerPayload(
      { image: 'x', capabilities: { devices: { kvm: true, loopbackAudio: false }, disableSeccomp: true } },
      [],
      true,
    );
    assert.equal(check.problems.length, 2, check.problems.join('\n'));
  });
});

describe('docker config keys', () => {
  const minimal = {
    rootUrl: 'https://tc.example.com',
    credentials: { clientId: 'c', accessToken: 't' },
    taskQueueId: 'p/w',
    workerGroup: 'g',
    workerId: 'w',
    workDir: '/var/lib/tc-worker/work',
    engine: 'docker',
  };
  const options = { engines: [dockerEngine], plugins: [] };

  it('have defaults, and the engine reads them with the root URL', () => {
    const config = checkConfig({ ...minimal, docker: { memoryMB: 512 } }, 'worker.yml', options);
    const settings = dockerSettingsFrom(config);
    assert.equal(settings.socket, '/var/run/docker.sock');
    assert.equal(settings.memoryMB, 512);
    assert.equal(settings.network, 'bridge');
    assert.equal(settings.allowPrivileged, false);
    assert.equal(settings.callTimeoutMs, 60_000);
    assert.equal(settings.imageGc.minFreeBytes, 10240 * 1024 * 1024);
    assert.equal(settings.rootUrl, 'https://tc.example.com');
  });

  it('refuse unknown keys and bad values', () => {
    assert.throws(
      () =>
        checkConfig(
          { ...minimal, docker: { memoryMB: 1, privileged: true, imageGc: { minFreePercent: 200 } } },
          'worker.yml',
          options,
        ),
      (error: Error) =>
        /memoryMB/.test(error.message) &&
        /privileged/.test(error.message) &&
        /minFreePercent/.test(error.message),
    );
  });
});
