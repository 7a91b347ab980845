// An interactive shell in a running task container: `docker exec` of a shell on a terminal, with the task's
// environment and TERM=xterm-256color, as the container's user, where the task's main process works. The exec's process
// is a host process (the worker runs beside the daemon), so kill ends its whole terminal session by pid.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import { killSessionAndWait } from '../process/process-group.js';
import type { Shell, ShellSize } from '../types.js';
import { daemonCall } from './daemon-call.js';

/**
 * bash when the image has it, else sh, in the working directory of the task's main process (PID 1 of the
 * container: where the task is working, its image's WORKDIR unless it moved).
 */
const shellCommand = [
  '/bin/sh',
  '-c',
  'cd "$(readlink /proc/1/cwd)" 2>/dev/null; if command -v bash >/dev/null 2>&1; then exec bash; fi; exec sh',
];

export async function openDockerShell(
  container: Docker.Container,
  env: Readonly<Record<string, string>>,
  size: ShellSize,
  timeoutMs: number,
): Promise<Shell> {
  const exec = await daemonCall('exec a shell', { timeoutMs }, () =>
    container.exec({
      Cmd: shellCommand,
      Env: [...Object.entries(env).map(([name, value]) => `${name}=${value}`), 'TERM=xterm-256color'],
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      Tty: true,
    }),
  );
  const stream = await daemonCall<Duplex>('start the shell', { timeoutMs }, () =>
    exec.start({ hijack: true, stdin: true, Tty: true }),
  );
  const shell = new DockerShell(exec, stream, await shellPid(exec, timeoutMs), timeoutMs);
  shell.resize(size);
  return shell;
}

/**
 * The host pid of the shell: the daemon knows it once the process runs, a moment after the start call
 * answered. Without it, kill still ends the shell by closing its terminal.
 */
async function shellPid(exec: Docker.Exec, timeoutMs: number): Promise<number | undefined> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const info = await daemonCall('inspect the shell', { timeoutMs }, () => exec.inspect());
    if (info.Pid > 0) return info.Pid;
    if (!info.Running && attempt > 0) return undefined;
    await sleep(20);
  }
  return undefined;
}

/** How long to wait for the shell's stream to end once its session is dead. */
const closeNoticeMs = 5000;

class DockerShell implements Shell {
  readonly pid?: number;
  readonly #exec: Docker.Exec;
  readonly #stream: Duplex;
  readonly #timeoutMs: number;
  readonly #closed: Promise<void>;
  #killing: Promise<void> | undefined;

  constructor(exec: Docker.Exec, stream: Duplex, pid: number | undefined, timeoutMs: number) {
    this.#exec = exec;
    this.#stream = stream;
    this.#timeoutMs = timeoutMs;
    if (pid !== undefined) this.pid = pid;
    this.#closed = new Promise((resolve) => {
      stream.once('close', () => resolve());
      stream.once('end', () => resolve());
      stream.once('error', () => resolve());
    });
  }

  onData(listener: (chunk: Buffer) => void): void {
    this.#stream.on('data', (chunk: Buffer | string) =>
      listener(typeof chunk === 'string' ? Buffer.from(chunk) : chunk),
    );
  }

  onExit(listener: () => void): void {
    void this.#closed.then(listener);
  }

  write(data: Buffer): void {
    if (this.#killing || this.#stream.destroyed) return;
    this.#stream.write(data);
  }

  resize(size: ShellSize): void {
    if (this.#killing) return;
    const h = clamp(size.rows);
    const w = clamp(size.cols);
    if (h === undefined || w === undefined) return;
    // The shell may have exited meanwhile: nothing to resize then.
    void daemonCall('resize the shell', { timeoutMs: this.#timeoutMs }, () =>
      this.#exec.resize({ h, w }),
    ).catch(() => undefined);
  }

  pause(): void {
    this.#stream.pause();
  }

  resume(): void {
    this.#stream.resume();
  }

  kill(): Promise<void> {
    this.#killing ??= (async () => {
      if (this.pid !== undefined) await killSessionAndWait(this.pid);
      this.#stream.destroy();
      await Promise.race([this.#closed, sleep(closeNoticeMs, undefined, { ref: false })]);
    })();
    return this.#killing;
  }
}

function clamp(value: number): number | undefined {
  return Number.isInteger(value) && value >= 1 && value <= 0xffff ? value : undefined;
}
