// The task log: text for the task author, with Taskcluster's line prefixes for the worker's own lines.
// It is written to a file so that the backing log can be uploaded from disk and the live log (later) can
// stream it to any number of readers without holding it in memory.
import { createWriteStream, type WriteStream } from 'node:fs';
import { inMemoryGzipLimit } from '../artifact-upload/upload-body-constants.js';

/** Where a task run writes its log. Engines write the task's output with `write`. */
export interface TaskLog {
  /** The task's own output, unprefixed. */
  write(chunk: string | Uint8Array): void;
  /** A worker line: `[taskcluster <iso time>] message`. */
  info(message: string): void;
  /** A warning: `[taskcluster:warn <iso time>] message`. */
  warn(message: string): void;
  /** An error: `[taskcluster:error] message` (no timestamp: log parsers depend on it). */
  error(message: string): void;
  /** Bytes written so far. */
  readonly size: number;
  /**
   * The whole log, once `close` began, when it was small enough to be kept in memory as well; undefined
   * otherwise (then wait for `close` and read the file). Saves the upload of a short task's log from
   * waiting for the file and reading it back.
   */
  closedContents?(): Buffer | undefined;
  /** No more writes; resolves once every byte is in the log's file and the file is closed. */
  close?(): Promise<void>;
}

export function taskclusterLine(kind: 'info' | 'warn' | 'error', message: string, now = new Date()): string {
  const prefix =
    kind === 'error'
      ? '[taskcluster:error]'
      : kind === 'warn'
        ? `[taskcluster:warn ${now.toISOString()}]`
        : `[taskcluster ${now.toISOString()}]`;
  // A multi-line message keeps the prefix on every line so that each line is recognisably the worker's.
  return message
    .split('\n')
    .map((line) => `${prefix} ${line}\n`)
    .join('');
}

/**
 * A task log whose file may be read while it grows (the live log): readers read the file itself from their
 * own offsets, up to `flushedSize`, and wait for `onProgress` when they caught up. Nothing is buffered for
 * them, so a stalled reader costs the worker nothing but a file descriptor.
 */
export interface FollowableTaskLog extends TaskLog {
  readonly path: string;
  /** Bytes that reached the file (readable by another file descriptor). */
  readonly flushedSize: number;
  /** True once the log is closed and every byte is in the file: `flushedSize` is final. */
  readonly ended: boolean;
  /** Called (coalesced) after the file grew and once when the log ended. Returns an unsubscribe function. */
  onProgress(listener: () => void): () => void;
}

export function isFollowableTaskLog(log: TaskLog): log is FollowableTaskLog {
  return typeof (log as Partial<FollowableTaskLog>).onProgress === 'function';
}

/** A task log backed by a file. `close()` flushes it; writes after close are dropped. */
export class FileTaskLog implements FollowableTaskLog {
  readonly path: string;
  #stream: WriteStream;
  #size = 0;
  #flushed = 0;
  /** The file's last write and close, begun by the first `close`: no write is taken after that. */
  #closing: Promise<void> | undefined;
  #ended = false;
  #atLineStart = true;
  /** A copy of what was written while the log is at most `inMemoryGzipLimit` bytes; dropped beyond. */
  #copy: Buffer[] | undefined = [];
  readonly #listeners = new Set<() => void>();
  #notifyScheduled = false;

  constructor(path: string) {
    this.path = path;
    // The worker's file: tasks of other users (the sandbox engine's) must not read it.
    this.#stream = createWriteStream(path, { flags: 'a', mode: 0o600 });
    // A failing disk must not crash the worker; the run notices through the upload of the log.
    this.#stream.on('error', () => undefined);
  }

  get size(): number {
    return this.#size;
  }

  get flushedSize(): number {
    return this.#flushed;
  }

  get ended(): boolean {
    return this.#ended;
  }

  onProgress(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  write(chunk: string | Uint8Array): void {
    if (this.#closing) return;
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk);
    if (buffer.length === 0) return;
    this.#size += buffer.length;
    if (this.#copy && this.#size <= inMemoryGzipLimit) this.#copy.push(buffer);
    else this.#copy = undefined;
    this.#atLineStart = buffer[buffer.length - 1] === 0x0a;
    // The stream writes as soon as the previous write is done and batches what queued meanwhile (writev):
    // a line is in the file within one disk write, however fast the task prints.
    const length = buffer.length;
    this.#stream.write(buffer, (error) => {
      if (!error) this.#flushed += length;
      this.#scheduleNotify();
    });
  }

  info(message: string): void {
    this.#line('info', message);
  }

  warn(message: string): void {
    this.#line('warn', message);
  }

  error(message: string): void {
    this.#line('error', message);
  }

  closedContents(): Buffer | undefined {
    // Final once closing began: nothing is written after that. The copy holds every byte even where the
    // file's write failed.
    if (!this.#closing || !this.#copy) return undefined;
    return Buffer.concat(this.#copy, this.#size);
  }

  /**
   * No more writes; resolves once every byte is in the file and the file is closed. Every call gets the same
   * promise. The log is final at once: a caller that has `closedContents` need not wait for the disk.
   */
  close(): Promise<void> {
    if (!this.#closing) {
      this.#stream.end();
      // Never rejects: a failed write closes the stream too, and the upload notices what is missing.
      const closed = this.#stream.closed
        ? Promise.resolve()
        : new Promise<void>((resolve) => this.#stream.once('close', () => resolve()));
      this.#closing = closed.then(() => {
        this.#ended = true;
        this.#notify();
      });
    }
    return this.#closing;
  }

  /** One notification per batch of completed writes, not one per chunk. */
  #scheduleNotify(): void {
    if (this.#notifyScheduled) return;
    this.#notifyScheduled = true;
    queueMicrotask(() => {
      this.#notifyScheduled = false;
      this.#notify();
    });
  }

  #notify(): void {
    for (const listener of [...this.#listeners]) listener();
  }

  #line(kind: 'info' | 'warn' | 'error', message: string): void {
    // Task output without a trailing newline must not swallow the worker's prefix.
    if (!this.#atLineStart) this.write('\n');
    this.write(taskclusterLine(kind, message));
  }
}
