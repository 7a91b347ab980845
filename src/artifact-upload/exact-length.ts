// Storage is promised a Content-Length before the first byte: a body that turns out shorter would leave the
// request hanging until a timeout, a longer one would be cut by the server. Both fail the attempt at once.
import { Transform, type TransformCallback } from 'node:stream';

/** The body's length differs from the length announced (the file changed while it was uploaded). */
export class LengthMismatchError extends Error {
  constructor(expected: number, actual: string) {
    super(`the file changed while it was uploaded: ${actual} bytes instead of the ${expected} announced`);
    this.name = 'LengthMismatchError';
  }
}

export class ExactLength extends Transform {
  readonly #expected: number;
  #seen = 0;

  constructor(expected: number) {
    super();
    this.#expected = expected;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#seen += chunk.byteLength;
    if (this.#seen > this.#expected)
      return callback(new LengthMismatchError(this.#expected, `more than ${this.#expected}`));
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.#seen !== this.#expected)
      return callback(new LengthMismatchError(this.#expected, String(this.#seen)));
    callback();
  }
}
