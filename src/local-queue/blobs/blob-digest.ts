// The hashes of a stored blob's content, for finishUpload to check what a client says it uploaded. The
// content is what a downloader ends up with: a gzip Content-Encoding is decoded first, as the object
// service's getUrl clients do before they verify hashes.
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { BlobStore } from './types.js';

export interface BlobDigest {
  size: number;
  sha256: string;
  sha512: string;
}

export async function digestBlob(store: BlobStore, key: string): Promise<BlobDigest | undefined> {
  const blob = await store.get(key);
  if (!blob) return undefined;
  const sha256 = createHash('sha256');
  const sha512 = createHash('sha512');
  let size = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      sha256.update(chunk);
      sha512.update(chunk);
      size += chunk.length;
      done();
    },
  });
  if (blob.contentEncoding === 'gzip') await pipeline(blob.body, createGunzip(), sink);
  else await pipeline(blob.body, sink);
  return { size, sha256: sha256.digest('hex'), sha512: sha512.digest('hex') };
}
