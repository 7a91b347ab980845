// A file on the worker's side (a compressed copy, the task log) as an upload body: one open descriptor,
// read by position, so retries read it again and large files take the upload's fast path.
import { open } from 'node:fs/promises';
import type { UploadBody } from './put-body.js';
import { handleFile } from '../engines/handle-file.js';

export interface FileBody extends UploadBody {
  readonly read: (buffer: Uint8Array, length: number, position: number) => Promise<number>;
  close(): Promise<void>;
}

/** Opens `path`; the body is the `size` bytes it has now (later growth is not sent). */
export async function openFileBody(path: string): Promise<FileBody> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    return handleFile(handle, size, () => handle.close());
  } catch (error) {
    await handle.close();
    throw error;
  }
}
