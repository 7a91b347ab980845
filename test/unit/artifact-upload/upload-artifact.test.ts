// The shared upload code (src/artifact-upload) against FakeRunArtifacts: bodies, digests, retries, fresh
// URLs, both storage types.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { memoryBody } from '../../../src/artifact-upload/memory-body.js';
import {
  createEarly,
  uploadArtifact,
  type ArtifactUpload,
} from '../../../src/artifact-upload/upload-artifact.js';
import { uploadRecordOf } from '../../../src/artifact-upload/upload-record.js';
import { ResourceUnavailableError, WorkerShutdownError } from '../../../src/errors.js';
import { FakeRunArtifacts } from '../../helpers/fake-run-artifacts.js';
import { tempDir } from '../../helpers/task-fixtures.js';

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');
const fastRetry = { attempts: 4, baseDelayMs: 1, maxDelayMs: 5 };

describe('uploadArtifact', () => {
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

  const small = Buffer.from('hello world\n'.repeat(1000));
  // Above the in-memory gzip limit: compressed through a temporary file.
  const large = Buffer.from(Array.from({ length: 60_000 }, (_, i) => `line ${i} of a log\n`).join(''));
  const upload = (name: string, more: Partial<ArtifactUpload> = {}, content: Buffer = small) =>
    uploadArtifact({
      artifacts,
      name,
      source: { size: content.length, open: () => Readable.from([content]) },
      contentType: 'text/plain; charset=utf-8',
      contentEncoding: 'gzip',
      expires: new Date(Date.now() + 3600_000).toISOString(),
      signal: new AbortController().signal,
      tempDir: scratch.path,
      retry: fastRetry,
      rootUrl: artifacts.baseUrl,
      ...more,
    });

  for (const [label, content] of [
    ['in memory', small],
    ['through a temporary file', large],
  ] as const) {
    it(`gzips ${label}, sends an explicit length and records the SHA-256 of the original`, async () => {
      const name = `gzip-${content.length}.txt`;
      const result = await upload(name, {}, content);
      assert.equal(result.size, content.length);
      assert.ok(result.sentBytes < content.length);
      assert.equal(result.sha256, sha256(content));
      assert.equal(result.contentEncoding, 'gzip');
      const stored = artifacts.artifacts.get(name);
      assert.deepEqual(stored?.body, content);
      assert.equal(stored?.headers?.['content-length'], String(result.sentBytes));
      assert.equal(stored?.headers?.['content-encoding'], 'gzip');
      assert.equal(stored?.headers?.['content-type'], 'text/plain; charset=utf-8');
      assert.deepEqual(stored?.request, {
        storageType: 's3',
        contentType: 'text/plain; charset=utf-8',
        contentLength: content.length,
        expires: (stored?.request as { expires: string }).expires,
      });
      assert.deepEqual(await readdir(scratch.path), [], 'no temporary file is left');
      const recorded = uploadRecordOf(artifacts).get(name);
      assert.equal(recorded?.sha256, sha256(content), 'kept in the run record');
      assert.equal(recorded?.sentBytes, result.sentBytes);
    });
  }

  it('uses a createArtifact begun early (before the body existed) instead of making another', async () => {
    const calls = artifacts.calls.length;
    const expires = new Date(Date.now() + 3600_000).toISOString();
    const early = createEarly({
      artifacts,
      name: 'early.log',
      contentType: 'text/plain; charset=utf-8',
      contentEncoding: 'gzip',
      expires,
    });
    assert.ok(early, 's3 artifacts can be created early');
    const body = memoryBody(small);
    const result = await upload('early.log', {
      source: body,
      createdEarly: early,
      createWhilePreparing: true,
    });
    assert.equal(artifacts.calls.length - calls, 1, 'one createArtifact');
    assert.deepEqual(artifacts.artifacts.get('early.log')?.body, small);
    assert.equal(result.sha256, sha256(small));
    assert.equal(
      (artifacts.artifacts.get('early.log')?.request as { contentLength?: number }).contentLength,
      undefined,
      'the length was not known yet',
    );
    assert.equal(
      createEarly({
        artifacts,
        storageType: 'object',
        name: 'x',
        contentType: 'text/plain',
        contentEncoding: 'identity',
        expires,
      }),
      undefined,
    );
  });

  it('sends identity bodies as they are, hashing them on the way', async () => {
    const result = await upload('plain.txt', { contentEncoding: 'identity' }, large);
    const stored = artifacts.artifacts.get('plain.txt');
    assert.deepEqual(stored?.rawBody, large);
    assert.equal(stored?.headers?.['content-encoding'], undefined);
    assert.equal(result.sha256, sha256(large));
    assert.equal(stored?.sentSha256, result.sha256);
    assert.equal(result.sentBytes, large.length);
  });

  it('honours the gzip level', async () => {
    const fast = await upload('level1.txt', { gzipLevel: 1 }, large);
    const best = await upload('level9.txt', { gzipLevel: 9 }, large);
    assert.ok(best.sentBytes < fast.sentBytes, `${best.sentBytes} < ${fast.sentBytes}`);
    assert.deepEqual(artifacts.artifacts.get('level9.txt')?.body, large);
  });

  it('retries 5xx and lost connections with the same URL, and gives up with ResourceUnavailableError', async () => {
    artifacts.failPuts.push(500, 502);
    const puts = artifacts.putCount;
    const calls = artifacts.calls.length;
    const retried = await upload('retried.txt');
    assert.equal(artifacts.putCount - puts, 3);
    assert.equal(artifacts.calls.length - calls, 1, 'one createArtifact');
    assert.equal(retried.attempts, 3);
    assert.deepEqual(artifacts.artifacts.get('retried.txt')?.body, small);

    // Lost in the middle of a large body: the connection's failure, not a failed read, so it is retried.
    const eightMiB = Buffer.alloc(8 * 1024 * 1024, 'x');
    artifacts.resetPuts = 2;
    const reset = await upload('reset.bin', { contentEncoding: 'identity' }, eightMiB);
    assert.equal(reset.attempts, 3);
    assert.equal(reset.sha256, sha256(eightMiB));
    assert.deepEqual(artifacts.artifacts.get('reset.bin')?.body, eightMiB);

    artifacts.failPuts.push(503, 503, 503, 503);
    await assert.rejects(upload('given-up.txt'), (error) => {
      assert.ok(error instanceof ResourceUnavailableError);
      assert.match(
        error.message,
        /uploading artifact given-up\.txt failed after 4 attempts: storage answered 503/,
      );
      return true;
    });
  });

  it('asks for a fresh URL when storage refuses the old one, or when it expires before the PUT', async () => {
    artifacts.expireNextUrls = 1;
    const calls = artifacts.calls.length;
    const puts = artifacts.putCount;
    await upload('fresh.txt');
    assert.equal(artifacts.calls.length - calls, 2, 'a second createArtifact');
    assert.equal(artifacts.putCount - puts, 2);
    assert.deepEqual(artifacts.artifacts.get('fresh.txt')?.body, small);

    // A URL about to expire is not even tried: a retry gets a fresh one first.
    artifacts.urlLifetimeMs = 1000;
    artifacts.failPuts.push(500);
    const before = artifacts.calls.length;
    await upload('short-lived.txt');
    assert.equal(artifacts.calls.length - before, 2);
    artifacts.urlLifetimeMs = 60 * 60 * 1000;
  });

  it('does not retry a 4xx that a retry cannot fix', async () => {
    artifacts.failPuts.push(413);
    const before = artifacts.putCount;
    await assert.rejects(upload('too-large.txt'), /storage answered 413/);
    assert.equal(artifacts.putCount - before, 1);
  });

  it('fails a body that is shorter than announced without waiting for a timeout', async () => {
    await assert.rejects(
      upload('short.txt', {
        contentEncoding: 'identity',
        source: { size: 100, open: () => Readable.from([Buffer.from('only 11 b')]) },
      }),
      /the file changed while it was uploaded: 9 bytes instead of the 100 announced/,
    );
  });

  it('stops with the abort reason and leaves no temporary file', async () => {
    const controller = new AbortController();
    const reason = new WorkerShutdownError();
    controller.abort(reason);
    await assert.rejects(
      upload('aborted.txt', { signal: controller.signal }, large),
      (error) => error === reason,
    );
    assert.deepEqual(await readdir(scratch.path), []);
  });

  describe('object storage', () => {
    const objectUpload = (name: string, content: Buffer, more: Partial<ArtifactUpload> = {}) =>
      upload(name, { storageType: 'object', ...more }, content);

    it('negotiates a putUrl, PUTs with its headers, finishes the upload with the SHA-256, then the artifact', async () => {
      const result = await objectUpload('public/big.log', large);
      const stored = artifacts.artifacts.get('public/big.log');
      assert.deepEqual(stored?.request, {
        storageType: 'object',
        contentType: 'text/plain; charset=utf-8',
        expires: (stored?.request as { expires: string }).expires,
      });
      assert.equal(stored?.finished, true);
      assert.deepEqual(stored?.object?.methods, ['putUrl']);
      assert.deepEqual(stored?.object?.hashes, { sha256: sha256(large) });
      // The object service has no content encoding: the bytes are stored as they are.
      assert.deepEqual(stored?.rawBody, large);
      assert.equal(stored?.headers?.['content-encoding'], undefined);
      assert.equal(result.contentEncoding, 'identity');
      assert.equal(result.storageType, 'object');
      assert.equal(result.sha256, sha256(large));
      const calls = artifacts.objects.calls.filter((call) => call.name === stored?.object?.name);
      assert.deepEqual(
        calls.map((call) => call.method),
        ['upload', 'finish-upload'],
      );
    });

    it('sends tiny files inline, and falls back to a putUrl when the service refuses that', async () => {
      const tiny = Buffer.from('tiny');
      await objectUpload('tiny.txt', tiny);
      const inline = artifacts.artifacts.get('tiny.txt');
      assert.deepEqual(inline?.object?.methods, ['dataInline']);
      assert.deepEqual(inline?.body, tiny);
      assert.equal(inline?.finished, true);
      assert.deepEqual(inline?.object?.hashes, { sha256: sha256(tiny) });

      artifacts.acceptInline = false;
      await objectUpload('tiny-put.txt', tiny);
      artifacts.acceptInline = true;
      const put = artifacts.artifacts.get('tiny-put.txt');
      assert.deepEqual(put?.object?.methods, ['putUrl']);
      assert.deepEqual(put?.rawBody, tiny);
    });

    it('renews an expired putUrl with createUpload for the same uploadId, and retries 5xx', async () => {
      artifacts.expireNextUrls = 1;
      artifacts.failPuts.push(503);
      const calls = artifacts.calls.length;
      const result = await objectUpload('renewed.bin', large);
      assert.equal(
        artifacts.calls.length - calls,
        1,
        'createArtifact once: a second one would change the uploadId',
      );
      const stored = artifacts.artifacts.get('renewed.bin');
      assert.deepEqual(stored?.object?.methods, ['putUrl', 'putUrl']);
      assert.equal(result.attempts, 3);
      assert.equal(stored?.finished, true);
      assert.deepEqual(stored?.rawBody, large);
    });
  });
});
