// The sandbox engine's config part and payload part, as the worker composes and checks them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkConfig } from '../../../../src/config/load-config.js';
import { sandboxEngine } from '../../../../src/engines/sandbox/sandbox-engine.js';
import type { Engine } from '../../../../src/engines/types.js';
import type { Plugin } from '../../../../src/plugins/types.js';
import { loadSchema } from '../../../../src/schema/schema-files.js';
import { composePayloadSchema, createPayloadValidator } from '../../../../src/task-run/payload-schema.js';

const minimal = {
  rootUrl: 'https://tc.example.com',
  credentials: { clientId: 'c', accessToken: 't' },
  taskQueueId: 'p/w',
  workerGroup: 'g',
  workerId: 'w',
  workDir: '/var/lib/tc-worker/work',
  engine: 'sandbox',
};

describe('sandbox config keys', () => {
  const options = { engines: [sandboxEngine], plugins: [] };

  it('have defaults and take limits', () => {
    const config = checkConfig({ ...minimal, sandbox: { memoryMB: 2048, cpus: 1.5 } }, 'worker.yml', options);
    assert.deepEqual(config.sandbox, {
      memoryMB: 2048,
      cpus: 1.5,
      pids: 1024,
      allowNetwork: false,
      stateDir: '/var/lib/tc-worker/sandbox',
      cgroupParent: 'tc-worker',
      taskUids: { first: 2000000000, count: 1000000 },
    });
  });

  it('refuse unknown keys and bad values', () => {
    assert.throws(
      () =>
        checkConfig(
          {
            ...minimal,
            sandbox: {
              memoryMB: 1,
              network: true,
              stateDir: 'relative',
              cgroupParent: '../x',
              taskUids: { first: 0, count: 1 },
            },
          },
          'worker.yml',
          options,
        ),
      (error: Error) =>
        /memoryMB/.test(error.message) &&
        /network/.test(error.message) &&
        /stateDir/.test(error.message) &&
        /cgroupParent/.test(error.message) &&
        /taskUids\.first/.test(error.message) &&
        /taskUids\.count/.test(error.message),
    );
  });
});

describe('sandbox payload part', () => {
  // Composed with the payload parts of the plugins the CLI registers, as a worker does.
  const plugins: Plugin[] = [
    'env',
    'artifacts',
    'interactive',
    'live-log',
    'max-run-time',
    'on-exit-status',
    'task-log',
  ].map((name) => ({ name, payloadSchema: loadSchema(`payload/${name}`), forTask: () => undefined }));
  const engine: Engine = {
    name: 'sandbox',
    payloadSchema: loadSchema('payload/sandbox-engine'),
    prepare: () => Promise.reject(new Error('unused')),
  };
  const validate = createPayloadValidator(composePayloadSchema(engine, plugins));

  it('takes commands, OS groups and resources beside the plugins’ fields', () => {
    const payload = {
      command: [['sh', '-c', 'true']],
      maxRunTime: 60,
      osGroups: ['docker', 'Debian-exim'],
      resources: { memoryMB: 512, pids: 64, cpus: 0.5 },
      env: { A: 'b' },
    };
    assert.deepEqual(validate(payload), []);
  });

  it('refuses bad OS groups and resources', () => {
    const problems = validate({
      command: [['true']],
      maxRunTime: 60,
      osGroups: ['a,b', 'a,b'],
      resources: { memoryMB: 'lots', pids: 2, cpus: 0, disk: 1 },
    });
    for (const field of [
      'osGroups[0]',
      'osGroups',
      'resources.memoryMB',
      'resources.pids',
      'resources.cpus',
      'resources',
    ])
      assert.ok(
        problems.some((problem) => problem.startsWith(`payload.${field} `)),
        `${field}: ${problems.join('\n')}`,
      );
  });
});
