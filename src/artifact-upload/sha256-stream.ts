// A pass-through stream that computes the SHA-256 of the bytes flowing through it. Large bodies are hashed
// in the shared hashing thread, beside the upload; at most `maxInFlight` bytes wait there, so memory stays
// bounded however fast the source is. Small bodies are hashed inline (a thread round trip would cost more).
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { startThreadHash, type ThreadHash } from './hash-thread.js';

/** Bodies of at least this many bytes are hashed in the thread. */
export const offloadThreshold = 1024 * 1024;
const maxInFlight = 4 * 1024 * 1024;

export class Sha256Stream extends Transform {
  #inline: Hash | undefined;
  #thread: ThreadHash | undefined;
  #inFlight = 0;
  #resume: (() => void) | undefined;
  #threadError: Error | undefined;
  #digest: string | undefined;

  /** `expectedSize`: the body's length, which decides where it is hashed. */
  constructor(expectedSize: number) {
    super();
    if (expectedSize >= offloadThreshold) {
      try {
        this.#thread = startThreadHash(
          (bytes) => {
            this.#inFlight -= bytes;
            if (this.#inFlight <= maxInFlight) this.#release();
          },
          (error) => {
            this.#threadError = error;
            this.#release();
          },
        );
      } catch {
        // No thread (it could not start): hashing inline is slower, never wrong.
      }
    }
    if (!this.#thread) this.#inline = createHash('sha256');
  }

  /** The hex digest; available once the stream has finished. */
  get sha256(): string {
    if (this.#digest === undefined) throw new Error('the digest is not ready: the stream has not finished');
    return this.#digest;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.#threadError) return callback(this.#threadError);
    if (this.#inline) {
      this.#inline.update(chunk);
      return callback(null, chunk);
    }
    this.#thread?.update(chunk);
    this.#inFlight += chunk.byteLength;
    this.push(chunk);
    // Backpressure towards the source: hold the next chunk until the thread has caught up.
    if (this.#inFlight > maxInFlight) this.#resume = () => callback(this.#threadError ?? null);
    else callback();
  }

  override _flush(callback: TransformCallback): void {
    if (this.#inline) {
      this.#digest = this.#inline.digest('hex');
      return callback();
    }
    this.#thread?.digest().then(
      (hex) => {
        this.#digest = hex;
        callback();
      },
      (error: Error) => callback(error),
    );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (this.#digest === undefined) this.#thread?.drop();
    this.#release();
    callback(error);
  }

  #release(): void {
    const resume = this.#resume;
    this.#resume = undefined;
    resume?.();
  }
}

/** The SHA-256 of everything `source` yields (to compare two files' content). */
export async function sha256Of(source: AsyncIterable<Buffer>): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of source) hash.update(chunk);
  return hash.digest('hex');
}
