// A started task of the sandbox engine: its commands one after another, each in a fresh sandbox, stopping at
// the first failure. A kill (max run time: the task fails) and an abort (ctx.signal: wait rejects with its
// reason) kill the whole task through its cgroups, shells included.
import { formatArgv } from '../../log/task-log-format.js';
import { commandSucceeded, logCommandResult, startErrorText } from '../shared/command-report.js';
import type { EngineTaskContext, ResultSet, Sandbox, Shell, ShellSize } from '../types.js';
import {
  startSandboxCommand,
  type RunningSandboxCommand,
  type SandboxCommandOutcome,
} from './sandbox-command.js';
import { sandboxResultSet, type RunOutcome } from './sandbox-result.js';
import { openSandboxShell } from './sandbox-shell.js';
import type { TaskResources } from './task-resources.js';

export type Command = readonly [string, ...string[]];

export class SandboxRun implements Sandbox {
  readonly #ctx: EngineTaskContext;
  readonly #resources: TaskResources;
  readonly #done: Promise<RunOutcome>;
  /** Interactive shells still open: killed on abort and when the result is disposed, whoever forgot them. */
  readonly #shells = new Set<Shell>();
  #killReason: string | undefined;
  /** Set once the last command ended: a kill that comes later changes nothing. */
  #ended = false;
  #current: RunningSandboxCommand | undefined;

  constructor(ctx: EngineTaskContext, commands: readonly Command[], resources: TaskResources) {
    this.#ctx = ctx;
    this.#resources = resources;
    const onAbort = (): void => void this.#killEverything();
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    this.#done = this.#runAll(commands).finally(() => {
      this.#ended = true;
      ctx.signal.removeEventListener('abort', onAbort);
    });
  }

  async wait(): Promise<ResultSet> {
    let outcome: RunOutcome;
    try {
      outcome = await this.#done;
    } catch (error) {
      // The worker could not run the sandbox: no result set will be disposed, so release everything here.
      await this.#release();
      throw error;
    }
    if (this.#ctx.signal.aborted) {
      await this.#release();
      throw this.#ctx.signal.reason;
    }
    return sandboxResultSet(
      this.#ctx,
      { ...outcome, killed: this.#killReason !== undefined },
      this.#resources,
      () => this.#killShells(),
    );
  }

  async kill(reason: string): Promise<void> {
    if (this.#killReason === undefined && !this.#ended) {
      this.#killReason = reason;
      this.#ctx.workerLog.info({ reason }, 'killing task');
      await this.#killEverything();
    }
    await this.#done.catch(() => undefined);
  }

  openShell(size: ShellSize): Promise<Shell> {
    if (this.#ended || this.#ctx.signal.aborted || this.#killReason !== undefined)
      return Promise.reject(new Error('the task has ended: no shell can be opened'));
    const shell = openSandboxShell(this.#resources, size);
    this.#shells.add(shell);
    shell.onExit(() => this.#shells.delete(shell));
    return Promise.resolve(shell);
  }

  async #killShells(): Promise<void> {
    await Promise.all([...this.#shells].map((shell) => shell.kill()));
  }

  /** Every process of the task, commands and shells: freeze, kill and wait through the cgroups. */
  async #killEverything(): Promise<void> {
    this.#current?.kill();
    const [emptied] = await Promise.all([this.#resources.cgroup.killAll(), this.#killShells()]);
    if (!emptied)
      this.#ctx.workerLog.error({ cgroup: this.#resources.cgroup.name }, 'task processes survived');
  }

  async #release(): Promise<void> {
    await this.#killShells();
    await this.#resources.release().catch((error: unknown) => {
      this.#ctx.workerLog.error({ err: error }, 'releasing the sandbox failed');
    });
  }

  async #runAll(commands: readonly Command[]): Promise<RunOutcome> {
    const { log, workerLog } = this.#ctx;
    let last: RunOutcome = { success: true, exitCode: 0 };
    for (const [index, argv] of commands.entries()) {
      if (this.#ctx.signal.aborted) return { success: false, exitCode: -1, failure: 'the task was aborted' };
      if (this.#killReason !== undefined)
        return { success: false, exitCode: -1, failure: `the task was killed: ${this.#killReason}` };
      log.info(`Executing command ${index}: ${formatArgv(argv)}`);
      const command = startSandboxCommand(argv, this.#resources, log, workerLog);
      this.#current = command;
      // A kill or abort that came while the sandbox was being spawned still reaches it.
      if (this.#killReason !== undefined || this.#ctx.signal.aborted) void this.#killEverything();
      const outcome = await command.done;
      this.#current = undefined;
      if (outcome.hostError)
        throw new Error(`the worker could not set up the sandbox of command ${index}: ${outcome.hostError}`);
      await this.#sweep();
      if (outcome.startError) log.error(`Command ${index} could not start: ${startErrorText(argv, outcome)}`);
      const success = commandSucceeded(outcome);
      if (outcome.outOfMemory) await this.#logOutOfMemory(index, success);
      logCommandResult(log, outcome, success);
      last = success
        ? { success, exitCode: 0 }
        : { success, exitCode: outcome.exitCode, failure: this.#failureText(index, argv, outcome) };
      if (!success) break;
    }
    return last;
  }

  /**
   * After a command: its PID namespace died with it, so nothing of it can be left; should anything be in
   * the cgroups all the same (and no shell is open, whose processes live there too), it is killed.
   */
  async #sweep(): Promise<void> {
    if (this.#current !== undefined || this.#shells.size > 0) return;
    const left = await this.#resources.cgroup.pids();
    if (left.length === 0) return;
    this.#ctx.workerLog.warn(
      { pids: left },
      'processes left in the task cgroups after a command; killing them',
    );
    await this.#resources.cgroup.killAll();
  }

  async #logOutOfMemory(index: number, success: boolean): Promise<void> {
    const limit = this.#limitText();
    const peak = await this.#resources.cgroup.memoryPeakBytes();
    const peakText = peak !== undefined ? `, peak usage ${(peak / 1024 / 1024).toFixed(1)} MiB` : '';
    const line = `Command ${index} ran out of memory (${limit}${peakText}): the kernel killed a process of the task`;
    if (success) this.#ctx.log.warn(line);
    else this.#ctx.log.error(line);
  }

  #limitText(): string {
    const { memoryMB } = this.#resources.limits;
    return memoryMB !== undefined ? `memory limit ${memoryMB} MiB` : 'no memory limit';
  }

  #failureText(index: number, argv: Command, outcome: SandboxCommandOutcome): string {
    if (outcome.startError) return `command ${index} could not start: ${startErrorText(argv, outcome)}`;
    if (this.#killReason !== undefined) return `command ${index} was killed: ${this.#killReason}`;
    if (outcome.outOfMemory) return `command ${index} ran out of memory (${this.#limitText()})`;
    if (outcome.signal) return `command ${index} was ended by signal ${outcome.signal}`;
    return `command ${index} exited with code ${outcome.exitCode}`;
  }
}
