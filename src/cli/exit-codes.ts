// Why the process ended, as its exit code. Values above 2 follow sysexits.h where one fits, so supervisors
// (systemd, worker-runner) can tell a bad config, which no restart fixes, from a crash.

export const exitCodes = {
  /** Done: a graceful stop, a command that succeeded, a task that completed (`submit --wait`, `demo`). */
  ok: 0,
  /** The task failed (`submit --wait`, `demo --exit-after-task`). */
  taskFailed: 1,
  /** The task resolved as an exception (`submit --wait`, `demo --exit-after-task`). */
  taskException: 2,
  /** Bad command line: unknown command or option, missing argument. */
  usage: 64,
  /** A task file that cannot be read or parsed (`submit`). */
  dataError: 65,
  /** The queue could not be reached or refused the request (`submit`). */
  unavailable: 69,
  /** A fatal error inside tc-worker (a bug, or something it cannot go on without). */
  fatal: 70,
  /** The worker stopped by aborting running tasks (second signal or grace period over). */
  forcedShutdown: 75,
  /** The config file is missing, unreadable or invalid. */
  config: 78,
} as const;

export type ExitCode = (typeof exitCodes)[keyof typeof exitCodes];
