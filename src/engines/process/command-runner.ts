// Runs one command of a task: no shell, its own process group, output streamed into the task log as it
// arrives. A command that cannot start is an outcome like any other, not an exception.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import type { TaskLog } from '../../log/task-log.js';
import { childCpuTimes, type CpuTimes } from './cpu-times.js';
import { killGroup, killGroupAndWait } from './process-group.js';

export interface CommandOutcome {
  /** The exit code; -1 when the command could not start or a signal ended it. */
  readonly exitCode: number;
  /** The signal that ended the command, if one did. */
  readonly signal?: NodeJS.Signals;
  /** Why the command could not start (ENOENT, EACCES, ...). */
  readonly startError?: NodeJS.ErrnoException;
  readonly wallMilliseconds: number;
  readonly cpu?: CpuTimes;
}

export interface RunningCommand {
  readonly done: Promise<CommandOutcome>;
  /** SIGKILL to the whole process group. */
  kill(): void;
}

export interface CommandOptions {
  readonly cwd: string;
  readonly env: Record<string, string>;
  readonly log: TaskLog;
  readonly workerLog: Logger;
}

/** How long to wait for output pipes after the group is dead (an escaped process may still hold them). */
const pipeGraceMs = 2000;

export function startCommand(argv: readonly [string, ...string[]], options: CommandOptions): RunningCommand {
  const cpuBefore = childCpuTimes();
  const startedAt = performance.now();
  const elapsed = (): number => performance.now() - startedAt;
  let child: ChildProcess;
  try {
    child = spawn(argv[0], argv.slice(1), {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    // Invalid arguments (a NUL byte in argv or env) throw synchronously.
    const outcome: CommandOutcome = {
      exitCode: -1,
      startError: error as NodeJS.ErrnoException,
      wallMilliseconds: elapsed(),
    };
    return { done: Promise.resolve(outcome), kill: () => undefined };
  }
  const pipes = [child.stdout, child.stderr].filter((pipe): pipe is Readable => pipe !== null);
  for (const pipe of pipes) pipe.on('data', (chunk: Buffer) => options.log.write(chunk));

  // After the exit the group is killed here; a later kill() must not hit a reused process group id.
  let exited = false;
  const done = new Promise<CommandOutcome>((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (child.pid !== undefined) {
        options.workerLog.warn({ err: error }, 'child process error');
        return;
      }
      for (const pipe of pipes) pipe.destroy();
      resolve({ exitCode: -1, startError: error, wallMilliseconds: elapsed() });
    });
    child.once('exit', (code, signal) => {
      exited = true;
      const wallMilliseconds = elapsed();
      const cpuAfter = childCpuTimes();
      const pid = child.pid;
      void (async () => {
        // Background children of a command die with it; the output they wrote so far is kept.
        if (pid !== undefined && !(await killGroupAndWait(pid)))
          options.workerLog.error({ pgid: pid }, 'processes of a task survived SIGKILL');
        await drainPipes(pipes);
        resolve({
          exitCode: code ?? -1,
          ...(signal ? { signal } : {}),
          wallMilliseconds,
          ...(cpuBefore && cpuAfter
            ? {
                cpu: {
                  userSeconds: Math.max(0, cpuAfter.userSeconds - cpuBefore.userSeconds),
                  kernelSeconds: Math.max(0, cpuAfter.kernelSeconds - cpuBefore.kernelSeconds),
                },
              }
            : {}),
        });
      })();
    });
  });
  return {
    done,
    kill: () => {
      if (child.pid !== undefined && !exited) killGroup(child.pid);
    },
  };
}

/** Waits until every pipe ended; a process outside the group could hold one open, so the wait is bounded. */
async function drainPipes(pipes: readonly Readable[]): Promise<void> {
  const open = pipes.filter((pipe) => !pipe.readableEnded && !pipe.destroyed);
  if (open.length === 0) return;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), pipeGraceMs);
  try {
    await Promise.all(open.map((pipe) => once(pipe, 'close', { signal: controller.signal })));
  } catch {
    for (const pipe of open) pipe.destroy();
  } finally {
    clearTimeout(timer);
  }
}
