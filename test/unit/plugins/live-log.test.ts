import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { silentLog } from '../../../src/log/worker-log.js';
import { createLiveLogPlugin, referenceExpiry } from '../../../src/plugins/live-log/live-log-plugin.js';
import { taskLogPlugin } from '../../../src/plugins/task-log/task-log-plugin.js';
import type { Plugin, TaskPlugin } from '../../../src/plugins/types.js';
import { HttpWebhookServer } from '../../../src/webhooks/http-webhook-server.js';
import type { FakeEngine } from '../../helpers/fake-engine.js';
import { FakeRunArtifacts } from '../../helpers/fake-run-artifacts.js';
import { runWithPlugins } from '../../helpers/plugin-harness.js';
import { makeTask, testWorker } from '../../helpers/task-fixtures.js';

describe('live-log plugin', () => {
  let webhooks: HttpWebhookServer;
  before(async () => {
    webhooks = await HttpWebhookServer.start({ host: '127.0.0.1', port: 0 });
  });
  after(async () => {
    await webhooks.close();
  });

  const plugin = (config: Record<string, unknown> = {}): Promise<Plugin> =>
    Promise.resolve(createLiveLogPlugin().create({ config, log: silentLog(), worker: testWorker, webhooks }));

  /** A plugin that reads the live log while the task runs (in `stopped`, before the log closes). */
  const peek = (seen: { url?: string | undefined; text?: string; status?: number }): Plugin => ({
    name: 'peek',
    forTask: (ctx): TaskPlugin => ({
      async stopped() {
        const artifacts = (
          ctx.artifacts as unknown as { artifacts: Map<string, { request: { url?: string } }> }
        ).artifacts;
        seen.url = artifacts.get('public/logs/live.log')?.request.url;
        if (seen.url === undefined) return;
        // Only the first bytes: the stream stays open until the log closes.
        const response = await fetch(seen.url);
        seen.status = response.status;
        const reader = response.body!.getReader();
        let text = '';
        while (!text.includes('hello from the task')) {
          const { value, done } = await reader.read();
          if (done) break;
          text += Buffer.from(value).toString();
        }
        seen.text = text;
        await reader.cancel();
      },
    }),
  });

  it('publishes a reference to a stream of the running log, then the link replaces it', async () => {
    const seen: { url?: string | undefined; text?: string; status?: number } = {};
    const run = await runWithPlugins({
      plugins: [taskLogPlugin, await plugin(), peek(seen)],
      payload: {},
      engine: { output: 'hello from the task\n' },
    });
    assert.deepEqual(run.resolution, { kind: 'completed' });
    assert.equal(seen.status, 200);
    assert.match(seen.text ?? '', /=== Task Starting ===[\s\S]*hello from the task/);
    const calls = run.artifacts.calls.filter((call) => call.name === 'public/logs/live.log');
    assert.deepEqual(
      calls.map((call) => call.request.storageType),
      ['reference', 'link'],
    );
    const reference = calls[0]!.request as { url: string; expires: string; contentType: string };
    assert.equal(reference.url, seen.url);
    assert.match(reference.url, /^http:\/\/127\.0\.0\.1:\d+\/hooks\/[A-Za-z0-9_-]{24}$/);
    assert.equal(reference.contentType, 'text/plain; charset=utf-8');
    assert.equal((await fetch(reference.url)).status, 404, 'detached once the run is over');
  });

  it('kills the task when the queue refuses the reference, and the run reports it', async () => {
    const artifacts = await FakeRunArtifacts.start();
    artifacts.refusedArtifacts.set('public/logs/live.log', { status: 400, afterMs: 50 });
    const run = await runWithPlugins({
      plugins: [taskLogPlugin, await plugin()],
      payload: {},
      engine: { runsUntilKilled: true },
      artifacts,
    }).finally(() => artifacts.close());
    assert.ok((run.engine as FakeEngine).events.includes('kill:the live log could not be published'));
    assert.equal(run.resolution.kind, 'exception');
  });

  it('clamps the reference expiry to the deadline plus a margin and to the task expiry', () => {
    const now = Date.parse('2030-01-01T00:00:00.000Z');
    const soon = makeTask({}, { deadline: '2030-01-01T01:00:00.000Z', expires: '2030-01-01T01:30:00.000Z' });
    assert.equal(referenceExpiry({ task: soon }, now), '2030-01-01T01:30:00.000Z');
    const late = makeTask({}, { deadline: '2030-01-01T01:00:00.000Z', expires: '2031-01-01T00:00:00.000Z' });
    assert.equal(referenceExpiry({ task: late }, now), '2030-01-01T02:00:00.000Z');
  });

  it('does nothing for features.liveLog false; the task-log plugin then publishes no link', async () => {
    const run = await runWithPlugins({
      plugins: [taskLogPlugin, await plugin()],
      payload: { features: { liveLog: false } },
    });
    assert.deepEqual(run.resolution, { kind: 'completed' });
    assert.equal(run.artifacts.artifacts.get('public/logs/live.log'), undefined);
    assert.ok(run.artifacts.artifacts.get('public/logs/live_backing.log'));
  });

  it('publishes only the backing log when the worker disabled the live log', async () => {
    const config = { liveLog: { enabled: false } };
    const run = await runWithPlugins({ plugins: [taskLogPlugin, await plugin(config)], payload: {}, config });
    assert.deepEqual(run.resolution, { kind: 'completed' });
    assert.deepEqual(
      run.artifacts.calls.map((call) => call.name),
      ['public/logs/live_backing.log'],
    );
  });

  it('refuses a task that asks for the live log on a worker that disabled it', async () => {
    const config = { liveLog: { enabled: false } };
    const run = await runWithPlugins({
      plugins: [taskLogPlugin, await plugin(config)],
      payload: { features: { liveLog: true } },
      config,
    });
    assert.equal(run.resolution.kind, 'exception');
    assert.equal('reason' in run.resolution && run.resolution.reason, 'malformed-payload');
    assert.match(run.log, /features\.liveLog: the live log is not enabled on this worker pool/);
    assert.ok(run.artifacts.artifacts.get('public/logs/live_backing.log'));
    assert.equal(run.artifacts.artifacts.get('public/logs/live.log'), undefined);
  });

  describe('docker-worker format (features.localLiveLog)', () => {
    const dockerPlugin = (config: Record<string, unknown> = {}): Promise<Plugin> =>
      Promise.resolve(
        createLiveLogPlugin().create({
          config,
          log: silentLog(),
          worker: testWorker,
          webhooks,
          payloadFormat: 'docker-worker',
        }),
      );

    it('publishes the reference by default, and none for localLiveLog false', async () => {
      const references = async (payload: Record<string, unknown>): Promise<number> => {
        const run = await runWithPlugins({
          plugins: [await dockerPlugin()],
          payload,
          payloadFormat: 'docker-worker',
        });
        assert.deepEqual(run.resolution, { kind: 'completed' });
        return run.artifacts.calls.filter((call) => call.name === 'public/logs/live.log').length;
      };
      assert.equal(await references({}), 1);
      assert.equal(await references({ features: { localLiveLog: false } }), 0);
    });

    it('refuses localLiveLog true on a worker that disabled the live log, and generic-worker’s liveLog', async () => {
      const config = { liveLog: { enabled: false } };
      const refused = await runWithPlugins({
        plugins: [await dockerPlugin(config)],
        payload: { features: { localLiveLog: true } },
        config,
        payloadFormat: 'docker-worker',
      });
      assert.equal('reason' in refused.resolution && refused.resolution.reason, 'malformed-payload');
      assert.match(refused.log, /features\.localLiveLog: the live log is not enabled on this worker pool/);
      const generic = await runWithPlugins({
        plugins: [await dockerPlugin()],
        payload: { features: { liveLog: true } },
        payloadFormat: 'docker-worker',
      });
      assert.equal('reason' in generic.resolution && generic.resolution.reason, 'malformed-payload');
    });
  });
});
