// One interactive session: a websocket bridged to a shell. Client frames go to the shell's terminal, its
// output goes back as binary frames; either side ending ends the other.
import type { WebSocket } from 'ws';
import type { Shell } from '../../engines/types.js';
import { parseClientFrame } from './shell-frames.js';

/** Output buffered towards a slow client above which the shell's output is paused until it drains. */
const highWaterBytes = 1024 * 1024;

export class ShellSession {
  readonly #socket: WebSocket;
  readonly #shell: Shell;
  readonly #ended: Promise<void>;
  #paused = false;

  constructor(socket: WebSocket, shell: Shell) {
    this.#socket = socket;
    this.#shell = shell;
    shell.onData((chunk) => this.#send(chunk));
    // The protocol is binary; a text frame is taken as the same bytes (some clients send strings).
    socket.on('message', (data) => this.#receive(toBuffer(data)));
    this.#ended = new Promise((resolve) => {
      // Closing the socket ends the shell; the shell exiting closes the socket.
      socket.once('close', () => void shell.kill().then(resolve, resolve));
      shell.onExit(() => {
        if (socket.readyState === socket.OPEN) socket.close(1000, 'shell exited');
        else if (socket.readyState !== socket.CLOSED) socket.terminate();
      });
    });
    socket.on('error', () => socket.terminate());
  }

  /** Resolves once both the socket and the shell are gone. */
  get ended(): Promise<void> {
    return this.#ended;
  }

  /** Ends the session (the task ended): kills the shell and closes the socket. */
  async end(reason: string): Promise<void> {
    const killed = this.#shell.kill();
    if (this.#socket.readyState === this.#socket.OPEN) this.#socket.close(1001, reason);
    await killed;
    // A client that does not answer the close handshake must not keep the session.
    if (this.#socket.readyState !== this.#socket.CLOSED) this.#socket.terminate();
    await this.#ended;
  }

  #receive(frame: Buffer): void {
    const parsed = parseClientFrame(frame);
    if (parsed.kind === 'stdin') this.#shell.write(parsed.data);
    else if (parsed.kind === 'resize') this.#shell.resize(parsed.size);
  }

  #send(chunk: Buffer): void {
    if (this.#socket.readyState !== this.#socket.OPEN) return;
    this.#socket.send(chunk, { binary: true }, () => this.#maybeResume());
    if (!this.#paused && this.#socket.bufferedAmount > highWaterBytes) {
      this.#paused = true;
      this.#shell.pause();
    }
  }

  #maybeResume(): void {
    if (this.#paused && this.#socket.bufferedAmount <= highWaterBytes / 2) {
      this.#paused = false;
      this.#shell.resume();
    }
  }
}

function toBuffer(data: Buffer | ArrayBuffer | Buffer[]): Buffer {
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.isBuffer(data) ? data : Buffer.from(data);
}
