// Sends a body that can be read by position (a file) into a request through a few reused buffers, and
// hashes those very buffers in the hashing thread (shared memory, no copy). A stream would allocate fresh
// memory for every chunk and copy each once more for the hash; at a gigabyte per second on loopback that
// is a third of the machine. A buffer is reused only once the socket has taken it and the thread hashed it.
import type { ClientRequest } from 'node:http';
import { LengthMismatchError } from './exact-length.js';
import { startThreadHash, type ThreadHash } from './hash-thread.js';
import { BodyReadError } from './body-read-error.js';

/** A body that can be read by position. */
export interface PositionalBody {
  readonly size: number;
  /** Reads up to `length` bytes at `position` into `buffer`; resolves the bytes read (0 at the end). */
  readonly read: (buffer: Uint8Array, length: number, position: number) => Promise<number>;
}

const chunkSize = 1024 * 1024;
/** Buffers per upload: enough to keep the file, the socket and the hash thread busy at once. */
const maxSlots = 4;

export interface PumpResult {
  readonly sha256?: string;
}

/** Writes the whole body and ends the request. Throws BodyReadError for reading trouble, else the request's error. */
export async function pumpBody(
  body: PositionalBody,
  request: ClientRequest,
  hash: boolean,
): Promise<PumpResult> {
  const size = body.size;
  const chunk = Math.max(1, Math.min(chunkSize, size));
  const slots = Math.max(1, Math.min(maxSlots, Math.ceil(size / chunk)));
  const memory = hash ? new SharedArrayBuffer(slots * chunk) : new ArrayBuffer(slots * chunk);
  const views = Array.from({ length: slots }, (_, slot) => Buffer.from(memory, slot * chunk, chunk));
  const holds = new Array<number>(slots).fill(0);
  const free = views.map((_, slot) => slot);

  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const wakeUp = (): void => {
    const resume = wake;
    wake = undefined;
    resume?.();
  };
  const fail = (error: Error): void => {
    failure ??= error;
    wakeUp();
  };
  const release = (slot: number): void => {
    if (--holds[slot]! === 0) {
      free.push(slot);
      wakeUp();
    }
  };
  const until = async (ready: () => boolean): Promise<void> => {
    while (!ready() && !failure && !request.destroyed) await new Promise<void>((resolve) => (wake = resolve));
    if (failure) throw failure;
    if (request.destroyed) throw new Error('the request was closed');
  };

  let thread: ThreadHash | undefined;
  if (hash) {
    thread = startThreadHash(
      (_bytes, tag) => tag !== undefined && release(tag),
      (error) => fail(error),
    );
    thread.attach(memory as SharedArrayBuffer);
  }
  const onDrain = (): void => wakeUp();
  request.on('error', fail);
  request.on('close', wakeUp);
  request.on('drain', onDrain);
  try {
    for (let position = 0; position < size;) {
      await until(() => free.length > 0);
      const slot = free.pop()!;
      const view = views[slot]!;
      let read: number;
      try {
        read = await body.read(view, Math.min(chunk, size - position), position);
      } catch (error) {
        throw new BodyReadError(error);
      }
      if (read === 0) throw new BodyReadError(new LengthMismatchError(size, String(position)));
      position += read;
      holds[slot] = hash ? 2 : 1;
      thread?.hashShared(slot * chunk, read, slot);
      request.write(view.subarray(0, read), (error) => {
        if (error) fail(error);
        release(slot);
      });
      if (request.writableNeedDrain) await until(() => !request.writableNeedDrain);
    }
    request.end();
    return thread ? { sha256: await thread.digest() } : {};
  } catch (error) {
    thread?.drop();
    request.destroy();
    throw error;
  } finally {
    request.off('error', fail);
    request.off('close', wakeUp);
    request.off('drain', onDrain);
  }
}
