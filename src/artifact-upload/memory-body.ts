// Bytes already in memory as an upload body: sent in one write, read by position for hashing or
// compression, opened as a stream for anything else.
import { Readable } from 'node:stream';
import type { UploadBody } from './put-body.js';

export function memoryBody(bytes: Buffer): UploadBody & Required<Pick<UploadBody, 'read' | 'bytes'>> {
  return {
    size: bytes.length,
    bytes,
    open: () => Readable.from([bytes]),
    read: (buffer, length, position) => {
      const end = Math.min(bytes.length, position + length);
      return Promise.resolve(position >= end ? 0 : bytes.copy(buffer, 0, position, end));
    },
  };
}
