import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createProcessEngine } from '../../../src/engines/process/process-engine.js';
import { artifactsPlugin } from '../../../src/plugins/artifacts/artifacts-plugin.js';
import { taskLogPlugin } from '../../../src/plugins/task-log/task-log-plugin.js';
import { FakeRunArtifacts } from '../../helpers/fake-run-artifacts.js';
import { runWithPlugins } from '../../helpers/plugin-harness.js';

const files = {
  'out/report.txt': 'report',
  'out/data.json': '{"a":1}',
  'out/deep/image.png': 'PNG',
  'out/blob.bin': 'bits',
  'dir/': '',
};

const run = (
  artifacts: unknown[],
  more: Parameters<typeof runWithPlugins>[0] extends infer O ? Partial<O> : never = {},
) => runWithPlugins({ plugins: [artifactsPlugin], payload: { artifacts }, engine: { files }, ...more });

describe('artifacts plugin', () => {
  it('uploads a file: name defaults to the path, type by extension, gzip, original length', async () => {
    const { resolution, artifacts } = await run([{ type: 'file', path: 'out/report.txt' }]);
    assert.deepEqual(resolution, { kind: 'completed' });
    const stored = artifacts.artifacts.get('out/report.txt');
    assert.equal(stored?.body?.toString(), 'report');
    assert.equal(stored?.headers?.['content-type'], 'text/plain; charset=utf-8');
    assert.equal(stored?.headers?.['content-encoding'], 'gzip');
    assert.deepEqual(
      { ...stored?.request, expires: undefined },
      { storageType: 's3', contentType: 'text/plain; charset=utf-8', contentLength: 6, expires: undefined },
    );
  });

  it('honours name, contentType, contentEncoding and expires, and sends compressed kinds as they are', async () => {
    const expires = new Date(Date.now() + 2 * 60 * 60 * 1000).toISOString();
    const { artifacts } = await run([
      {
        type: 'file',
        path: 'out/blob.bin',
        name: 'public/blob',
        contentType: 'application/x-custom',
        expires,
      },
      { type: 'file', path: 'out/data.json', name: 'public/data.json', contentEncoding: 'identity' },
      { type: 'file', path: 'out/deep/image.png', name: 'public/image.png' },
    ]);
    const blob = artifacts.artifacts.get('public/blob');
    assert.equal(blob?.headers?.['content-type'], 'application/x-custom');
    assert.equal((blob?.request as { expires: string }).expires, expires);
    const data = artifacts.artifacts.get('public/data.json');
    assert.equal(data?.headers?.['content-type'], 'application/json');
    assert.equal(data?.headers?.['content-encoding'], undefined);
    const image = artifacts.artifacts.get('public/image.png');
    assert.equal(image?.headers?.['content-type'], 'image/png');
    assert.equal(image?.headers?.['content-encoding'], undefined);
    assert.equal(image?.body?.toString(), 'PNG');
  });

  it('publishes a directory as one artifact per file', async () => {
    const { resolution, artifacts } = await run([{ type: 'directory', path: 'out', name: 'public/out/' }]);
    assert.deepEqual(resolution, { kind: 'completed' });
    assert.deepEqual([...artifacts.artifacts.keys()].sort(), [
      'public/out/blob.bin',
      'public/out/data.json',
      'public/out/deep/image.png',
      'public/out/report.txt',
    ]);
    assert.equal(artifacts.text('public/out/deep/image.png'), 'PNG');
  });

  it('a missing required artifact is an error artifact and fails the task; an optional one does not', async () => {
    const failed = await run([
      { type: 'file', path: 'missing.txt', name: 'public/missing.txt' },
      { type: 'file', path: 'out', name: 'public/dir-as-file' },
      { type: 'directory', path: 'out/report.txt', name: 'public/file-as-dir' },
    ]);
    assert.deepEqual(failed.resolution, {
      kind: 'failed',
      reason:
        'required artifacts could not be published: public/file-as-dir (invalid-resource-on-worker), ' +
        'public/missing.txt (file-missing-on-worker), public/dir-as-file (invalid-resource-on-worker)',
    });
    const missing = failed.artifacts.artifacts.get('public/missing.txt')?.request;
    assert.equal(missing?.storageType, 'error');
    assert.equal(missing?.storageType === 'error' && missing.reason, 'file-missing-on-worker');
    assert.match(failed.log, /^\[taskcluster:error\] Artifact public\/missing\.txt not published: /m);

    const optional = await run([{ type: 'file', path: 'missing.txt', optional: true }]);
    assert.deepEqual(optional.resolution, { kind: 'completed' });
    assert.equal(optional.artifacts.artifacts.get('missing.txt')?.request.storageType, 'error');
    assert.match(optional.log, /\[taskcluster:warn \S+\] Optional artifact missing\.txt not published/);
  });

  it('skips reserved names with a warning', async () => {
    const { resolution, artifacts, log } = await runWithPlugins({
      plugins: [artifactsPlugin, taskLogPlugin],
      payload: {
        artifacts: [{ type: 'file', path: 'out/report.txt', name: 'public/logs/live_backing.log' }],
      },
      engine: { files },
    });
    assert.deepEqual(resolution, { kind: 'completed' });
    assert.match(log, /\[taskcluster:warn \S+\] Artifact name public\/logs\/live_backing\.log is reserved/);
    assert.match(artifacts.text('public/logs/live_backing.log'), /Task Starting/);
  });

  it('refuses expiries before the deadline or after the task expiry (malformed-payload, both listed)', async () => {
    const { resolution, log } = await run([
      { type: 'file', path: 'a', expires: new Date(Date.now() + 60_000).toISOString() },
      { type: 'file', path: 'b', expires: new Date(Date.now() + 48 * 60 * 60 * 1000).toISOString() },
    ]);
    assert.equal(resolution.kind === 'exception' && resolution.reason, 'malformed-payload');
    assert.match(
      log,
      /^\[taskcluster:error\] payload\.artifacts\[0\]\.expires \(.*\) is before the task deadline/m,
    );
    assert.match(
      log,
      /^\[taskcluster:error\] payload\.artifacts\[1\]\.expires \(.*\) is after the task expiry/m,
    );
  });

  it('refuses duplicate entries and unknown types', async () => {
    const { resolution, log } = await run([
      { type: 'file', path: 'a' },
      { type: 'file', path: 'a' },
      { type: 'socket', path: 'b' },
    ]);
    assert.equal(resolution.kind === 'exception' && resolution.reason, 'malformed-payload');
    assert.match(log, /payload\.artifacts must not contain duplicate items/);
    assert.match(log, /payload\.artifacts\[2\]\.type must be one of "file", "directory"/);
  });

  it('retries storage errors; storage that keeps failing is resource-unavailable', async () => {
    const artifacts = await FakeRunArtifacts.start();
    try {
      artifacts.failPuts.push(500);
      const retried = await run([{ type: 'file', path: 'out/report.txt' }], { artifacts });
      assert.deepEqual(retried.resolution, { kind: 'completed' });
      assert.equal(artifacts.putCount, 2);
    } finally {
      await artifacts.close();
    }
  });

  it('with the process engine: publishes only what is inside the task directory', async () => {
    const { resolution, artifacts } = await runWithPlugins({
      plugins: [artifactsPlugin],
      payload: {
        command: [['sh', '-c', 'mkdir out && echo inside > out/a.txt && ln -s /etc/passwd out/passwd']],
        artifacts: [
          { type: 'directory', path: 'out', name: 'public/out' },
          { type: 'file', path: '../../etc/passwd', name: 'public/escape' },
          { type: 'file', path: '/etc/hostname', name: 'public/absolute' },
        ],
      },
      engine: createProcessEngine(),
    });
    assert.equal(resolution.kind, 'failed');
    assert.equal(artifacts.text('public/out/a.txt'), 'inside\n');
    for (const name of ['public/out/passwd', 'public/escape', 'public/absolute']) {
      const request = artifacts.artifacts.get(name)?.request;
      assert.equal(request?.storageType === 'error' && request.reason, 'file-not-readable-on-worker', name);
    }
  });
});
