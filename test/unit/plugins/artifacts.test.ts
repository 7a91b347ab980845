// The artifacts plugin's rules ("Artifacts in detail"), through a real task run against the fake engine.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { uploadRecordOf } from '../../../src/artifact-upload/upload-record.js';
import { createArtifactsPlugin } from '../../../src/plugins/artifacts/artifacts-plugin.js';
import { taskLogPlugin } from '../../../src/plugins/task-log/task-log-plugin.js';
import type { Resolution } from '../../../src/errors.js';
import type { FakeEngine } from '../../helpers/fake-engine.js';
import { FakeRunArtifacts, type StoredArtifact } from '../../helpers/fake-run-artifacts.js';
import { runWithPlugins, type HarnessOptions } from '../../helpers/plugin-harness.js';

export const fastRetry = { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 };
const artifactsPlugin = createArtifactsPlugin({ retry: fastRetry });

const files = {
  'out/report.txt': 'report',
  'out/data.json': '{"a":1}',
  'out/deep/image.png': 'PNG',
  'out/blob.bin': 'bits',
  'other/report.txt': 'another report',
  'dir/': '',
};

const run = (artifacts: unknown[], more: Partial<HarnessOptions> = {}) =>
  runWithPlugins({ plugins: [artifactsPlugin], payload: { artifacts }, engine: { files }, ...more });

const reasonOf = (stored: StoredArtifact | undefined): string | undefined =>
  stored?.request.storageType === 'error' ? stored.request.reason : undefined;

const malformed = (resolution: Resolution): boolean =>
  resolution.kind === 'exception' && resolution.reason === 'malformed-payload';

describe('artifacts plugin: what is published', () => {
  it('uploads a file: name defaults to the path, type by extension, gzip, original length, a log line', async () => {
    const { resolution, artifacts, log } = await run([{ type: 'file', path: 'out/report.txt' }]);
    assert.deepEqual(resolution, { kind: 'completed' });
    const stored = artifacts.artifacts.get('out/report.txt');
    assert.equal(stored?.body?.toString(), 'report');
    assert.equal(stored?.headers?.['content-type'], 'text/plain; charset=utf-8');
    assert.equal(stored?.headers?.['content-encoding'], 'gzip');
    assert.deepEqual(
      { ...stored?.request, expires: undefined },
      { storageType: 's3', contentType: 'text/plain; charset=utf-8', contentLength: 6, expires: undefined },
    );
    assert.match(
      log,
      /^\[taskcluster \S+\] Uploaded out\/report\.txt \(6 bytes, \d+ gzip, text\/plain; charset=utf-8\) in \d+\.\d{3} s$/m,
    );
    assert.equal(uploadRecordOf(artifacts).get('out/report.txt')?.size, 6);
  });

  it('expires with the task by default', async () => {
    const expires = new Date(Date.now() + 20 * 60 * 60 * 1000).toISOString();
    const { artifacts } = await run([{ type: 'file', path: 'out/report.txt' }], { task: { expires } });
    assert.equal(
      (artifacts.artifacts.get('out/report.txt')?.request as { expires: string }).expires,
      expires,
    );
  });

  it('honours name, contentType, contentEncoding and expires, and sends compressed kinds as they are', async () => {
    const expires = new Date(Date.now() + 2 * 60 * 60 * 1000).toISOString();
    const { artifacts, log } = await run([
      {
        type: 'file',
        path: 'out/blob.bin',
        name: 'public/blob',
        contentType: 'application/x-custom',
        expires,
      },
      { type: 'file', path: 'out/data.json', name: 'public/data.json', contentEncoding: 'identity' },
      { type: 'file', path: 'out/deep/image.png', name: 'public/image.png' },
      { type: 'file', path: 'out/report.txt', name: 'public/forced.gz', contentEncoding: 'gzip' },
    ]);
    const blob = artifacts.artifacts.get('public/blob');
    assert.equal(blob?.headers?.['content-type'], 'application/x-custom');
    assert.equal((blob?.request as { expires: string }).expires, expires);
    assert.match(
      log,
      /Uploaded public\/blob from out\/blob\.bin \(4 bytes, \d+ gzip, application\/x-custom\)/,
    );
    const data = artifacts.artifacts.get('public/data.json');
    assert.equal(data?.headers?.['content-type'], 'application/json');
    assert.equal(data?.headers?.['content-encoding'], undefined);
    const image = artifacts.artifacts.get('public/image.png');
    assert.equal(image?.headers?.['content-type'], 'image/png');
    assert.equal(image?.headers?.['content-encoding'], undefined);
    assert.equal(image?.body?.toString(), 'PNG');
    // The type comes from the path, the explicit encoding wins over the name's kind.
    const forced = artifacts.artifacts.get('public/forced.gz');
    assert.equal(forced?.headers?.['content-encoding'], 'gzip');
    assert.equal(forced?.headers?.['content-type'], 'text/plain; charset=utf-8');
  });

  it('publishes a directory as one artifact per file, name/relative/path', async () => {
    const { resolution, artifacts } = await run([{ type: 'directory', path: 'out', name: 'public/out/' }]);
    assert.deepEqual(resolution, { kind: 'completed' });
    assert.deepEqual([...artifacts.artifacts.keys()].sort(), [
      'public/out/blob.bin',
      'public/out/data.json',
      'public/out/deep/image.png',
      'public/out/report.txt',
    ]);
    assert.equal(artifacts.text('public/out/deep/image.png'), 'PNG');
    assert.equal(
      artifacts.artifacts.get('public/out/deep/image.png')?.headers?.['content-type'],
      'image/png',
    );
  });

  it('cleans a default name as the task directory sees the path', async () => {
    const { resolution, artifacts } = await run([{ type: 'file', path: './out//report.txt' }]);
    assert.deepEqual(resolution, { kind: 'completed' });
    assert.equal(artifacts.text('out/report.txt'), 'report');
  });

  it('missing files are error artifacts and fail the task; optional ones only warn', async () => {
    const failed = await run([
      { type: 'file', path: 'missing.txt', name: 'public/missing.txt' },
      { type: 'file', path: 'out', name: 'public/dir-as-file' },
      { type: 'directory', path: 'out/report.txt', name: 'public/file-as-dir' },
      { type: 'directory', path: 'nowhere', name: 'public/no-dir' },
      { type: 'file', path: 'out/report.txt', name: 'public/fine.txt' },
    ]);
    assert.deepEqual(failed.resolution, {
      kind: 'failed',
      reason:
        'required artifacts could not be published: public/missing.txt (file-missing-on-worker), ' +
        'public/dir-as-file (invalid-resource-on-worker), public/file-as-dir (invalid-resource-on-worker), ' +
        'public/no-dir (file-missing-on-worker)',
    });
    const stored = failed.artifacts.artifacts;
    assert.equal(reasonOf(stored.get('public/missing.txt')), 'file-missing-on-worker');
    assert.equal(reasonOf(stored.get('public/dir-as-file')), 'invalid-resource-on-worker');
    assert.equal(reasonOf(stored.get('public/file-as-dir')), 'invalid-resource-on-worker');
    assert.equal(reasonOf(stored.get('public/no-dir')), 'file-missing-on-worker');
    assert.equal(failed.artifacts.text('public/fine.txt'), 'report', 'the others are published');
    assert.match(
      failed.log,
      /^\[taskcluster:error\] Artifact public\/missing\.txt not published: missing\.txt does not exist$/m,
    );

    const optional = await run([
      { type: 'file', path: 'missing.txt', optional: true },
      { type: 'directory', path: 'nowhere', optional: true },
    ]);
    assert.deepEqual(optional.resolution, { kind: 'completed' });
    assert.equal(reasonOf(optional.artifacts.artifacts.get('missing.txt')), 'file-missing-on-worker');
    assert.equal(reasonOf(optional.artifacts.artifacts.get('nowhere')), 'file-missing-on-worker');
    assert.match(optional.log, /\[taskcluster:warn \S+\] Optional artifact missing\.txt not published/);
  });

  it('skips reserved names with a warning, also when a directory file would take one', async () => {
    const { resolution, artifacts, log } = await runWithPlugins({
      plugins: [artifactsPlugin, taskLogPlugin],
      payload: {
        artifacts: [
          { type: 'file', path: 'out/report.txt', name: 'public/logs/live_backing.log' },
          { type: 'directory', path: 'logs', name: 'public/logs' },
        ],
      },
      engine: { files: { ...files, 'logs/live.log': 'forged', 'logs/other.log': 'fine' } },
    });
    assert.deepEqual(resolution, { kind: 'completed' });
    assert.match(log, /\[taskcluster:warn \S+\] Artifact name public\/logs\/live_backing\.log is reserved/);
    assert.match(log, /\[taskcluster:warn \S+\] Artifact name public\/logs\/live\.log is reserved/);
    assert.match(artifacts.text('public/logs/live_backing.log'), /Task Starting/);
    assert.equal(artifacts.artifacts.get('public/logs/live.log')?.request.storageType, 'link');
    assert.equal(artifacts.text('public/logs/other.log'), 'fine');
  });
});

describe('artifacts plugin: malformed payloads', () => {
  it('refuses expiries before the deadline or after the task expiry (both listed)', async () => {
    const { resolution, log } = await run([
      { type: 'file', path: 'a', expires: new Date(Date.now() + 60_000).toISOString() },
      { type: 'file', path: 'b', expires: new Date(Date.now() + 48 * 60 * 60 * 1000).toISOString() },
    ]);
    assert.ok(malformed(resolution));
    assert.match(
      log,
      /^\[taskcluster:error\] payload\.artifacts\[0\]\.expires \(.*\) is before the task deadline/m,
    );
    assert.match(
      log,
      /^\[taskcluster:error\] payload\.artifacts\[1\]\.expires \(.*\) is after the task expiry/m,
    );
  });

  it('refuses identical entries (uniqueItems) and unknown types', async () => {
    const { resolution, log } = await run([
      { type: 'file', path: 'a' },
      { type: 'file', path: 'a' },
      { type: 'socket', path: 'b' },
    ]);
    assert.ok(malformed(resolution));
    assert.match(log, /payload\.artifacts must not contain duplicate items/);
    assert.match(log, /payload\.artifacts\[2\]\.type must be one of "file", "directory"/);
  });

  it('says which artifact has an invalid name, and why', async () => {
    const { resolution, log, artifacts } = await run([
      { type: 'file', path: 'out/report.txt', name: 'public/../secret' },
      { type: 'file', path: 'out/report.txt', name: '/public/x' },
      { type: 'file', path: 'out/report.txt', name: 'public//x' },
      { type: 'file', path: 'out/report.txt', name: 'public/./x' },
      { type: 'file', path: 'out/report.txt', name: 'public/x\n[taskcluster] forged' },
      { type: 'file', path: '../outside.txt' },
      { type: 'directory', path: '.' },
    ]);
    assert.ok(malformed(resolution));
    const expected = [
      /payload\.artifacts\[0\]\.name "public\/\.\.\/secret" is not a valid artifact name: it has a "\.\." segment/,
      /payload\.artifacts\[1\]\.name "\/public\/x" is not a valid artifact name: it starts with "\/"/,
      /payload\.artifacts\[2\]\.name "public\/\/x" is not a valid artifact name: it has an empty segment/,
      /payload\.artifacts\[3\]\.name "public\/\.\/x" is not a valid artifact name: it has a "\." segment/,
      /payload\.artifacts\[4\]\.name "public\/x\\n\[taskcluster\] forged" is not a valid artifact name: it contains the control character U\+000A/,
      /payload\.artifacts\[5\] needs a name: its path "\.\.\/outside\.txt" is not a valid artifact name \(it has a "\.\." segment\)/,
      /payload\.artifacts\[6\] needs a name: its path "\." is not a valid artifact name \(it has a "\." segment\)/,
    ];
    for (const line of expected) assert.match(log, line);
    assert.doesNotMatch(log, /^\[taskcluster\] forged/m, 'a name cannot forge a log line');
    assert.equal(artifacts.calls.length, 0, 'nothing is published');

    const long = await run([{ type: 'file', path: 'out/report.txt', name: 'x'.repeat(1025) }]);
    assert.ok(malformed(long.resolution));
    assert.match(long.log, /payload\.artifacts\[0\]\.name must NOT have more than 1024 characters/);
  });

  it('refuses one name for two files with different attributes, before the task runs', async () => {
    const { resolution, log, engine } = await run([
      { type: 'file', path: 'out/report.txt', name: 'public/r' },
      { type: 'file', path: 'other/report.txt', name: 'public/r', contentType: 'text/html' },
    ]);
    assert.ok(malformed(resolution));
    assert.match(
      log,
      /payload\.artifacts\[0\] and payload\.artifacts\[1\] both publish "public\/r", with different contentType \(text\/plain; charset=utf-8 \/ text\/html\)/,
    );
    assert.ok(!(engine as FakeEngine).events.includes('start'), 'the task did not run');
  });

  it('refuses one name for two files with different content, found after the task', async () => {
    const { resolution, log, artifacts } = await run([
      { type: 'directory', path: 'out', name: 'public/out' },
      { type: 'file', path: 'other/report.txt', name: 'public/out/report.txt' },
    ]);
    assert.ok(malformed(resolution));
    assert.match(
      log,
      /payload\.artifacts\[0\] \(out\/report\.txt\) and payload\.artifacts\[1\] \(other\/report\.txt\) both publish "public\/out\/report\.txt", with different content/,
    );
    assert.equal(artifacts.artifacts.get('public/out/report.txt'), undefined, 'neither is published');
    assert.equal(artifacts.text('public/out/data.json'), '{"a":1}', 'the others are');
  });

  it('uploads once a file reached through a file and a directory artifact with the same content', async () => {
    const { resolution, log, artifacts } = await run([
      { type: 'directory', path: 'out', name: 'public/out' },
      { type: 'file', path: 'out/report.txt', name: 'public/out/report.txt', optional: true },
      { type: 'file', path: 'other/../out/data.json', name: 'public/out/data.json' },
    ]);
    assert.deepEqual(resolution, { kind: 'completed' });
    assert.equal(artifacts.calls.filter((call) => call.name === 'public/out/report.txt').length, 1);
    assert.equal(artifacts.calls.filter((call) => call.name === 'public/out/data.json').length, 1);
    assert.equal(artifacts.text('public/out/report.txt'), 'report');
    assert.doesNotMatch(log, /with the same content/, 'the same path needs no comparison');

    const copies = await run(
      [
        { type: 'directory', path: 'out', name: 'public/out' },
        { type: 'file', path: 'copy.txt', name: 'public/out/report.txt' },
      ],
      { engine: { files: { ...files, 'copy.txt': 'report' } } },
    );
    assert.deepEqual(copies.resolution, { kind: 'completed' });
    assert.equal(copies.artifacts.calls.filter((call) => call.name === 'public/out/report.txt').length, 1);
    assert.match(
      copies.log,
      /Artifact public\/out\/report\.txt is published by payload\.artifacts\[0\] \(out\/report\.txt\) and payload\.artifacts\[1\] \(copy\.txt\) with the same content; uploaded once/,
    );
  });

  it('a directory file whose name cannot be an artifact name fails the task, the others are published', async () => {
    const { resolution, log, artifacts } = await run(
      [{ type: 'directory', path: 'weird', name: 'public/weird' }],
      {
        engine: { files: { 'weird/a\nb.txt': 'x', 'weird/ok.txt': 'ok' } },
      },
    );
    assert.equal(resolution.kind, 'failed');
    assert.match(
      log,
      /^\[taskcluster:error\] "weird\/a\\nb\.txt" of payload\.artifacts\[0\] cannot be published: its name "public\/weird\/a\\nb\.txt" is not a valid artifact name/m,
    );
    assert.equal(artifacts.text('public/weird/ok.txt'), 'ok');
  });
});

describe('artifacts plugin: storage', () => {
  it('retries storage errors; one artifact that keeps failing does not stop the others (resource-unavailable)', async () => {
    const artifacts = await FakeRunArtifacts.start();
    try {
      artifacts.failPuts.push(500);
      artifacts.resetPuts = 1;
      const retried = await run([{ type: 'file', path: 'out/report.txt' }], { artifacts });
      assert.deepEqual(retried.resolution, { kind: 'completed' });
      assert.equal(artifacts.putCount, 3);
      assert.match(retried.log, /Uploaded out\/report\.txt .* in \d+\.\d+ s, 3 attempts/);

      artifacts.failingArtifacts.set('public/out/data.json', 503);
      const partial = await run([{ type: 'directory', path: 'out', name: 'public/out' }], { artifacts });
      assert.equal(partial.resolution.kind, 'exception');
      assert.equal((partial.resolution as { reason: string }).reason, 'resource-unavailable');
      assert.match(
        partial.log,
        /^\[taskcluster:error\] Artifact public\/out\/data\.json could not be uploaded: uploading artifact public\/out\/data\.json failed after 3 attempts/m,
      );
      for (const name of ['public/out/blob.bin', 'public/out/report.txt', 'public/out/deep/image.png'])
        assert.ok(artifacts.artifacts.get(name)?.body, name);
    } finally {
      await artifacts.close();
    }
  });

  it('asks for a fresh URL when one has expired', async () => {
    const artifacts = await FakeRunArtifacts.start();
    try {
      artifacts.expireNextUrls = 2;
      const { resolution } = await run([{ type: 'directory', path: 'out', name: 'public/out' }], {
        artifacts,
        config: { artifacts: { uploadConcurrency: 1 } },
      });
      assert.deepEqual(resolution, { kind: 'completed' });
      assert.equal(artifacts.calls.length, 4 + 2);
      assert.equal(artifacts.text('public/out/report.txt'), 'report');
    } finally {
      await artifacts.close();
    }
  });

  it('uploads to the object service when configured, and the backing log goes the same way', async () => {
    const { resolution, artifacts } = await runWithPlugins({
      plugins: [artifactsPlugin, taskLogPlugin],
      payload: { artifacts: [{ type: 'directory', path: 'out', name: 'public/out' }] },
      engine: { files },
      config: { artifacts: { storageType: 'object' } },
    });
    assert.deepEqual(resolution, { kind: 'completed' });
    for (const name of [
      'public/out/report.txt',
      'public/out/deep/image.png',
      'public/logs/live_backing.log',
    ]) {
      const stored = artifacts.artifacts.get(name);
      assert.equal(stored?.request.storageType, 'object', name);
      assert.equal(stored?.finished, true, name);
      assert.equal(stored?.object?.hashes?.sha256, uploadRecordOf(artifacts).get(name)?.sha256, name);
    }
    assert.equal(artifacts.text('public/out/report.txt'), 'report');
    assert.match(artifacts.text('public/logs/live_backing.log'), /Uploaded public\/out\/report\.txt/);
  });
});
