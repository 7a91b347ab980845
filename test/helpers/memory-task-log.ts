// A TaskLog kept in memory, for engine tests that watch the log while the task runs.
import { taskclusterLine, type TaskLog } from '../../src/log/task-log.js';

export class MemoryTaskLog implements TaskLog {
  #text = '';

  get text(): string {
    return this.#text;
  }

  get size(): number {
    return Buffer.byteLength(this.#text);
  }

  write(chunk: string | Uint8Array): void {
    this.#text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
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

  /** Resolves with the first match of `pattern` once the log has it (polling; generous timeout). */
  async waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = this.#text.match(pattern);
      if (match) return match;
      if (Date.now() > deadline) throw new Error(`log never matched ${pattern}:\n${this.#text}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  #line(kind: 'info' | 'warn' | 'error', message: string): void {
    if (this.#text !== '' && !this.#text.endsWith('\n')) this.#text += '\n';
    this.#text += taskclusterLine(kind, message);
  }
}
