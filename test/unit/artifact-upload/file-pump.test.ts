// Large bodies that can be read by position go through reused buffers and are hashed in place; what can
// go wrong there must be told apart as on the stream path (reading trouble is final, the network's is not).
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { openFileBody, type FileBody } from '../../../src/artifact-upload/file-body.js';
import { BodyReadError } from '../../../src/artifact-upload/put-body.js';
import { uploadArtifact, type ArtifactUpload } from '../../../src/artifact-upload/upload-artifact.js';
import { FakeRunArtifacts } from '../../helpers/fake-run-artifacts.js';
import { tempDir } from '../../helpers/task-fixtures.js';

describe('positional bodies (the file pump)', () => {
  let artifacts: FakeRunArtifacts;
  let scratch: { path: string; remove: () => Promise<void> };
  let file: FileBody;
  const content = randomBytes(6 * 1024 * 1024 + 123);
  const sha256 = createHash('sha256').update(content).digest('hex');
  before(async () => {
    artifacts = await FakeRunArtifacts.start();
    scratch = await tempDir();
    await writeFile(join(scratch.path, 'data.bin'), content);
    file = await openFileBody(join(scratch.path, 'data.bin'));
  });
  after(async () => {
    await file.close();
    await artifacts.close();
    await scratch.remove();
  });

  const upload = (name: string, more: Partial<ArtifactUpload> = {}) =>
    uploadArtifact({
      artifacts,
      name,
      source: file,
      contentType: 'application/octet-stream',
      contentEncoding: 'identity',
      expires: new Date(Date.now() + 3600_000).toISOString(),
      signal: new AbortController().signal,
      tempDir: scratch.path,
      retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
      rootUrl: artifacts.baseUrl,
      ...more,
    });

  it('sends every byte and hashes them without a stream', async () => {
    const result = await upload('data.bin');
    assert.equal(result.sha256, sha256);
    assert.ok(artifacts.artifacts.get('data.bin')?.rawBody?.equals(content));
    const viaObject = await upload('object.bin', { storageType: 'object' });
    assert.equal(viaObject.sha256, sha256);
    assert.deepEqual(artifacts.artifacts.get('object.bin')?.object?.hashes, { sha256 });
  });

  it('retries a connection lost in the middle', async () => {
    artifacts.resetPuts = 1;
    const result = await upload('reset.bin');
    assert.equal(result.attempts, 2);
    assert.equal(result.sha256, sha256);
    assert.ok(artifacts.artifacts.get('reset.bin')?.rawBody?.equals(content));
  });

  it('does not retry a failed read, nor a file that shrank', async () => {
    const failing = {
      size: content.length,
      open: () => Readable.from([content]),
      read: (buffer: Uint8Array, length: number, position: number) =>
        position >= 2 * 1024 * 1024
          ? Promise.reject(new Error('EIO: i/o error'))
          : file.read(buffer, length, position),
    };
    const puts = artifacts.putCount;
    await assert.rejects(upload('eio.bin', { source: failing }), (error) => {
      assert.ok(error instanceof BodyReadError);
      assert.match(error.message, /EIO: i\/o error/);
      assert.equal(error.artifactCreated, true);
      return true;
    });
    assert.equal(artifacts.putCount - puts, 1);

    const shrunk = {
      ...failing,
      read: (buffer: Uint8Array, length: number, position: number) =>
        position >= 3 * 1024 * 1024 ? Promise.resolve(0) : file.read(buffer, length, position),
    };
    await assert.rejects(
      upload('shrunk.bin', { source: shrunk }),
      /the file changed while it was uploaded: 3145728 bytes instead of the 6291579 announced/,
    );
  });
});
