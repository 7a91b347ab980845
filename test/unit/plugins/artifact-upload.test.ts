// The shared upload code (src/artifact-upload), against a local HTTP server.
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { contentTypeFor, defaultContentEncoding } from '../../../src/artifact-upload/content-type.js';
import { uploadArtifact, type ArtifactUpload } from '../../../src/artifact-upload/upload-artifact.js';
import { ResourceUnavailableError, WorkerShutdownError } from '../../../src/errors.js';
import { FakeRunArtifacts } from '../../helpers/fake-run-artifacts.js';
import { tempDir } from '../../helpers/task-fixtures.js';

describe('artifact upload', () => {
  let artifacts: FakeRunArtifacts;
  let scratch: { path: string; remove: () => Promise<void> };
  before(async () => {
    artifacts = await FakeRunArtifacts.start();
    scratch = await tempDir();
  });
  after(async () => {
    await artifacts.close();
    await scratch.remove();
  });

  const content = Buffer.from('hello world\n'.repeat(1000));
  const upload = (name: string, more: Partial<ArtifactUpload> = {}) =>
    uploadArtifact({
      artifacts,
      name,
      source: { size: content.length, open: () => Readable.from([content]) },
      contentType: 'text/plain; charset=utf-8',
      contentEncoding: 'gzip',
      expires: new Date(Date.now() + 3600_000).toISOString(),
      signal: new AbortController().signal,
      tempDir: scratch.path,
      baseDelayMs: 1,
      ...more,
    });

  it('gzips through a temporary file and sends an explicit length; the stored length is the original', async () => {
    const result = await upload('gzip.txt');
    assert.equal(result.size, content.length);
    assert.ok(result.sentBytes < content.length);
    const stored = artifacts.artifacts.get('gzip.txt');
    assert.deepEqual(stored?.body, content);
    assert.equal(stored?.headers?.['content-length'], String(result.sentBytes));
    assert.equal(stored?.headers?.['content-encoding'], 'gzip');
    assert.equal((stored?.request as { contentLength: number }).contentLength, content.length);
    assert.deepEqual(await readdir(scratch.path), [], 'the temporary file is gone');
  });

  it('sends identity bodies as they are', async () => {
    await upload('plain.txt', { contentEncoding: 'identity' });
    const stored = artifacts.artifacts.get('plain.txt');
    assert.deepEqual(stored?.rawBody, content);
    assert.equal(stored?.headers?.['content-encoding'], undefined);
  });

  it('retries 5xx, and gives up with ResourceUnavailableError', async () => {
    artifacts.failPuts.push(500, 502);
    const before = artifacts.putCount;
    await upload('retried.txt');
    assert.equal(artifacts.putCount - before, 3);
    artifacts.failPuts.push(503, 503, 503);
    await assert.rejects(upload('given-up.txt', { attempts: 3 }), ResourceUnavailableError);
  });

  it('asks for a fresh URL when storage refuses the old one (expired)', async () => {
    artifacts.expireNextUrls = 1;
    const calls = artifacts.calls.length;
    const puts = artifacts.putCount;
    await upload('fresh.txt');
    assert.equal(artifacts.calls.length - calls, 2);
    assert.equal(artifacts.putCount - puts, 2);
    assert.deepEqual(artifacts.artifacts.get('fresh.txt')?.body, content);
  });

  it('does not retry a 4xx that a retry cannot fix', async () => {
    artifacts.failPuts.push(413);
    const before = artifacts.putCount;
    await assert.rejects(upload('too-large.txt'), /PUT answered 413/);
    assert.equal(artifacts.putCount - before, 1);
  });

  it('stops with the abort reason', async () => {
    const controller = new AbortController();
    const reason = new WorkerShutdownError();
    controller.abort(reason);
    await assert.rejects(upload('aborted.txt', { signal: controller.signal }), (error) => error === reason);
    assert.deepEqual(await readdir(scratch.path), []);
  });
});

describe('content types', () => {
  it('guesses by extension and keeps compressed kinds as they are', () => {
    assert.equal(contentTypeFor('a/b.log'), 'text/plain; charset=utf-8');
    assert.equal(contentTypeFor('B.TXT'), 'text/plain; charset=utf-8');
    assert.equal(contentTypeFor('x.json'), 'application/json');
    assert.equal(contentTypeFor('x.jsonl'), 'application/jsonl');
    assert.equal(contentTypeFor('x.html'), 'text/html; charset=utf-8');
    assert.equal(contentTypeFor('x.jpg'), 'image/jpeg');
    assert.equal(contentTypeFor('noext'), 'application/octet-stream');
    assert.equal(contentTypeFor('x.unknownext'), 'application/octet-stream');
    for (const name of ['a.tar.gz', 'a.zip', 'a.png', 'a.whl', 'a.zst', 'a.woff2', 'a.7z'])
      assert.equal(defaultContentEncoding(name), 'identity', name);
    for (const name of ['a.txt', 'a.json', 'a.tar', 'noext'])
      assert.equal(defaultContentEncoding(name), 'gzip', name);
  });
});
