// SqliteStorage transactions and FileBlobStore.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, test } from 'node:test';
import { FileBlobStore, smallBlobLimit } from '../../../src/local-queue/blobs/file-blob-store.js';
import { SqliteStorage } from '../../../src/local-queue/storage/sqlite-storage.js';

const dir = mkdtempSync(join(tmpdir(), 'local-queue-unit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const readAll = async (stream: Readable): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
};

describe('SqliteStorage', () => {
  test('a transaction that throws leaves nothing behind; one that returns commits', async () => {
    const storage = SqliteStorage.open(join(dir, 'db1'));
    await assert.rejects(
      storage.transaction(async (tx) => {
        await tx.putMeta('a', '1');
        throw new Error('no');
      }),
      /no/,
    );
    assert.equal(await storage.transaction((tx) => tx.getMeta('a')), undefined);
    await storage.transaction((tx) => tx.putMeta('a', '2'));
    await storage.close();
    const reopened = SqliteStorage.open(join(dir, 'db1'));
    assert.equal(await reopened.transaction((tx) => tx.getMeta('a')), '2');
    await reopened.close();
  });

  test('transactions that await do not interleave', async () => {
    const storage = SqliteStorage.open(join(dir, 'db2'));
    await storage.transaction((tx) => tx.putMeta('n', '0'));
    const increment = () =>
      storage.transaction(async (tx) => {
        const n = Number(await tx.getMeta('n'));
        await new Promise((resolve) => setTimeout(resolve, 1));
        await tx.putMeta('n', String(n + 1));
      });
    await Promise.all(Array.from({ length: 20 }, increment));
    assert.equal(await storage.transaction((tx) => tx.getMeta('n')), '20');
    await storage.close();
  });
});

describe('FileBlobStore', () => {
  test('stores, replaces and serves blobs with their metadata', async () => {
    const store = new FileBlobStore(join(dir, 'blobs'));
    assert.equal(await store.get('k'), undefined);
    assert.deepEqual(
      await store.put('k', Readable.from([Buffer.from('one')]), { contentType: 'text/plain' }),
      { size: 3 },
    );
    await store.put('k', Readable.from([Buffer.from('second')]), {
      contentType: 'text/x',
      contentEncoding: 'gzip',
    });
    const blob = await store.get('k');
    assert.ok(blob);
    assert.equal(blob.size, 6);
    assert.equal(blob.contentType, 'text/x');
    assert.equal(blob.contentEncoding, 'gzip');
    assert.equal(await readAll(blob.body), 'second');
    assert.equal(readdirSync(join(dir, 'blobs')).length, 2, 'the replaced data file is gone');
  });

  test('a failed upload leaves the previous blob and no temporary files', async () => {
    const store = new FileBlobStore(join(dir, 'blobs2'));
    await store.put('k', Readable.from([Buffer.from('kept')]), { contentType: 'text/plain' });
    const failing = new Readable({
      read() {
        this.destroy(new Error('connection reset'));
      },
    });
    await assert.rejects(store.put('k', failing, { contentType: 'text/plain' }), /connection reset/);
    const blob = await store.get('k');
    assert.equal(await readAll(blob!.body), 'kept');
    assert.ok(readdirSync(join(dir, 'blobs2')).every((name) => !name.endsWith('.tmp')));
  });

  test('small uploads with a known length take the in-memory path: same results, same replacement', async () => {
    const store = new FileBlobStore(join(dir, 'blobs3'));
    const body = (text: string): Readable =>
      Readable.from([Buffer.from(text.slice(0, 2)), Buffer.from(text.slice(2))]);
    await store.put('k', body('first'), { contentType: 'text/plain', contentLength: 5 });
    // A large one (over the limit) and a small one replace each other either way.
    const large = Buffer.alloc(smallBlobLimit + 1, 'x');
    await store.put('k', Readable.from([large]), { contentType: 'text/plain', contentLength: large.length });
    assert.equal((await store.get('k'))!.size, large.length);
    await store.put('k', body('third!'), {
      contentType: 'text/x',
      contentEncoding: 'gzip',
      contentLength: 6,
    });
    const blob = await store.get('k');
    assert.equal(blob!.contentType, 'text/x');
    assert.equal(blob!.contentEncoding, 'gzip');
    assert.equal(await readAll(blob!.body), 'third!');
    assert.equal(readdirSync(join(dir, 'blobs3')).length, 2, 'the replaced data files are gone');
  });

  test('a small upload shorter or longer than announced fails and keeps the previous blob', async () => {
    const store = new FileBlobStore(join(dir, 'blobs4'));
    await store.put('k', Readable.from([Buffer.from('kept')]), {
      contentType: 'text/plain',
      contentLength: 4,
    });
    await assert.rejects(
      store.put('k', Readable.from([Buffer.from('abc')]), { contentType: 'text/plain', contentLength: 5 }),
      /ended after 3 of 5 bytes/,
    );
    await assert.rejects(
      store.put('k', Readable.from([Buffer.from('abcdef')]), { contentType: 'text/plain', contentLength: 5 }),
      /longer than the announced 5 bytes/,
    );
    assert.equal(await readAll((await store.get('k'))!.body), 'kept');
    assert.equal(readdirSync(join(dir, 'blobs4')).length, 2, 'no data file of a failed upload is left');
  });
});
