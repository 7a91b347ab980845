// How a finished command of a task is judged and reported in the task log, the same in both engines: it
// succeeded when it started and exited 0 without a signal; its result block (exit code, CPU and wall time)
// follows its output; a command that could not start is explained in words, with the errno code.
import { commandResultLines } from '../../log/task-log-format.js';
import type { TaskLog } from '../../log/task-log.js';
import type { CpuTimes } from './cpu-time.js';

/** What both engines know of a finished command. */
export interface ReportedOutcome {
  readonly exitCode: number;
  readonly signal?: NodeJS.Signals;
  /** Why the command could not start (ENOENT, EACCES, ...). */
  readonly startError?: { readonly code?: string | undefined; readonly message: string };
  readonly wallMilliseconds: number;
  readonly cpu?: CpuTimes;
}

export function commandSucceeded(outcome: ReportedOutcome): boolean {
  return outcome.exitCode === 0 && outcome.signal === undefined && !outcome.startError;
}

/** The command's result block, as info lines of the task log. */
export function logCommandResult(log: TaskLog, outcome: ReportedOutcome, success: boolean): void {
  for (const line of commandResultLines({
    exitCode: outcome.exitCode,
    ...(outcome.cpu
      ? { userSeconds: outcome.cpu.userSeconds, kernelSeconds: outcome.cpu.kernelSeconds }
      : {}),
    wallMilliseconds: outcome.wallMilliseconds,
    success,
  }))
    log.info(line);
}

/** Why `argv` could not start, for the task's author: `prog: no such file ... (ENOENT)`. */
export function startErrorText(argv: readonly [string, ...string[]], outcome: ReportedOutcome): string {
  const code = outcome.startError?.code;
  const why =
    code === 'ENOENT'
      ? 'no such file or directory in the task directory or on PATH'
      : code === 'EACCES'
        ? 'permission denied (not an executable file)'
        : (outcome.startError?.message ?? 'unknown error');
  return `${argv[0]}: ${why}${code ? ` (${code})` : ''}`;
}
