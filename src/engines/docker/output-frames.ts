// The daemon's attach stream of a container without a terminal multiplexes stdout and stderr: frames of an
// 8-byte header (stream 1 or 2, three zero bytes, the payload's length as a big-endian uint32) and the
// payload. Both go to the task log, in the order written, so this only strips the headers; a frame may
// arrive split across chunks.
import { Transform, type TransformCallback } from 'node:stream';

const headerSize = 8;

export class OutputFrames extends Transform {
  #pending: Buffer = Buffer.alloc(0);
  /** Bytes of the current frame's payload still to come. */
  #remaining = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    let data = this.#pending.length > 0 ? Buffer.concat([this.#pending, chunk]) : chunk;
    this.#pending = Buffer.alloc(0);
    while (data.length > 0) {
      if (this.#remaining > 0) {
        const take = Math.min(this.#remaining, data.length);
        this.push(data.subarray(0, take));
        this.#remaining -= take;
        data = data.subarray(take);
        continue;
      }
      if (data.length < headerSize) {
        this.#pending = Buffer.from(data);
        break;
      }
      this.#remaining = data.readUInt32BE(4);
      data = data.subarray(headerSize);
    }
    callback();
  }
}
