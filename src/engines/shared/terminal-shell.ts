// An interactive shell on a real terminal (node-pty), as both engines hand it out: what runs (the process
// engine's plain bash, the sandbox engine's bash inside the task's sandbox) and where is the engine's choice;
// the terminal side is the same for both: raw bytes both ways, a resize that cannot fail, and a kill that ends
// the shell's whole session and waits, bounded, for node-pty's exit notice.
import { accessSync, constants } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawn, type IPty } from 'node-pty';
import { killSessionAndWait } from '../process/process-group.js';
import type { Shell, ShellSize } from '../types.js';

export interface TerminalShellOptions {
  readonly cwd: string;
  /** The program's whole environment (TERM included). */
  readonly env: Record<string, string>;
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

/** Starts `file` on a new terminal (node-pty makes it the leader of a session of its own). */
export function openTerminalShell(
  file: string,
  args: readonly string[],
  options: TerminalShellOptions,
): Shell {
  const pty: IPty = spawn(file, [...args], {
    name: 'xterm-256color',
    cols: clampSize(options.size.cols, 80),
    rows: clampSize(options.size.rows, 24),
    cwd: options.cwd,
    env: options.env,
    // Raw bytes both ways: the websocket carries terminal output as binary frames, unchanged.
    encoding: null,
  });
  return new TerminalShell(pty);
}

class TerminalShell implements Shell {
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
