// Turns a file into the body that is sent: the file itself (identity), or its gzip compression, which goes
// to memory for small files and to a temporary file otherwise, because storage needs the length before the
// first byte. The SHA-256 of the original bytes is computed in the same pass as the compression.
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { createGzip, gzip as gzipCallback, gzipSync, type ZlibOptions } from 'node:zlib';
import { ExactLength, LengthMismatchError } from './exact-length.js';
import { openFileBody } from './file-body.js';
import { memoryBody } from './memory-body.js';
import { inMemoryGzipLimit } from './upload-body-constants.js';
import { BodyReadError, type UploadBody } from './put-body.js';
import { Sha256Stream } from './sha256-stream.js';

export type ContentEncoding = 'gzip' | 'identity';

export { inMemoryGzipLimit };

export interface PreparedBody {
  /** What is sent. */
  readonly body: UploadBody;
  readonly encoding: ContentEncoding;
  /** SHA-256 of the original bytes when it is known before sending (gzip); identity hashes while sending. */
  readonly sha256?: string;
  /** Removes the temporary file, if any. */
  dispose(): Promise<void>;
}

export interface PrepareOptions {
  readonly tempDir: string;
  readonly gzipLevel: number;
  readonly signal: AbortSignal;
}

const gzip = promisify(gzipCallback);

/**
 * Bodies up to this size are compressed on the event loop: that takes tens of microseconds, less than the
 * thread pool's round trip, which a short task's log upload would wait for.
 */
const syncGzipLimit = 32 * 1024;

/**
 * A small file (the usual task log) read whole by position and compressed in one call: no stream stages,
 * each of which would cost turns of the event loop that a short task waits for.
 */
async function gzipInMemory(
  source: UploadBody,
  read: NonNullable<UploadBody['read']>,
  options: PrepareOptions,
): Promise<PreparedBody> {
  const data = source.bytes ?? (await readWhole(read, source.size));
  options.signal.throwIfAborted();
  const sha256 = createHash('sha256').update(data).digest('hex');
  const compressed =
    data.length <= syncGzipLimit
      ? gzipSync(data, smallGzipOptions(data.length, options.gzipLevel))
      : await gzip(data, { level: options.gzipLevel });
  options.signal.throwIfAborted();
  return { body: memoryBody(compressed), encoding: 'gzip', sha256, dispose: () => Promise.resolve() };
}

/**
 * A window no larger than the data, and a hash table to match: the same compression of a short body, with a
 * compressor of a few kilobytes instead of the default quarter of a megabyte, which a short task's log
 * would spend more time allocating than compressing.
 */
function smallGzipOptions(size: number, level: number): ZlibOptions {
  const windowBits = Math.min(15, Math.max(9, Math.ceil(Math.log2(Math.max(size, 1)))));
  return { level, windowBits, memLevel: Math.min(8, Math.max(1, windowBits - 7)) };
}

/** The body's first `size` bytes (reads stop there); a file that shrank is a read error. */
async function readWhole(read: NonNullable<UploadBody['read']>, size: number): Promise<Buffer> {
  const data = Buffer.allocUnsafe(size);
  let length = 0;
  try {
    while (length < size) {
      const got = await read(data.subarray(length), size - length, length);
      if (got === 0) break;
      length += got;
    }
  } catch (error) {
    throw new BodyReadError(error);
  }
  if (length !== size) throw new BodyReadError(new LengthMismatchError(size, String(length)));
  return data;
}

export async function prepareBody(
  source: UploadBody,
  encoding: ContentEncoding,
  options: PrepareOptions,
): Promise<PreparedBody> {
  if (encoding === 'identity') return { body: source, encoding, dispose: () => Promise.resolve() };
  if (source.read && source.size <= inMemoryGzipLimit) return gzipInMemory(source, source.read, options);
  const { signal } = options;
  // As in putBody: only a failure that starts at the reading end is a read error.
  let readError: unknown;
  let failedFirst = false;
  const input = source.open();
  const length = new ExactLength(source.size);
  const hasher = new Sha256Stream(source.size);
  const gzip = createGzip({ level: options.gzipLevel });
  for (const stream of [input, length])
    stream.once('error', (error) => {
      if (!failedFirst) readError = error;
      failedFirst = true;
    });
  for (const stream of [hasher, gzip]) stream.once('error', () => void (failedFirst = true));
  const fail = (error: unknown): never => {
    if (signal.aborted) throw signal.reason;
    if (readError !== undefined) throw new BodyReadError(readError);
    throw error;
  };

  if (source.size <= inMemoryGzipLimit) {
    const chunks: Buffer[] = [];
    const collect = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk);
        callback();
      },
    });
    await pipeline([input, length, hasher, gzip, collect], { signal }).catch(fail);
    const compressed = Buffer.concat(chunks);
    return {
      body: { size: compressed.length, open: () => Readable.from([compressed]) },
      encoding,
      sha256: hasher.sha256,
      dispose: () => Promise.resolve(),
    };
  }

  const path = join(options.tempDir, `upload-${randomUUID()}.gz`);
  const dispose = (): Promise<void> => rm(path, { force: true });
  // Made on first use (most runs never need it): the worker's alone, inside a run directory only the
  // worker may write.
  await mkdir(options.tempDir, { recursive: true, mode: 0o700 });
  try {
    const output = createWriteStream(path);
    output.once('error', () => void (failedFirst = true));
    await pipeline([input, length, hasher, gzip, output], { signal });
    const body = await openFileBody(path);
    return {
      body,
      encoding,
      sha256: hasher.sha256,
      dispose: async () => {
        await body.close();
        await dispose();
      },
    };
  } catch (error) {
    await dispose();
    return fail(error);
  }
}
