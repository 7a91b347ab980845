// The process engine's interactive shell: bash (or sh) on a real terminal (node-pty), as the worker's user,
// in the task directory, with the task's environment.
import { accessSync, constants } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawn, type IPty } from 'node-pty';
import type { Shell, ShellSize } from '../types.js';
import { killSessionAndWait } from './process-group.js';

export interface PtyShellOptions {
  readonly cwd: string;
  /** The task's environment; TERM is set over it. */
  readonly env: Readonly<Record<string, string>>;
  readonly size: ShellSize;
}

/** `/bin/bash` where the machine has it, else `/bin/sh`. */
export function shellProgram(): string {
  try {
    accessSync('/bin/bash', constants.X_OK);
    return '/bin/bash';
  } catch {
    return '/bin/sh';
  }
}

/** How long to wait for node-pty's exit notice once the session is dead. */
const exitNoticeMs = 5000;

export function openPtyShell(options: PtyShellOptions): Shell {
  const pty: IPty = spawn(shellProgram(), [], {
    name: 'xterm-256color',
    cols: clampSize(options.size.cols, 80),
    rows: clampSize(options.size.rows, 24),
    cwd: options.cwd,
    env: { ...options.env, TERM: 'xterm-256color' },
    // Raw bytes both ways: the websocket carries terminal output as binary frames, unchanged.
    encoding: null,
  });
  return new PtyShell(pty);
}

class PtyShell implements Shell {
  readonly pid: number;
  readonly #pty: IPty;
  readonly #exited: Promise<void>;
  #killing: Promise<void> | undefined;

  constructor(pty: IPty) {
    this.#pty = pty;
    this.pid = pty.pid;
    this.#exited = new Promise((resolve) => pty.onExit(() => resolve()));
  }

  onData(listener: (chunk: Buffer) => void): void {
    // With `encoding: null` node-pty hands out Buffers, though its typings say string.
    this.#pty.onData((data) => listener(typeof data === 'string' ? Buffer.from(data) : (data as Buffer)));
  }

  onExit(listener: () => void): void {
    void this.#exited.then(listener);
  }

  write(data: Buffer): void {
    if (this.#killing) return;
    this.#pty.write(data);
  }

  resize(size: ShellSize): void {
    if (this.#killing) return;
    try {
      this.#pty.resize(clampSize(size.cols, this.#pty.cols), clampSize(size.rows, this.#pty.rows));
    } catch {
      // The shell exited meanwhile: nothing to resize.
    }
  }

  pause(): void {
    this.#pty.pause();
  }

  resume(): void {
    this.#pty.resume();
  }

  kill(): Promise<void> {
    // The shell leads its own session (node-pty calls setsid): kill the session, jobs in their own groups too.
    this.#killing ??= (async () => {
      await killSessionAndWait(this.pid);
      // node-pty reports the exit from its own thread; do not hang a task's end on a lost notice.
      await Promise.race([this.#exited, sleep(exitNoticeMs, undefined, { ref: false })]);
    })();
    return this.#killing;
  }
}

/** A terminal dimension as the kernel takes it (1 to 65535); anything else keeps the fallback. */
function clampSize(value: number, fallback: number): number {
  return Number.isInteger(value) && value >= 1 && value <= 0xffff ? value : fallback;
}
