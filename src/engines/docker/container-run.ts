// A started task container: waits for its process to exit, with kill (max run time: the task fails) and
// abort (ctx.signal: the container is killed, removed, and wait rejects with the signal's reason). A daemon
// that stops answering cannot hold the task: a kill that gets no answer gives up after the call timeout,
// and a wait the daemon breaks off (it restarted or went away) rejects with DockerUnavailableError.
import { rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { formatDuration } from '../../log/task-log-format.js';
import { commandSucceeded, logCommandResult } from '../shared/command-report.js';
import { drainPipes } from '../shared/drain-pipes.js';
import { TaskResultSet, type RunOutcome } from '../shared/task-result-set.js';
import type { EngineTaskContext, ResultSet, Sandbox, Shell, ShellSize } from '../types.js';
import type { ContainerFiles } from './container-files.js';
import { daemonCall, DockerUnavailableError, isConnectionError, statusOf } from './daemon-call.js';
import { openDockerShell } from './docker-shell.js';

export interface ContainerRunParts {
  readonly container: Docker.Container;
  /** The container's stdout and stderr, already flowing into the task log. */
  readonly output: Readable;
  /** The task's environment, for shells. */
  readonly env: Readonly<Record<string, string>>;
  readonly callTimeoutMs: number;
  readonly memoryMB: number | undefined;
  /** The stopped container's files, for the result set (the engine closes those never disposed). */
  readonly files: () => ContainerFiles;
  /** Caches the task mounted, and the exit codes after which they are purged. */
  readonly caches: readonly string[];
  readonly purgeExitCodes: ReadonlySet<number>;
  /** Removes the container and what else the engine holds for the task; gets the exit code (-1: none). */
  readonly release: (exitCode: number) => Promise<void>;
}

interface ContainerOutcome extends RunOutcome {
  readonly outOfMemory: boolean;
}

/** How long the last output may take to arrive once the container exited. */
const outputGraceMs = 2000;

export class ContainerRun implements Sandbox {
  readonly #ctx: EngineTaskContext;
  readonly #parts: ContainerRunParts;
  readonly #done: Promise<ContainerOutcome>;
  readonly #shells = new Set<Shell>();
  readonly #gaveUp: Promise<never>;
  #giveUp!: (error: Error) => void;
  #killReason: string | undefined;
  #ended = false;
  #released: Promise<void> | undefined;

  constructor(ctx: EngineTaskContext, parts: ContainerRunParts) {
    this.#ctx = ctx;
    this.#parts = parts;
    this.#gaveUp = new Promise<never>((_, reject) => (this.#giveUp = reject));
    this.#gaveUp.catch(() => undefined);
    const onAbort = (): void => void this.#stop();
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    this.#done = this.#watch().finally(() => {
      this.#ended = true;
      ctx.signal.removeEventListener('abort', onAbort);
    });
    this.#done.catch(() => undefined);
    if (ctx.signal.aborted) onAbort();
  }

  async wait(): Promise<ResultSet> {
    let outcome: ContainerOutcome;
    try {
      outcome = await this.#done;
    } catch (error) {
      await this.#release(-1);
      throw this.#ctx.signal.aborted ? this.#ctx.signal.reason : error;
    }
    if (this.#ctx.signal.aborted) {
      await this.#release(-1);
      throw this.#ctx.signal.reason;
    }
    return new TaskResultSet(
      { ...outcome, killed: this.#killReason !== undefined },
      {
        files: this.#parts.files(),
        killShells: () => this.#killShells(),
        release: () => this.#release(outcome.exitCode),
      },
    );
  }

  async kill(reason: string): Promise<void> {
    if (this.#killReason === undefined && !this.#ended) {
      this.#killReason = reason;
      this.#ctx.workerLog.info({ reason }, 'killing task container');
      await this.#stop();
    }
    await this.#done.catch(() => undefined);
  }

  async openShell(size: ShellSize): Promise<Shell> {
    if (this.#ended || this.#ctx.signal.aborted || this.#killReason !== undefined)
      throw new Error('the task has ended: no shell can be opened');
    const shell = await openDockerShell(
      this.#parts.container,
      this.#parts.env,
      size,
      this.#parts.callTimeoutMs,
    );
    this.#shells.add(shell);
    shell.onExit(() => this.#shells.delete(shell));
    // The task ended while the shell was being opened: it dies with it.
    if (this.#ended) await shell.kill();
    return shell;
  }

  async #killShells(): Promise<void> {
    await Promise.all([...this.#shells].map((shell) => shell.kill()));
  }

  /**
   * SIGKILL to the container (its whole PID namespace). A daemon that does not answer the kill, or does not
   * report the exit within the call timeout after it (the wait's connection is stuck), is given up on.
   */
  async #stop(): Promise<void> {
    const { callTimeoutMs } = this.#parts;
    try {
      await daemonCall('kill the container', { timeoutMs: callTimeoutMs }, () =>
        this.#parts.container.kill({ signal: 'SIGKILL' }),
      );
    } catch (error) {
      // 409: not running any more; 404: gone. Anything else: the daemon cannot stop it, stop waiting for it.
      if (statusOf(error) !== 409 && statusOf(error) !== 404) {
        this.#ctx.workerLog.error({ err: error }, 'killing the task container failed');
        this.#giveUp(error instanceof Error ? error : new Error(String(error)));
        return;
      }
    }
    const timer = setTimeout(() => {
      if (this.#ended) return;
      this.#giveUp(
        new DockerUnavailableError(
          'wait for the container',
          `the container was killed, but its exit was not reported within ${callTimeoutMs / 1000} seconds`,
          { timedOut: true },
        ),
      );
    }, callTimeoutMs);
    void this.#done.catch(() => undefined).finally(() => clearTimeout(timer));
  }

  async #watch(): Promise<ContainerOutcome> {
    const { container, output } = this.#parts;
    const started = performance.now();
    const waited = (async () => {
      try {
        return (await container.wait()) as { StatusCode: number };
      } catch (error) {
        if (isConnectionError(error) || statusOf(error) === undefined)
          throw new DockerUnavailableError('wait for the container', String(error), { cause: error });
        throw error;
      }
    })();
    const exit = await Promise.race([waited, this.#gaveUp]);
    const wallMilliseconds = performance.now() - started;
    await drainPipes([output], outputGraceMs);
    const state = await daemonCall('inspect the container', { timeoutMs: this.#parts.callTimeoutMs }, () =>
      container.inspect(),
    ).then(
      (info) => info.State,
      () => undefined,
    );
    // A container the worker killed has no exit code of its own (docker reports 128 + 9).
    const exitCode = this.#killReason !== undefined ? -1 : (state?.ExitCode ?? exit.StatusCode);
    const outOfMemory = state?.OOMKilled === true;
    const success = commandSucceeded({ exitCode, wallMilliseconds }) && !outOfMemory;
    const { log } = this.#ctx;
    if (outOfMemory) {
      const limit =
        this.#parts.memoryMB !== undefined ? `memory limit ${this.#parts.memoryMB} MiB` : 'no memory limit';
      log.error(`The container ran out of memory (${limit}): the kernel killed a process of the task`);
    }
    logCommandResult(log, { exitCode, wallMilliseconds }, success && this.#killReason === undefined);
    if (this.#parts.caches.length > 0 && this.#parts.purgeExitCodes.has(exitCode))
      log.info(
        `Exit code ${exitCode} is listed in onExitStatus.purgeCaches: caches ${this.#parts.caches.join(', ')} will be purged`,
      );
    // docker-worker's closing line follows the footer (task-log-format.ts), timed over the whole task.
    this.#ctx.workerLog.debug({ exitCode, wall: formatDuration(wallMilliseconds) }, 'container exited');
    if (success) return { success, exitCode: 0, outOfMemory };
    const failure =
      this.#killReason !== undefined
        ? `the container was killed: ${this.#killReason}`
        : outOfMemory
          ? 'the container ran out of memory'
          : `the container exited with code ${exitCode}`;
    return { success, exitCode, failure, outOfMemory };
  }

  #release(exitCode: number): Promise<void> {
    this.#released ??= (async () => {
      await this.#killShells();
      await this.#parts.release(exitCode);
      if (!this.#ctx.keepTaskDir)
        await rm(this.#ctx.taskDir, { recursive: true, force: true, maxRetries: 3 });
    })();
    return this.#released;
  }
}
