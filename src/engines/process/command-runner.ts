// Runs one command of a task: no shell, its own process group, output streamed into the task log as it
// arrives. A command that cannot start is an outcome like any other, not an exception.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import type { TaskLog } from '../../log/task-log.js';
import { cpuTimeBetween, type CpuTimes } from '../shared/cpu-time.js';
import { drainPipes } from '../shared/drain-pipes.js';
import type { Spawner } from '../shared/spawner.js';
import { childCpuTimes } from './cpu-times.js';
import { killGroup, killGroupAndWait } from './process-group.js';
import { killProcessesWorkingIn } from './working-dir-sweep.js';

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
  /** Sessions to spare when the processes left in `cwd` are killed (the task's open interactive shells). */
  readonly keepSessions?: () => ReadonlySet<number>;
  /** Starts the command instead of Node's spawn, which forks the whole worker (spawner.ts). */
  readonly spawner?: Spawner | undefined;
}

/** How long to wait for output pipes after the group is dead (an escaped process may still hold them). */
const pipeGraceMs = 2000;

export function startCommand(argv: readonly [string, ...string[]], options: CommandOptions): RunningCommand {
  if (options.spawner?.alive) return startSpawned(argv, options, options.spawner);
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
        await endOfCommand(pid, startedAt, pipes, options);
        resolve({
          exitCode: code ?? -1,
          ...(signal ? { signal } : {}),
          wallMilliseconds,
          ...cpuTimeBetween(cpuBefore, cpuAfter),
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

/**
 * After the command's own process exited: background children of the command die with it (the output they
 * wrote so far is kept), and so do those that left the group (setsid) but still work in the task
 * directory; only those born since the command started can be its own, older processes are passed over.
 */
async function endOfCommand(
  pid: number | undefined,
  startedAt: number,
  pipes: readonly Readable[],
  options: CommandOptions,
): Promise<void> {
  if (pid !== undefined && !(await killGroupAndWait(pid)))
    options.workerLog.error({ pgid: pid }, 'processes of a task survived SIGKILL');
  const bornSince = pid !== undefined ? { bornSince: { pid, startedAt } } : {};
  if (!(await killProcessesWorkingIn(options.cwd, options.keepSessions?.(), bornSince)))
    options.workerLog.error({ cwd: options.cwd }, 'processes of a task survived SIGKILL');
  await drainPipes(pipes, pipeGraceMs);
}

/** startCommand through the spawner: the same outcomes, with the command's own CPU time from wait4. */
function startSpawned(
  argv: readonly [string, ...string[]],
  options: CommandOptions,
  spawner: Spawner,
): RunningCommand {
  const startedAt = performance.now();
  const elapsed = (): number => performance.now() - startedAt;
  let pid: number | undefined;
  let exited = false;
  let killWanted = false;
  const done = (async (): Promise<CommandOutcome> => {
    let spawned;
    try {
      spawned = await spawner.spawn({ argv, cwd: options.cwd, env: options.env });
    } catch (error) {
      return { exitCode: -1, startError: error as NodeJS.ErrnoException, wallMilliseconds: elapsed() };
    }
    pid = spawned.pid;
    // A kill that came while the spawner was starting the command.
    if (killWanted) killGroup(pid);
    const pipes = [spawned.stdout, spawned.stderr];
    for (const pipe of pipes) pipe.on('data', (chunk: Buffer) => options.log.write(chunk));
    const exit = await spawned.exited;
    exited = true;
    const wallMilliseconds = elapsed();
    if (exit.lost) options.workerLog.error({ pid }, 'the process spawner died while a command ran');
    await endOfCommand(pid, startedAt, pipes, options);
    return {
      exitCode: exit.code ?? -1,
      ...(exit.signal ? { signal: exit.signal } : {}),
      wallMilliseconds,
      ...(exit.cpu ? { cpu: exit.cpu } : {}),
    };
  })();
  return {
    done,
    kill: () => {
      if (exited) return;
      if (pid === undefined) killWanted = true;
      else killGroup(pid);
    },
  };
}
