// Streams a growing task log file to one HTTP response from an offset: it reads the file itself (never a
// shared buffer), one chunk at a time, and reads the next only when the response has drained. A stalled
// reader therefore holds one chunk and a file descriptor, and neither the task nor other readers wait for it.
import { open, type FileHandle } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import type { FollowableTaskLog } from '../../log/task-log.js';

/** Large enough for throughput, small enough that many stalled readers stay cheap. */
const chunkBytes = 64 * 1024;

export interface FollowOptions {
  readonly log: FollowableTaskLog;
  readonly offset: number;
  readonly out: Writable;
  /** Aborted when the reader goes away or the worker gives up on it. */
  readonly signal: AbortSignal;
}

/** Resolves when the whole log from `offset` is written (the log ended) or the signal aborted. */
export async function followLog({ log, offset, out, signal }: FollowOptions): Promise<void> {
  let file: FileHandle | undefined;
  let position = offset;
  // Wakes the loop when the file grew, the log ended, the output drained, or the reader left.
  let wake: (() => void) | undefined;
  const poke = (): void => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  const unsubscribe = log.onProgress(poke);
  signal.addEventListener('abort', poke);
  const sleep = (): Promise<void> => new Promise((resolve) => (wake = resolve));
  try {
    file = await open(log.path, 'r');
    while (!signal.aborted) {
      // Read `ended` before the size: once ended, the size read after it is final.
      const ended = log.ended;
      const available = log.flushedSize;
      if (position >= available) {
        if (ended) return;
        await sleep();
        continue;
      }
      const buffer = Buffer.allocUnsafe(Math.min(chunkBytes, available - position));
      const { bytesRead } = await file.read(buffer, 0, buffer.length, position);
      // Shorter than promised: the file was cut (a failing disk); nothing more will come.
      if (bytesRead === 0) return;
      position += bytesRead;
      if (!out.write(bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead))) {
        // Progress notifications wake us too: only a drain (or the reader leaving) lets us read on.
        out.on('drain', poke);
        while (out.writableNeedDrain && !signal.aborted) await sleep();
        out.off('drain', poke);
      }
    }
  } finally {
    unsubscribe();
    signal.removeEventListener('abort', poke);
    await file?.close();
  }
}
