// Runs one command of a task in a sandbox of its own (its own PID namespace: when the command exits,
// everything it left in the background is killed with it). Output streams into the task log as it comes;
// whether the command could start at all comes back on a separate pipe (fd 3), from the check that runs in
// the sandbox just before it. CPU time and OOM kills are read from the task's cgroups, so they are the
// command's own, not mixed with other tasks'.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import type { TaskLog } from '../../log/task-log.js';
import { cpuTimeBetween, type CpuTimes } from '../shared/cpu-time.js';
import { drainPipes } from '../shared/drain-pipes.js';
import { errnoName, signalName } from '../shared/os-names.js';
import { killPid } from './cgroup-files.js';
import { hostToolEnv } from './default-env.js';
import type { TaskResources } from './task-resources.js';

export interface SandboxCommandOutcome {
  /** The exit code; -1 when the command could not start or a signal ended the sandbox. */
  readonly exitCode: number;
  readonly signal?: NodeJS.Signals;
  /** Why the command could not start: ENOENT (missing) or EACCES (not executable), or what spawn said. */
  readonly startError?: { readonly code: string; readonly message: string };
  /** The worker could not set the sandbox up (cgroups, mounts): the worker's failure, not the task's. */
  readonly hostError?: string;
  /** The kernel's OOM killer killed a process of the task while the command ran. */
  readonly outOfMemory: boolean;
  readonly wallMilliseconds: number;
  readonly cpu?: CpuTimes;
}

export interface RunningSandboxCommand {
  readonly done: Promise<SandboxCommandOutcome>;
  /**
   * SIGKILL to the sandbox's own process (the launcher, then bubblewrap, which takes the command's PID
   * namespace with it). Reaches a command that has not joined its cgroups yet, which a cgroup kill misses.
   */
  kill(): void;
}

/** How long to wait for output pipes once the sandbox has exited (they close with its last process). */
const pipeGraceMs = 2000;

export function startSandboxCommand(
  argv: readonly [string, ...string[]],
  resources: TaskResources,
  log: TaskLog,
  workerLog: Logger,
): RunningSandboxCommand {
  const startedAt = performance.now();
  const elapsed = (): number => performance.now() - startedAt;
  const before = Promise.all([resources.cgroup.cpuTimes(), resources.cgroup.oomKills()]);
  const finish = async (
    outcome: Omit<SandboxCommandOutcome, 'outOfMemory' | 'wallMilliseconds' | 'cpu'>,
    wallMilliseconds: number,
  ): Promise<SandboxCommandOutcome> => {
    const [[cpuBefore, oomBefore], cpuAfter, oomAfter] = await Promise.all([
      before,
      resources.cgroup.cpuTimes(),
      resources.cgroup.oomKills(),
    ]);
    return {
      ...outcome,
      outOfMemory: oomAfter > oomBefore,
      wallMilliseconds,
      ...cpuTimeBetween(cpuBefore, cpuAfter),
    };
  };

  let child: ChildProcess;
  try {
    const [file, ...args] = resources.commandArgv(argv);
    child = spawn(file, args, {
      cwd: '/',
      env: { ...hostToolEnv },
      // Its own process group: a terminal's Ctrl-C to the worker does not reach the task directly.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    });
  } catch (error) {
    // Invalid arguments (a NUL byte in argv) throw synchronously.
    const startError = { code: errorCode(error), message: (error as Error).message };
    return { done: finish({ exitCode: -1, startError }, elapsed()), kill: () => undefined };
  }
  const output = [child.stdout, child.stderr].filter((pipe): pipe is Readable => pipe !== null);
  for (const pipe of output) pipe.on('data', (chunk: Buffer) => log.write(chunk));
  const statusPipe = child.stdio[3] as Readable | null | undefined;
  let status = '';
  statusPipe?.on('data', (chunk: Buffer) => (status += chunk.toString()));
  const pipes = statusPipe ? [...output, statusPipe] : output;

  // After the exit, a kill must not hit a pid the kernel has given to another process.
  let exited = false;
  const done = new Promise<SandboxCommandOutcome>((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (child.pid !== undefined) {
        workerLog.warn({ err: error }, 'sandbox process error');
        return;
      }
      for (const pipe of pipes) pipe.destroy();
      resolve(finish({ exitCode: -1, hostError: `cannot start the sandbox: ${error.message}` }, elapsed()));
    });
    child.once('exit', (code, signal) => {
      exited = true;
      const wallMilliseconds = elapsed();
      void (async () => {
        await drainPipes(pipes, pipeGraceMs);
        const outcome = outcomeOf(status.split('\n')[0] ?? '', code, signal);
        resolve(finish(outcome, wallMilliseconds));
      })();
    });
  });
  return {
    done,
    kill: () => {
      if (child.pid !== undefined && !exited) killPid(child.pid);
    },
  };
}

/**
 * The command's outcome from the supervisor's status line (fd 3) and the sandbox's exit: the line says when
 * the command could not start or a signal ended it, which the exit code alone cannot tell.
 */
export function outcomeOf(
  line: string,
  code: number | null,
  signal: NodeJS.Signals | null,
): Omit<SandboxCommandOutcome, 'outOfMemory' | 'wallMilliseconds' | 'cpu'> {
  const [kind, value = ''] = line.split(/ (.*)/s);
  if (kind === 'ENOENT' || kind === 'EACCES')
    return { exitCode: -1, startError: { code: kind, message: kind } };
  if (kind === 'errno') {
    const name = errnoName(Number(value)) ?? `errno ${value}`;
    return { exitCode: -1, startError: { code: name, message: name } };
  }
  if (kind === 'signal') {
    const name = signalName(Number(value));
    return { exitCode: -1, ...(name ? { signal: name } : {}) };
  }
  if (kind === 'host') return { exitCode: -1, hostError: value };
  return { exitCode: code ?? -1, ...(signal ? { signal } : {}) };
}

function errorCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return typeof code === 'string' ? code : 'EINVAL';
}
