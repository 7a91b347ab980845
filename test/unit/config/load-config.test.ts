import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError } from '../../../src/config/config-error.js';
import { composeConfigSchema } from '../../../src/config/config-schema.js';
import { loadConfigFile, parseConfig, type LoadConfigOptions } from '../../../src/config/load-config.js';
import type { EngineProvider } from '../../../src/engines/types.js';
import type { PluginProvider } from '../../../src/plugins/types.js';
import { SchemaClashError } from '../../../src/schema/compose.js';

const engine: EngineProvider = {
  name: 'process',
  configSchema: {
    type: 'object',
    properties: { processUser: { type: 'string', default: 'current' } },
  },
  create: () => {
    throw new Error('not in this test');
  },
};
const plugin: PluginProvider = {
  name: 'live-log',
  configSchema: {
    type: 'object',
    properties: {
      liveLog: {
        type: 'object',
        additionalProperties: false,
        default: {},
        properties: { enabled: { type: 'boolean', default: true } },
      },
    },
  },
  create: () => {
    throw new Error('not in this test');
  },
};
const options: LoadConfigOptions = { engines: [engine], plugins: [plugin] };

const minimal = {
  rootUrl: 'https://tc.example.com',
  credentials: { clientId: 'worker/w1', accessToken: 'secret-token' },
  taskQueueId: 'prov/wt',
  workerGroup: 'wg',
  workerId: 'w1',
  workDir: '/var/tmp/tasks',
};

function problemsOf(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('config loading', () => {
  it('applies the defaults of the worker, the engine and the plugins', () => {
    const config = parseConfig(JSON.stringify(minimal), 'worker.json', options);
    assert.equal(config.capacity, 1);
    assert.equal(config.engine, 'process');
    assert.equal(config.maxTaskRunTime, 86400);
    assert.equal(config.shutdownGracePeriod, 300);
    assert.equal(config.keepTaskDirs, false);
    assert.equal(config.logLevel, 'info');
    assert.equal(config.processUser, 'current');
    assert.deepEqual(config.liveLog, { enabled: true });
  });

  it('freezes the result, deeply', () => {
    const config = parseConfig(JSON.stringify(minimal), 'worker.json', options);
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.credentials));
    assert.throws(() => {
      (config as { capacity: number }).capacity = 5;
    }, TypeError);
  });

  it('reads YAML and JSON files alike', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tcw-config-'));
    const yamlPath = join(dir, 'worker.yml');
    writeFileSync(
      yamlPath,
      [
        'rootUrl: https://tc.example.com',
        'credentials:',
        '  clientId: worker/w1',
        '  accessToken: secret-token',
        'taskQueueId: prov/wt',
        'workerGroup: wg',
        'workerId: w1',
        'workDir: /var/tmp/tasks',
        'capacity: 4',
        'liveLog: { enabled: false }',
        '',
      ].join('\n'),
    );
    const jsonPath = join(dir, 'worker.json');
    writeFileSync(jsonPath, JSON.stringify({ ...minimal, capacity: 4, liveLog: { enabled: false } }));
    const fromYaml = loadConfigFile(yamlPath, options);
    const fromJson = loadConfigFile(jsonPath, options);
    assert.deepEqual(fromYaml, fromJson);
    assert.equal(fromYaml.capacity, 4);
  });

  it('lists every problem at once, with the file name', () => {
    const broken = {
      ...minimal,
      capacity: 0,
      workerId: 'not valid!',
      taskQueueId: 'no-slash',
      liveLog: { enabled: 'yes' },
      credentials: { clientId: 'worker/w1' },
    };
    let caught: unknown;
    try {
      parseConfig(JSON.stringify(broken), '/etc/tc-worker.json', options);
    } catch (error) {
      caught = error;
    }
    assert.ok(caught instanceof ConfigError);
    const text = caught.problems.join('\n');
    assert.match(text, /config\.capacity must be >= 1/);
    assert.match(text, /config\.workerId must match pattern/);
    assert.match(text, /config\.taskQueueId must match pattern/);
    assert.match(text, /config\.liveLog\.enabled must be boolean/);
    assert.match(text, /config\.credentials is missing the required property "accessToken"/);
    assert.equal(caught.problems.length, 5, text);
    assert.match(caught.message, /^invalid config \/etc\/tc-worker\.json:\n {2}- /);
  });

  it('refuses unknown keys, at the top and inside parts', () => {
    const problems = problemsOf(() =>
      parseConfig(
        JSON.stringify({ ...minimal, capactiy: 2, liveLog: { enable: true } }),
        'worker.json',
        options,
      ),
    );
    assert.deepEqual([...problems].sort(), [
      'config has a property that is not allowed: "capactiy"',
      'config.liveLog has a property that is not allowed: "enable"',
    ]);
  });

  it('names the missing required keys', () => {
    const problems = problemsOf(() => parseConfig('{}', 'worker.json', options));
    for (const key of ['rootUrl', 'credentials', 'taskQueueId', 'workerGroup', 'workerId', 'workDir'])
      assert.ok(
        problems.includes(`config is missing the required property "${key}"`),
        `${key}: ${problems.join('; ')}`,
      );
  });

  it('refuses an unknown engine and still checks the rest', () => {
    const problems = problemsOf(() =>
      parseConfig(JSON.stringify({ ...minimal, engine: 'docker', capacity: -1 }), 'worker.json', options),
    );
    assert.ok(
      problems.includes('config.engine must be one of "process" (not "docker")'),
      problems.join('; '),
    );
    assert.ok(problems.some((problem) => problem.startsWith('config.capacity')));
  });

  it('reports syntax errors and files that are not mappings', () => {
    assert.match(problemsOf(() => parseConfig('{', 'worker.json', options))[0]!, /not valid JSON/);
    assert.match(problemsOf(() => parseConfig('a: [1', 'worker.yml', options))[0]!, /not valid YAML/);
    assert.match(problemsOf(() => parseConfig('- 1', 'worker.yml', options))[0]!, /must be a mapping/);
    assert.match(problemsOf(() => loadConfigFile('/nonexistent/worker.yml', options))[0]!, /cannot read/);
  });

  it('takes rootUrl and credentials from the environment only where the file has none', () => {
    const env = {
      rootUrl: 'https://env.example.com',
      clientId: 'env-client',
      accessToken: 'env-token',
      certificate: '{"version":1}',
    };
    const { rootUrl: _rootUrl, credentials: _credentials, ...bare } = minimal;
    const fromEnv = parseConfig(JSON.stringify(bare), 'worker.json', { ...options, env });
    assert.equal(fromEnv.rootUrl, 'https://env.example.com');
    assert.deepEqual(fromEnv.credentials, {
      clientId: 'env-client',
      accessToken: 'env-token',
      certificate: '{"version":1}',
    });
    const fromFile = parseConfig(JSON.stringify(minimal), 'worker.json', { ...options, env });
    assert.equal(fromFile.rootUrl, minimal.rootUrl);
    assert.deepEqual(
      fromFile.credentials,
      minimal.credentials,
      'no certificate mixed in from the environment',
    );
  });

  it('composes the schema from its parts and refuses clashes', () => {
    const schema = composeConfigSchema(engine, [plugin]);
    const properties = schema.properties as Record<string, unknown>;
    assert.ok('rootUrl' in properties && 'processUser' in properties && 'liveLog' in properties);
    assert.equal(schema.additionalProperties, false);
    const clashing: PluginProvider = { ...plugin, name: 'other', configSchema: plugin.configSchema! };
    assert.throws(() => composeConfigSchema(engine, [plugin, clashing]), SchemaClashError);
  });
});
