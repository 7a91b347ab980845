// Receives an upload body the way storage does: streamed, hashed and counted on the way, kept only when
// asked (a 2 GiB body is discarded), with the number of concurrent uploads recorded.
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Sha256Stream } from '../../src/artifact-upload/sha256-stream.js';

export interface ReceivedBody {
  readonly headers: IncomingHttpHeaders;
  /** Bytes received. */
  readonly size: number;
  /** Hex SHA-256 of the bytes received (as sent: compressed when Content-Encoding is gzip). */
  readonly sha256: string;
  /** The bytes, when kept. */
  readonly raw?: Buffer;
}

export class UploadSink {
  /** Keep bodies in memory (false: count and hash only). */
  keepBodies = true;
  active = 0;
  peak = 0;
  count = 0;

  /** Counts an upload from its first byte until `done` is called (after the answer). */
  begin(): () => void {
    this.count++;
    this.active++;
    this.peak = Math.max(this.peak, this.active);
    let done = false;
    return () => {
      if (!done) this.active--;
      done = true;
    };
  }

  /** Reads the whole body; resolves undefined when the client went away first. */
  async receive(request: IncomingMessage): Promise<ReceivedBody | undefined> {
    // Hashed beside the receiving, as the worker hashes beside the sending: a 2 GiB body hashed on the
    // event loop that also serves it would take three times as long. The digest is checked against
    // values computed elsewhere (sha256sum, node:crypto), so sharing the worker's hasher proves nothing wrong.
    const hasher = new Sha256Stream(Number(request.headers['content-length'] ?? 0));
    const chunks: Buffer[] = [];
    let size = 0;
    const keep = this.keepBodies;
    const complete = await pipeline(
      request,
      hasher,
      new Writable({
        write(chunk: Buffer, _encoding, callback) {
          size += chunk.length;
          if (keep) chunks.push(chunk);
          callback();
        },
      }),
    ).then(
      () => request.complete,
      () => false,
    );
    if (!complete) return undefined;
    return {
      headers: request.headers,
      size,
      sha256: hasher.sha256,
      ...(this.keepBodies ? { raw: Buffer.concat(chunks) } : {}),
    };
  }
}
