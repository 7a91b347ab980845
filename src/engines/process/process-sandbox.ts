// A started task of the process engine: its commands one after another, stopping at the first failure, with
// kill (max run time: the task fails) and abort (ctx.signal: wait rejects with the signal's reason).
import { removeTree } from '../shared/remove-tree.js';
import { formatArgv } from '../../log/task-log-format.js';
import { commandSucceeded, logCommandResult, startErrorText } from '../shared/command-report.js';
import { TaskResultSet, type RunOutcome } from '../shared/task-result-set.js';
import type { EngineTaskContext, ResultSet, Sandbox, Shell, ShellSize } from '../types.js';
import type { Spawner } from '../shared/spawner.js';
import { startCommand, type CommandOutcome, type RunningCommand } from './command-runner.js';
import { openPtyShell } from './pty-shell.js';
import { TaskFiles } from './task-files.js';

export type Command = readonly [string, ...string[]];

export class ProcessSandbox implements Sandbox {
  readonly #ctx: EngineTaskContext;
  readonly #env: Record<string, string>;
  readonly #spawner: () => Spawner | undefined;
  readonly #done: Promise<RunOutcome>;
  #current: RunningCommand | undefined;
  /** Interactive shells still open: killed on abort and when the result is disposed, whoever forgot them. */
  readonly #shells = new Set<Shell>();
  #killReason: string | undefined;
  /** Set once the last command ended: a kill that comes later changes nothing. */
  #ended = false;

  constructor(
    ctx: EngineTaskContext,
    commands: readonly Command[],
    env: Record<string, string>,
    spawner: () => Spawner | undefined = () => undefined,
  ) {
    this.#ctx = ctx;
    this.#env = env;
    this.#spawner = spawner;
    const onAbort = (): void => {
      this.#current?.kill();
      void this.#killShells();
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    this.#done = this.#runAll(commands).finally(() => {
      this.#ended = true;
      ctx.signal.removeEventListener('abort', onAbort);
    });
  }

  async wait(): Promise<ResultSet> {
    const outcome = await this.#done;
    if (this.#ctx.signal.aborted) {
      await this.#killShells();
      await removeTaskDir(this.#ctx);
      throw this.#ctx.signal.reason;
    }
    const ctx = this.#ctx;
    return new TaskResultSet(
      { ...outcome, killed: this.#killReason !== undefined },
      {
        files: new TaskFiles(ctx.taskDir),
        killShells: () => this.#killShells(),
        release: () => removeTaskDir(ctx),
      },
    );
  }

  async kill(reason: string): Promise<void> {
    if (this.#killReason === undefined && !this.#ended) {
      this.#killReason = reason;
      this.#ctx.workerLog.info({ reason }, 'killing task');
      this.#current?.kill();
    }
    await this.#done;
  }

  openShell(size: ShellSize): Promise<Shell> {
    if (this.#ended || this.#ctx.signal.aborted)
      return Promise.reject(new Error('the task has ended: no shell can be opened'));
    // The same environment and directory as the commands; TERM is the terminal's.
    const shell = openPtyShell({ cwd: this.#ctx.taskDir, env: this.#env, size });
    this.#shells.add(shell);
    shell.onExit(() => this.#shells.delete(shell));
    return Promise.resolve(shell);
  }

  async #killShells(): Promise<void> {
    await Promise.all([...this.#shells].map((shell) => shell.kill()));
  }

  async #runAll(commands: readonly Command[]): Promise<RunOutcome> {
    const { log } = this.#ctx;
    let last: RunOutcome = { success: true, exitCode: 0 };
    for (const [index, argv] of commands.entries()) {
      if (this.#ctx.signal.aborted) return { success: false, exitCode: -1, failure: 'the task was aborted' };
      if (this.#killReason !== undefined)
        return { success: false, exitCode: -1, failure: `the task was killed: ${this.#killReason}` };
      log.info(`Executing command ${index}: ${formatArgv(argv)}`);
      const command = startCommand(argv, {
        cwd: this.#ctx.taskDir,
        env: this.#env,
        log,
        workerLog: this.#ctx.workerLog,
        keepSessions: () => new Set([...this.#shells].flatMap((shell) => (shell.pid ? [shell.pid] : []))),
        spawner: this.#spawner(),
      });
      this.#current = command;
      // A kill or abort that came while the command was being spawned still reaches it.
      if (this.#killReason !== undefined || this.#ctx.signal.aborted) command.kill();
      const outcome = await command.done;
      this.#current = undefined;
      if (outcome.startError) log.error(`Command ${index} could not start: ${startErrorText(argv, outcome)}`);
      const success = commandSucceeded(outcome);
      logCommandResult(log, outcome, success);
      last = success
        ? { success, exitCode: 0 }
        : { success, exitCode: outcome.exitCode, failure: this.#failureText(index, argv, outcome) };
      if (!success) break;
    }
    return last;
  }

  #failureText(index: number, argv: Command, outcome: CommandOutcome): string {
    if (outcome.startError) return `command ${index} could not start: ${startErrorText(argv, outcome)}`;
    if (this.#killReason !== undefined) return `command ${index} was killed: ${this.#killReason}`;
    if (outcome.signal) return `command ${index} was ended by signal ${outcome.signal}`;
    return `command ${index} exited with code ${outcome.exitCode}`;
  }
}

async function removeTaskDir(ctx: EngineTaskContext): Promise<void> {
  if (!ctx.keepTaskDir) await removeTree(ctx.taskDir);
}
