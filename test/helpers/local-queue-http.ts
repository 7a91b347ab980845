// Plain HTTP for the artifact tests: a GET that decodes nothing (to see bytes and headers exactly as
// served), and stream helpers for taskcluster-client's upload and download helpers.
import { get } from 'node:http';
import { Readable, Writable } from 'node:stream';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export function rawGet(url: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    }).on('error', reject);
  });
}

/** A streamFactory for upload(): a fresh stream of `data` on each call. */
export const streamOf = (data: Buffer) => () => Promise.resolve(Readable.from([data]));

/** A streamFactory for download helpers that keeps what the last attempt wrote. */
export function collector(): { factory: () => Promise<Writable>; data: () => Buffer } {
  let chunks: Buffer[] = [];
  return {
    factory: () => {
      chunks = [];
      return Promise.resolve(
        new Writable({
          write(chunk: Buffer, _encoding, done) {
            chunks.push(chunk);
            done();
          },
        }),
      );
    },
    data: () => Buffer.concat(chunks),
  };
}
