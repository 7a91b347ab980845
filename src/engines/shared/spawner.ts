// The worker's side of the process spawner (spawner-source.ts): one helper process per engine, started on
// first use, that starts commands so that the worker never forks itself. A command's stdout and stderr
// come to the worker as the read ends of its pipes, opened through /proc; its exit, with its CPU time,
// comes as a line. Where the helper cannot be built, the engine keeps Node's spawn.
import { spawn as nodeSpawn, type ChildProcess } from 'node:child_process';
import { constants, openSync } from 'node:fs';
import { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import type { CpuTimes } from './cpu-time.js';
import { compiledHelper } from './compiled-helper.js';
import { errnoName, signalName } from './os-names.js';
import { spawnerSource } from './spawner-source.js';

export interface SpawnRequest {
  readonly argv: readonly [string, ...string[]];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
}

export interface SpawnedExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly cpu?: CpuTimes;
  /** The spawner died before it could say how the command ended. */
  readonly lost?: boolean;
}

/** A command the spawner started: in a session of its own (its pid is its process group's id). */
export interface SpawnedProcess {
  readonly pid: number;
  readonly stdout: Readable;
  readonly stderr: Readable;
  readonly exited: Promise<SpawnedExit>;
}

/** A command that could not start: the errno's name, as Node's spawn would give it. */
export class SpawnStartError extends Error {
  readonly code: string;
  constructor(file: string, code: string) {
    super(`spawn ${file} ${code}`);
    this.name = 'SpawnStartError';
    this.code = code;
  }
}

interface Pending {
  readonly file: string;
  readonly resolve: (spawned: SpawnedProcess) => void;
  readonly reject: (error: Error) => void;
  exit?: (exit: SpawnedExit) => void;
}

export class Spawner {
  readonly #helper: ChildProcess;
  readonly #log: Logger;
  readonly #pending = new Map<string, Pending>();
  #next = 0;
  #buffered = '';
  #dead = false;

  private constructor(helper: ChildProcess, log: Logger) {
    this.#helper = helper;
    this.#log = log;
    helper.stdout?.setEncoding('latin1');
    helper.stdout?.on('data', (chunk: string) => this.#onData(chunk));
    helper.once('exit', (code, signal) => this.#onDeath(`exit ${code ?? signal ?? '?'}`));
    helper.once('error', (error) => this.#onDeath(error.message));
    helper.stdin?.on('error', () => undefined);
    this.#refWhileBusy();
  }

  /** The helper keeps the worker alive only while a command of it runs (a test process may just end). */
  #refWhileBusy(): void {
    const busy = this.#pending.size > 0;
    for (const handle of [this.#helper, this.#helper.stdout, this.#helper.stdin] as const) {
      const refable = handle as unknown as { ref?: () => void; unref?: () => void } | null;
      if (busy) refable?.ref?.();
      else refable?.unref?.();
    }
  }

  /** A running spawner built from `dir` (compiled there once), or undefined where there is none. */
  static async start(dir: string, log: Logger): Promise<Spawner | undefined> {
    const binary = await compiledHelper(dir, { name: 'spawn', source: spawnerSource, works }, log);
    if (!binary) return undefined;
    // Its own session: a terminal's Ctrl-C to the worker does not reach it (nor the commands it starts).
    const helper = nodeSpawn(binary, [], { stdio: ['pipe', 'pipe', 'inherit'], detached: true });
    const ready = await new Promise<boolean>((resolve) => {
      helper.once('error', () => resolve(false));
      helper.stdout?.once('data', (chunk: Buffer) => resolve(chunk.toString('latin1').startsWith('R\n')));
    });
    if (!ready) {
      helper.kill('SIGKILL');
      return undefined;
    }
    // The ready line is read: what follows are replies.
    return new Spawner(helper, log);
  }

  get alive(): boolean {
    return !this.#dead;
  }

  /** The helper process's pid (for the worker's log and tests). */
  get pid(): number | undefined {
    return this.#helper.pid;
  }

  spawn(request: SpawnRequest): Promise<SpawnedProcess> {
    if (this.#dead) return Promise.reject(new Error('the process spawner is not running'));
    for (const text of [...request.argv, request.cwd, ...Object.entries(request.env).flat()])
      if (text.includes('\0'))
        return Promise.reject(new TypeError('an argument or variable holds a NUL byte'));
    const id = String(this.#next++);
    const env = Object.entries(request.env).map(([name, value]) => `${name}=${value}`);
    const fields = [
      'S',
      id,
      request.cwd,
      String(request.argv.length),
      ...request.argv,
      String(env.length),
      ...env,
    ];
    return new Promise<SpawnedProcess>((resolve, reject) => {
      this.#pending.set(id, { file: request.argv[0], resolve, reject });
      if (this.#pending.size === 1) this.#refWhileBusy();
      this.#helper.stdin?.write(`${fields.join('\0')}\0`);
    });
  }

  /** Ends the helper; commands it started keep running (their kill is the engine's). */
  stop(): void {
    this.#helper.stdin?.end();
  }

  #onData(chunk: string): void {
    this.#buffered += chunk;
    let newline: number;
    while ((newline = this.#buffered.indexOf('\n')) >= 0) {
      const line = this.#buffered.slice(0, newline);
      this.#buffered = this.#buffered.slice(newline + 1);
      this.#onLine(line.split(' '));
    }
  }

  #onLine(fields: string[]): void {
    this.#handleLine(fields);
    if (this.#pending.size === 0) this.#refWhileBusy();
  }

  #handleLine([kind, id = '', ...rest]: string[]): void {
    const pending = this.#pending.get(id);
    if (!pending) return;
    if (kind === 'F') {
      this.#pending.delete(id);
      const errno = Number(rest[0]);
      pending.reject(new SpawnStartError(pending.file, errnoName(errno) ?? `errno ${errno}`));
    } else if (kind === 'S') {
      const [pid, outFd, errFd] = rest.map(Number);
      this.#started(id, pending, pid ?? 0, outFd ?? -1, errFd ?? -1);
    } else if (kind === 'E') {
      this.#pending.delete(id);
      const [status = 0, user = 0, system = 0] = rest.map(Number);
      const cpu = { userSeconds: user / 1e6, kernelSeconds: system / 1e6 };
      // The wait status: low 7 bits the signal that ended it (0: it exited), next byte the exit code.
      const signalNumber = status & 0x7f;
      pending.exit?.(
        signalNumber === 0
          ? { code: (status >> 8) & 0xff, signal: null, cpu }
          : { code: null, signal: signalName(signalNumber) ?? 'SIGKILL', cpu },
      );
    }
  }

  #started(id: string, pending: Pending, pid: number, outFd: number, errFd: number): void {
    let stdout: Socket;
    let stderr: Socket;
    try {
      // A fresh open of each pipe, non-blocking for the event loop; then the spawner drops its own.
      const open = (fd: number): Socket =>
        new Socket({
          fd: openSync(`/proc/${this.#helper.pid}/fd/${fd}`, constants.O_RDONLY | constants.O_NONBLOCK),
          readable: true,
          writable: false,
        });
      stdout = open(outFd);
      stderr = open(errFd);
    } catch (error) {
      this.#log.error({ err: error }, 'cannot open the output of a spawned process');
      process.kill(-pid, 'SIGKILL');
      this.#helper.stdin?.write(`C\0${id}\0`);
      pending.exit = () => undefined;
      pending.reject(error as Error);
      return;
    }
    this.#helper.stdin?.write(`C\0${id}\0`);
    const exited = new Promise<SpawnedExit>((resolve) => (pending.exit = resolve));
    pending.resolve({ pid, stdout, stderr, exited });
  }

  #onDeath(reason: string): void {
    if (this.#dead) return;
    this.#dead = true;
    if (this.#pending.size > 0) this.#log.error({ reason }, 'the process spawner died');
    for (const pending of this.#pending.values()) {
      if (pending.exit) pending.exit({ code: null, signal: null, lost: true });
      else pending.reject(new Error(`the process spawner died (${reason})`));
    }
    this.#pending.clear();
  }
}

/** The built spawner starts `true` and reports its exit: `S`, then `E` with status 0. */
function works(binary: string, log: Logger): Promise<boolean> {
  return new Promise((resolve) => {
    const helper = nodeSpawn(binary, [], { stdio: ['pipe', 'pipe', 'ignore'] });
    let said = '';
    let acknowledged = false;
    const timer = setTimeout(() => finish(false), 10_000);
    const finish = (ok: boolean): void => {
      clearTimeout(timer);
      helper.kill('SIGKILL');
      if (!ok) log.warn({ binary, said }, 'the compiled process spawner does not work; using Node’s spawn');
      resolve(ok);
    };
    helper.once('error', () => finish(false));
    helper.stdout.setEncoding('latin1');
    helper.stdout.on('data', (chunk: string) => {
      said += chunk;
      if (!acknowledged && /^S 0 \d+ \d+ \d+$/m.test(said)) {
        acknowledged = true;
        helper.stdin.write('C\u00000\u0000');
      }
      if (/^E 0 0 \d+ \d+$/m.test(said)) finish(true);
      if (/^F 0/m.test(said)) finish(false);
    });
    helper.stdin.write(['S', '0', '/', '1', '/bin/true', '0', ''].join('\0'));
  });
}
