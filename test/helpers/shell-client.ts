// A client of the generic-worker shell protocol for tests: connects with `ws`, sends stdin and resize
// frames, collects the terminal output and waits (generously) for patterns in it.
import WebSocket from 'ws';
import { encodeResize, encodeStdin } from '../../src/plugins/interactive/shell-frames.js';

/** The upgrade was answered with a plain HTTP status instead of a websocket. */
export class RefusedError extends Error {
  constructor(readonly status: number) {
    super(`the shell socket was refused with HTTP ${status}`);
  }
}

export class ShellClient {
  readonly #socket: WebSocket;
  readonly closed: Promise<void>;
  #output = Buffer.alloc(0);
  #waiters = new Set<() => void>();

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.on('message', (data: Buffer) => {
      this.#output = Buffer.concat([this.#output, data]);
      for (const waiter of this.#waiters) waiter();
    });
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  static connect(url: string): Promise<ShellClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      socket.once('open', () => resolve(new ShellClient(socket)));
      socket.once('unexpected-response', (_request, response) => {
        reject(new RefusedError(response.statusCode ?? 0));
        socket.terminate();
      });
      socket.once('error', reject);
    });
  }

  get output(): string {
    return this.#output.toString('utf8');
  }

  type(text: string): void {
    this.#socket.send(encodeStdin(text));
  }

  resize(rows: number, cols: number): void {
    this.#socket.send(encodeResize({ rows, cols }));
  }

  /** Waits until the output matches; the timeout is generous because the machine is shared. */
  waitFor(pattern: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const match = pattern.exec(this.output);
        if (!match) return;
        cleanup();
        resolve(match);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(
            `timed out waiting for ${String(pattern)}; output so far: ${JSON.stringify(this.output)}`,
          ),
        );
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      this.#waiters.add(check);
      check();
    });
  }

  close(): Promise<void> {
    this.#socket.close();
    return this.closed;
  }
}
