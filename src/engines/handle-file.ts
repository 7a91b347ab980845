// A SandboxFile over an open descriptor: the first `size` bytes (the size checked, so the announced length
// stays true if the file grows), as a stream or by positional reads, so that an upload retry reads it again
// from the start. Engines hand these out; the worker uses the same shape for its own files (the task log).
import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { SandboxFile } from './types.js';

/** Large reads: fewer system calls and hash updates per byte uploaded. */
export const fileReadChunkSize = 1024 * 1024;

export function handleFile(
  handle: FileHandle,
  size: number,
  close: () => Promise<void>,
): SandboxFile & Required<Pick<SandboxFile, 'read' | 'close'>> {
  return {
    size,
    open: () =>
      size === 0
        ? Readable.from([], { objectMode: false })
        : handle.createReadStream({
            start: 0,
            end: size - 1,
            autoClose: false,
            highWaterMark: fileReadChunkSize,
          }),
    read: async (buffer, length, position) => {
      const wanted = Math.max(0, Math.min(length, size - position));
      return wanted === 0 ? 0 : (await handle.read(buffer, 0, wanted, position)).bytesRead;
    },
    close,
  };
}
