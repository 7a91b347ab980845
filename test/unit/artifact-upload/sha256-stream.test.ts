// SHA-256 on the way: inline for small bodies, in the hashing thread for large ones, with bounded memory.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, it } from 'node:test';
import { offloadThreshold, Sha256Stream } from '../../../src/artifact-upload/sha256-stream.js';

async function hashThrough(
  chunks: Buffer[],
  expectedSize: number,
  slowSink = false,
): Promise<{ digest: string; out: Buffer }> {
  const hasher = new Sha256Stream(expectedSize);
  const out: Buffer[] = [];
  await pipeline(
    Readable.from(chunks),
    hasher,
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        out.push(chunk);
        if (slowSink) setImmediate(callback);
        else callback();
      },
    }),
  );
  return { digest: hasher.sha256, out: Buffer.concat(out) };
}

describe('Sha256Stream', () => {
  it('passes the bytes through unchanged and hashes them, inline and in the thread alike', async () => {
    for (const size of [0, 10, offloadThreshold - 1, offloadThreshold, 5 * offloadThreshold + 17]) {
      const data = randomBytes(size);
      const chunks = Array.from({ length: Math.ceil(size / 65536) }, (_, i) =>
        data.subarray(i * 65536, (i + 1) * 65536),
      );
      const { digest, out } = await hashThrough(chunks, size, size % 2 === 1);
      assert.equal(digest, createHash('sha256').update(data).digest('hex'), `size ${size}`);
      assert.ok(out.equals(data), `size ${size}`);
    }
  });

  it('runs many digests in the thread at once without mixing them', async () => {
    const bodies = Array.from({ length: 8 }, () => randomBytes(offloadThreshold + 1000));
    const digests = await Promise.all(
      bodies.map(
        async (body) =>
          (await hashThrough([body.subarray(0, 1000), body.subarray(1000)], body.length)).digest,
      ),
    );
    assert.deepEqual(
      digests,
      bodies.map((body) => createHash('sha256').update(body).digest('hex')),
    );
  });

  it('has no digest before the stream finished', () => {
    assert.throws(() => new Sha256Stream(10).sha256, /not ready/);
  });
});
