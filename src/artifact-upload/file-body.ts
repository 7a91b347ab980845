// A file on the worker's side (a compressed copy, the task log) as an upload body: one open descriptor,
// read by position, so retries read it again and large files take the upload's fast path.
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { UploadBody } from './put-body.js';
import { readChunkSize } from './upload-body-constants.js';

export interface FileBody extends UploadBody {
  readonly read: (buffer: Uint8Array, length: number, position: number) => Promise<number>;
  close(): Promise<void>;
}

/** Opens `path`; the body is the `size` bytes it has now (later growth is not sent). */
export async function openFileBody(path: string): Promise<FileBody> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    return {
      size,
      open: () =>
        size === 0
          ? Readable.from([], { objectMode: false })
          : handle.createReadStream({
              start: 0,
              end: size - 1,
              autoClose: false,
              highWaterMark: readChunkSize,
            }),
      read: async (buffer, length, position) => (await handle.read(buffer, 0, length, position)).bytesRead,
      close: () => handle.close(),
    };
  } catch (error) {
    await handle.close();
    throw error;
  }
}
