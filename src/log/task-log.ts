// The task log: text for the task author, with Taskcluster's line prefixes for the worker's own lines.
// It is written to a file so that the backing log can be uploaded from disk and the live log (later) can
// stream it to any number of readers without holding it in memory.
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';

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

/** A task log backed by a file. `close()` flushes it; writes after close are dropped. */
export class FileTaskLog implements TaskLog {
  readonly path: string;
  #stream: WriteStream;
  #size = 0;
  #closed = false;
  #atLineStart = true;

  constructor(path: string) {
    this.path = path;
    this.#stream = createWriteStream(path, { flags: 'a' });
    // A failing disk must not crash the worker; the run notices through the upload of the log.
    this.#stream.on('error', () => undefined);
  }

  get size(): number {
    return this.#size;
  }

  write(chunk: string | Uint8Array): void {
    if (this.#closed) return;
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk);
    if (buffer.length === 0) return;
    this.#size += buffer.length;
    this.#atLineStart = buffer[buffer.length - 1] === 0x0a;
    this.#stream.write(buffer);
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

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stream.end();
    if (!this.#stream.closed) await once(this.#stream, 'close');
  }

  #line(kind: 'info' | 'warn' | 'error', message: string): void {
    // Task output without a trailing newline must not swallow the worker's prefix.
    if (!this.#atLineStart) this.write('\n');
    this.write(taskclusterLine(kind, message));
  }
}
