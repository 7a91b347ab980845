import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createProcessEngine } from '../../../src/engines/process/process-engine.js';
import { silentLog } from '../../../src/log/worker-log.js';
import { artifactsPlugin } from '../../../src/plugins/artifacts/artifacts-plugin.js';
import { envPlugin } from '../../../src/plugins/env/env-plugin.js';
import { liveLogPlugin } from '../../../src/plugins/live-log/live-log-plugin.js';
import { maxRunTimePlugin } from '../../../src/plugins/max-run-time/max-run-time-plugin.js';
import { onExitStatusPlugin } from '../../../src/plugins/on-exit-status/on-exit-status-plugin.js';
import { taskLogPlugin } from '../../../src/plugins/task-log/task-log-plugin.js';
import type { Plugin } from '../../../src/plugins/types.js';
import { SchemaClashError } from '../../../src/schema/compose.js';
import { composePayloadSchema, createPayloadValidator } from '../../../src/task-run/payload-schema.js';
import { testWorker } from '../../helpers/task-fixtures.js';

const create = async (): Promise<Plugin[]> => {
  const plugins: Plugin[] = [];
  for (const provider of [
    envPlugin,
    maxRunTimePlugin,
    onExitStatusPlugin,
    taskLogPlugin,
    liveLogPlugin,
    artifactsPlugin,
  ])
    plugins.push(await provider.create({ config: {}, log: silentLog(), worker: testWorker }));
  return plugins;
};

describe('payload schema', () => {
  it('composes the engine and every plugin, and fills defaults into the value it checks', async () => {
    const validate = createPayloadValidator(composePayloadSchema(createProcessEngine(), await create()));
    const payload: Record<string, unknown> = {
      command: [['true']],
      maxRunTime: 5,
      artifacts: [{ type: 'file', path: 'a' }],
    };
    assert.deepEqual(validate(payload), []);
    assert.deepEqual(payload.logs, { live: 'public/logs/live.log', backing: 'public/logs/live_backing.log' });
    assert.deepEqual(payload.features, { backingLog: true, liveLog: true });
    assert.deepEqual(payload.artifacts, [{ type: 'file', path: 'a', optional: false }]);
  });

  it('accepts supersederUrl and onExitStatus, refuses what no part defines', async () => {
    const validate = createPayloadValidator(composePayloadSchema(createProcessEngine(), await create()));
    const base = { command: [['true']], maxRunTime: 5 };
    assert.deepEqual(
      validate({
        ...base,
        supersederUrl: 'https://example.com/s',
        onExitStatus: { retry: [1], purgeCaches: [0] },
      }),
      [],
    );
    assert.deepEqual(validate({ ...base, features: { interactive: true } }), [
      'payload.features has a property that is not allowed: "interactive"',
    ]);
    assert.deepEqual(validate({ ...base, onExitStatus: { retry: [0] } }), [
      'payload.onExitStatus.retry[0] must be >= 1',
    ]);
  });

  it('throws SchemaClashError when two parts define one property', async () => {
    const [env] = await create();
    const clash: Plugin = { name: 'other-env', payloadSchema: env!.payloadSchema!, forTask: () => undefined };
    assert.throws(() => composePayloadSchema(createProcessEngine(), [env!, clash]), SchemaClashError);
  });
});
