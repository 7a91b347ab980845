import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../../src/config/config-error.js';
import { parseConfig } from '../../../src/config/load-config.js';
import { processEngine } from '../../../src/engines/process/process-engine.js';
import { interactivePlugin } from '../../../src/plugins/interactive/interactive-plugin.js';

const minimal = {
  rootUrl: 'https://tc.example.com',
  credentials: { clientId: 'worker/w1', accessToken: 'secret-token' },
  taskQueueId: 'prov/wt',
  workerGroup: 'wg',
  workerId: 'w1',
  workDir: '/var/tmp/tasks',
};
const options = { engines: [processEngine], plugins: [interactivePlugin] };

describe('interactive config part', () => {
  it('defaults to disabled with 4 sessions', () => {
    const config = parseConfig(JSON.stringify(minimal), 'worker.json', options) as Record<string, unknown>;
    assert.deepEqual(config.interactive, { enabled: false, maxSessions: 4 });
  });

  it('refuses a bad maxSessions and unknown keys', () => {
    const bad = { ...minimal, interactive: { enabled: true, maxSessions: 0, colour: 'red' } };
    assert.throws(
      () => parseConfig(JSON.stringify(bad), 'worker.json', options),
      (error) => error instanceof ConfigError && error.problems.length >= 2,
    );
  });
});
