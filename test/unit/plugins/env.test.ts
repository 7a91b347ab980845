import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { envPlugin } from '../../../src/plugins/env/env-plugin.js';
import { FakeEngine } from '../../helpers/fake-engine.js';
import { runWithPlugins } from '../../helpers/plugin-harness.js';

describe('env plugin', () => {
  it('sets the payload variables, then forces the task and worker identity', async () => {
    const engine = new FakeEngine();
    const run = await runWithPlugins({
      plugins: [envPlugin],
      payload: {
        env: { FOO: 'bar', PATH: '/custom/bin', TASK_ID: 'spoofed', RUN_ID: '9', toString: 'kept' },
      },
      engine,
    });
    assert.deepEqual(run.resolution, { kind: 'completed' });
    const env = Object.fromEntries(engine.env);
    assert.equal(env.FOO, 'bar');
    assert.equal(env.PATH, '/custom/bin');
    assert.equal(engine.env.get('toString'), 'kept');
    assert.equal(env.TASK_ID, engine.ctx?.taskId);
    assert.equal(env.RUN_ID, '0');
    assert.equal(env.TASK_GROUP_ID, 'TjzryjyfQkihuo5gJr5L1w');
    assert.equal(env.TASK_WORKDIR, engine.ctx?.taskDir);
    assert.equal(env.TASKCLUSTER_ROOT_URL, 'https://tc.example.com');
    assert.equal('TASKCLUSTER_WORKER_LOCATION' in env, false);
    assert.equal('TASKCLUSTER_INSTANCE_TYPE' in env, false);
    assert.match(run.log, /\[taskcluster:warn \S+\] env\.TASK_ID is set by the worker/);
    assert.match(run.log, /env\.RUN_ID is set by the worker/);
  });

  it('adds the worker location and instance type when the worker has them', async () => {
    const engine = new FakeEngine();
    await runWithPlugins({
      plugins: [envPlugin],
      payload: {},
      engine,
      worker: { workerLocation: '{"cloud":"static"}', instanceType: 'm5.large' },
    });
    assert.equal(engine.env.get('TASKCLUSTER_WORKER_LOCATION'), '{"cloud":"static"}');
    assert.equal(engine.env.get('TASKCLUSTER_INSTANCE_TYPE'), 'm5.large');
  });

  it('refuses a value that is not a string', async () => {
    const run = await runWithPlugins({ plugins: [envPlugin], payload: { env: { N: 1 } } });
    assert.equal(run.resolution.kind === 'exception' && run.resolution.reason, 'malformed-payload');
    assert.match(run.log, /^\[taskcluster:error\] payload\.env\.N must be string$/m);
  });
});
