// The generic-worker shell protocol's client frames: 0x01 + stdin bytes, 0x02 + rows + cols (uint16 LE).
import type { ShellSize } from '../../engines/types.js';

export const stdinFrame = 0x01;
export const resizeFrame = 0x02;

export type ClientFrame =
  | { readonly kind: 'stdin'; readonly data: Buffer }
  | { readonly kind: 'resize'; readonly size: ShellSize }
  /** Unknown type, empty, or a resize that is too short or has a zero dimension: ignored. */
  | { readonly kind: 'ignored' };

export function parseClientFrame(frame: Buffer): ClientFrame {
  const type = frame[0];
  if (type === stdinFrame) return { kind: 'stdin', data: frame.subarray(1) };
  if (type === resizeFrame && frame.length >= 5) {
    const rows = frame.readUInt16LE(1);
    const cols = frame.readUInt16LE(3);
    if (rows > 0 && cols > 0) return { kind: 'resize', size: { rows, cols } };
  }
  return { kind: 'ignored' };
}

/** Builds a client frame (tests, and any client written in TypeScript). */
export function encodeStdin(data: string | Buffer): Buffer {
  return Buffer.concat([Buffer.of(stdinFrame), Buffer.isBuffer(data) ? data : Buffer.from(data)]);
}

export function encodeResize(size: ShellSize): Buffer {
  const frame = Buffer.alloc(5);
  frame[0] = resizeFrame;
  frame.writeUInt16LE(size.rows, 1);
  frame.writeUInt16LE(size.cols, 3);
  return frame;
}
