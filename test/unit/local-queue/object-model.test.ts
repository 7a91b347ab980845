// The object service's pure rules and the blob digest finishUpload checks uploads with.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { digestBlob } from '../../../src/local-queue/blobs/blob-digest.js';
import { FileBlobStore } from '../../../src/local-queue/blobs/file-blob-store.js';
import {
  artifactObjectName,
  isLive,
  mergeHashes,
  objectBlobKey,
  type ObjectRecord,
} from '../../../src/local-queue/domain/object-model.js';

const dir = mkdtempSync(join(tmpdir(), 'object-model-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('object model', () => {
  test('hashes are added, never changed', () => {
    assert.deepEqual(mergeHashes({ sha256: 'a' }, { sha512: 'b' }), { hashes: { sha256: 'a', sha512: 'b' } });
    assert.deepEqual(mergeHashes({ sha256: 'a' }, { sha256: 'a' }), { hashes: { sha256: 'a' } });
    assert.deepEqual(mergeHashes({ sha256: 'a' }, undefined), { hashes: { sha256: 'a' } });
    assert.deepEqual(mergeHashes({ sha256: 'a' }, { sha256: 'c' }), { conflict: 'sha256' });
  });

  test('an unfinished upload lives a day; a finished object until it is deleted', () => {
    const object: ObjectRecord = {
      name: 'n',
      projectId: 'p',
      uploadId: 'u',
      uploadExpires: new Date(2000).toJSON(),
      expires: new Date(9000).toJSON(),
      hashes: {},
    };
    assert.ok(isLive(object, 1000));
    assert.ok(!isLive(object, 3000));
    assert.ok(isLive({ ...object, uploadId: null }, 3000));
  });

  test('names: objects keep out of the artifact key space', () => {
    assert.equal(artifactObjectName('T', 2, 'public/a'), 't/T/2/public/a');
    assert.equal(objectBlobKey('t/T/2/public/a'), 'objects/t/T/2/public/a');
  });

  test('digestBlob hashes the content, decoding gzip', async () => {
    const store = new FileBlobStore(dir);
    const text = Buffer.from('content '.repeat(1000));
    await store.put('plain', Readable.from([text]), {
      contentType: 'text/plain',
      contentLength: text.length,
    });
    await store.put('zipped', Readable.from([gzipSync(text)]), {
      contentType: 'text/plain',
      contentEncoding: 'gzip',
    });
    const expected = {
      size: text.length,
      sha256: createHash('sha256').update(text).digest('hex'),
      sha512: createHash('sha512').update(text).digest('hex'),
    };
    assert.deepEqual(await digestBlob(store, 'plain'), expected);
    assert.deepEqual(await digestBlob(store, 'zipped'), expected);
    assert.equal(await digestBlob(store, 'missing'), undefined);
  });
});
