import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { TaskCanceledError } from '../../../src/errors.js';
import { backingNameFor } from '../../../src/log/log-artifacts.js';
import { taskLogPlugin, taskLogSettings } from '../../../src/plugins/task-log/task-log-plugin.js';
import type { Plugin } from '../../../src/plugins/types.js';
import { FakeRunArtifacts } from '../../helpers/fake-run-artifacts.js';
import { runWithPlugins } from '../../helpers/plugin-harness.js';

describe('task-log plugin', () => {
  it('uploads the closed log as the backing log (gzip, text/plain, task expiry) and links the live log', async () => {
    const run = await runWithPlugins({
      plugins: [taskLogPlugin],
      payload: {},
      engine: { output: 'héllo\n' },
    });
    assert.deepEqual(run.resolution, { kind: 'completed' });
    const backing = run.artifacts.artifacts.get('public/logs/live_backing.log');
    assert.ok(backing?.body && backing.headers);
    assert.equal(backing.body.toString(), run.log);
    assert.match(run.log, /=== Task Finished ===/);
    assert.equal(backing.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(backing.headers['content-encoding'], 'gzip');
    assert.equal(backing.headers['content-length'], String(backing.rawBody?.length));
    assert.equal(backing.request.storageType, 's3');
    const request = backing.request as { contentLength?: number; expires: string; contentType: string };
    // Created as the run began, before the log had its final length (the field is optional).
    assert.equal(request.contentLength, undefined);
    assert.equal(request.contentType, 'text/plain; charset=utf-8');
    const live = run.artifacts.artifacts.get('public/logs/live.log');
    assert.deepEqual(live?.request, {
      storageType: 'link',
      artifact: 'public/logs/live_backing.log',
      contentType: 'text/plain; charset=utf-8',
      expires: request.expires,
    });
  });

  it('uses the payload names, and uploads nothing with features.backingLog false', async () => {
    const named = await runWithPlugins({
      plugins: [taskLogPlugin],
      payload: { logs: { backing: 'public/mine.log', live: 'public/live-mine.log' } },
    });
    assert.deepEqual([...named.artifacts.artifacts.keys()], ['public/mine.log', 'public/live-mine.log']);
    const off = await runWithPlugins({
      plugins: [taskLogPlugin],
      payload: { features: { backingLog: false } },
    });
    assert.equal(off.artifacts.artifacts.size, 0);
    const noLive = await runWithPlugins({
      plugins: [taskLogPlugin],
      payload: { features: { liveLog: false } },
    });
    assert.deepEqual([...noLive.artifacts.artifacts.keys()], ['public/logs/live_backing.log']);
  });

  it('docker-worker payloads: `log` names the live log and the backing log after it; bulkLog and localLiveLog switch them', async () => {
    const docker = { plugins: [taskLogPlugin], payloadFormat: 'docker-worker' as const };
    const defaults = await runWithPlugins({ ...docker, payload: {} });
    assert.deepEqual(
      [...defaults.artifacts.artifacts.keys()],
      ['public/logs/live_backing.log', 'public/logs/live.log'],
    );
    const named = await runWithPlugins({ ...docker, payload: { log: 'public/x/my.log.txt' } });
    assert.deepEqual(
      [...named.artifacts.artifacts.keys()],
      ['public/x/my.log_backing.txt', 'public/x/my.log.txt'],
    );
    assert.deepEqual(
      (named.artifacts.artifacts.get('public/x/my.log.txt')?.request as { artifact?: string }).artifact,
      'public/x/my.log_backing.txt',
    );
    const noLive = await runWithPlugins({ ...docker, payload: { features: { localLiveLog: false } } });
    assert.deepEqual([...noLive.artifacts.artifacts.keys()], ['public/logs/live_backing.log']);
    const noBulk = await runWithPlugins({ ...docker, payload: { features: { bulkLog: false } } });
    assert.equal(noBulk.artifacts.artifacts.size, 0);
    // generic-worker's names are not part of a docker-worker payload.
    const foreign = await runWithPlugins({ ...docker, payload: { logs: { live: 'public/other.log' } } });
    assert.deepEqual(
      { kind: foreign.resolution.kind, reason: (foreign.resolution as { reason?: string }).reason },
      { kind: 'exception', reason: 'malformed-payload' },
    );
  });

  it('derives docker-worker backing log names before the extension of the last path segment', () => {
    assert.equal(backingNameFor('public/logs/live.log'), 'public/logs/live_backing.log');
    assert.equal(backingNameFor('apple/banana.log.txt'), 'apple/banana.log_backing.txt');
    assert.equal(backingNameFor('public/logs/live'), 'public/logs/live_backing');
    assert.equal(backingNameFor('public/v1.2/log'), 'public/v1.2/log_backing');
    assert.equal(backingNameFor('public/.log'), 'public/.log_backing');
  });

  it('goes to the object service when the worker stores artifacts there', async () => {
    const run = await runWithPlugins({
      plugins: [taskLogPlugin],
      payload: {},
      engine: { output: 'to the object service\n' },
      config: { artifacts: { storageType: 'object' } },
    });
    assert.deepEqual(run.resolution, { kind: 'completed' });
    const backing = run.artifacts.artifacts.get('public/logs/live_backing.log');
    assert.equal(backing?.request.storageType, 'object');
    assert.equal(backing?.finished, true);
    assert.equal(backing?.body?.toString(), run.log, 'stored as it is: the object service has no encoding');
    assert.equal(backing?.object?.hashes?.sha256, createHash('sha256').update(run.log).digest('hex'));
    assert.equal(run.artifacts.artifacts.get('public/logs/live.log')?.request.storageType, 'link');
  });

  it('falls back to the default names for names that are not valid artifact names', () => {
    const settings = taskLogSettings({ logs: { backing: 'public/../x.log', live: 'public/live\n.log' } });
    assert.equal(settings.backingName, 'public/logs/live_backing.log');
    assert.equal(settings.liveName, 'public/logs/live.log');
  });

  it('reads an invalid payload defensively', () => {
    assert.deepEqual(taskLogSettings({ logs: 5, features: [] }), {
      liveName: 'public/logs/live.log',
      backingName: 'public/logs/live_backing.log',
      backingLog: true,
      liveLog: true,
    });
    assert.equal(taskLogSettings({ logs: { backing: 7 } }).backingName, 'public/logs/live_backing.log');
    assert.equal(taskLogSettings({ features: { backingLog: false } }).backingLog, false);
  });

  it('retries a failed PUT', async () => {
    const artifacts = await FakeRunArtifacts.start();
    try {
      artifacts.failPuts.push(503);
      const run = await runWithPlugins({ plugins: [taskLogPlugin], payload: {}, artifacts });
      assert.deepEqual(run.resolution, { kind: 'completed' });
      assert.equal(artifacts.putCount, 2);
      assert.equal(artifacts.text('public/logs/live_backing.log'), run.log);
    } finally {
      await artifacts.close();
    }
  });

  it('still uploads the log of a canceled run', async () => {
    const controller = new AbortController();
    const canceler: Plugin = {
      name: 'canceler',
      forTask: () => ({ started: () => controller.abort(new TaskCanceledError()) }),
    };
    const run = await runWithPlugins({
      plugins: [taskLogPlugin, canceler],
      payload: {},
      engine: { runsUntilKilled: true },
      signal: controller.signal,
    });
    assert.equal(run.resolution.kind, 'canceled');
    assert.match(run.artifacts.text('public/logs/live_backing.log'), /Task canceled/);
  });
});
