// Wording of the task log lines the worker writes around a task (header, per-command result, footer), kept in
// one place so that every engine and the task run speak the same, generic-worker-like format.
import type { PayloadFormat } from '../engines/types.js';
import type { Resolution } from '../errors.js';

/** `1.234s`, or `2m3.456s` from a minute on. */
export function formatDuration(milliseconds: number): string {
  const ms = Math.max(0, Math.round(milliseconds));
  const minutes = Math.floor(ms / 60_000);
  const seconds = ((ms % 60_000) / 1000).toFixed(3);
  return minutes > 0 ? `${minutes}m${seconds}s` : `${seconds}s`;
}

/** An argv as a user would type it in a POSIX shell (quoted only where needed), for `Executing command`. */
export function formatArgv(argv: readonly string[]): string {
  return argv.map(quoteArg).join(' ');
}

function quoteArg(arg: string): string {
  if (arg !== '' && /^[\w@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export interface TaskHeader {
  readonly taskQueueId: string;
  readonly workerGroup: string;
  readonly workerId: string;
  readonly taskId: string;
  readonly runId: number;
}

/** The lines that open a task log. */
export function headerLines(header: TaskHeader): string[] {
  return [
    `Worker type: ${header.taskQueueId}`,
    `Worker: ${header.workerGroup}/${header.workerId}`,
    `Task: ${header.taskId} run ${header.runId}`,
    '=== Task Starting ===',
  ];
}

export interface CommandResult {
  /** -1 when the command could not start or was killed by a signal. */
  readonly exitCode: number;
  /** CPU seconds, when the engine could measure them. */
  readonly userSeconds?: number;
  readonly kernelSeconds?: number;
  readonly wallMilliseconds: number;
  readonly success: boolean;
}

/** The result block written after each command (one line each, aligned as generic-worker does). */
export function commandResultLines(result: CommandResult): string[] {
  const cpu = (seconds: number | undefined): string =>
    seconds === undefined ? 'n/a' : `${seconds.toFixed(3)}s`;
  return [
    `   Exit Code: ${result.exitCode}`,
    `   User Time: ${cpu(result.userSeconds)}`,
    ` Kernel Time: ${cpu(result.kernelSeconds)}`,
    `   Wall Time: ${formatDuration(result.wallMilliseconds)}`,
    `      Result: ${result.success ? 'SUCCEEDED' : 'FAILED'}`,
  ];
}

/** What the footer says of a task whose command ran: docker-worker's payloads get its closing line too. */
export interface FooterOutcome {
  readonly payloadFormat: PayloadFormat;
  readonly exitCode: number;
  /** The run completed. */
  readonly success: boolean;
}

/**
 * The footer's info lines; the first error (if any) follows as an error line, see `resolutionErrorLine`. A
 * docker-worker task that ran ends with docker-worker's own closing line, which tools that read its logs look
 * for: `Successful task run with exit code: 0 completed in 1.234 seconds` (or `Unsuccessful`), timed over the
 * whole task.
 */
export function footerLines(durationMilliseconds: number, outcome?: FooterOutcome): string[] {
  const lines = ['=== Task Finished ===', `Task Duration: ${formatDuration(durationMilliseconds)}`];
  if (outcome?.payloadFormat === 'docker-worker') {
    const seconds = (Math.max(0, durationMilliseconds) / 1000).toFixed(3);
    const verdict = outcome.success ? 'Successful' : 'Unsuccessful';
    lines.push(`${verdict} task run with exit code: ${outcome.exitCode} completed in ${seconds} seconds`);
  }
  return lines;
}

/** The `[taskcluster:error]` line that summarises why a run did not complete; undefined when it completed. */
export function resolutionErrorLine(resolution: Resolution): string | undefined {
  switch (resolution.kind) {
    case 'completed':
      return undefined;
    case 'failed':
      return `Task failed: ${resolution.reason}`;
    case 'exception':
      return `Task resolved as exception (${resolution.reason}): ${resolution.message}`;
    case 'canceled':
      return `Task canceled: ${resolution.message}`;
  }
}
