// One task run: a fresh directory, the task log, the plugins' hooks around the engine's sandbox, and the one
// resolution the worker reports. Never throws and never talks to the queue about the claim.
import { chmodSync, mkdirSync, mkdtempSync } from 'node:fs';
import { removeTree } from '../engines/shared/remove-tree.js';
import { join } from 'node:path';
import type { Logger } from 'pino';
import {
  MalformedPayloadError,
  TaskFailureError,
  isAbortReason,
  toResolution,
  type Resolution,
} from '../errors.js';
import type { ArtifactDownloads, Engine, EngineTaskContext, ResultSet } from '../engines/types.js';
import type { TaskDefinition } from '../generated/queue/task-definition.js';
import { FileTaskLog } from '../log/task-log.js';
import { footerLines, headerLines, resolutionErrorLine } from '../log/task-log-format.js';
import type { Plugin, RunCredentials, TaskContext, WorkerIdentity } from '../plugins/types.js';
import type { RunArtifacts } from '../queue/types.js';
import { isExceptional, resolveRun } from './resolve.js';
import { runStage, type ActivePlugin, type StageFailure, type StageName } from './stages.js';

export interface TaskRunOptions {
  readonly taskId: string;
  readonly runId: number;
  readonly task: TaskDefinition;
  readonly engine: Engine;
  readonly plugins: readonly Plugin[];
  /** The composed validator (createPayloadValidator); fills defaults in place, so it gets a copy. */
  readonly validatePayload: (payload: unknown) => string[];
  /** Parent of the per-run directories. */
  readonly workDir: string;
  readonly keepTaskDir: boolean;
  readonly artifacts: RunArtifacts;
  /** Signed artifact URLs with the run's credentials, for the engine (task images). */
  readonly downloads?: ArtifactDownloads;
  /** The run's temporary credentials, for plugins (the taskcluster proxy). */
  readonly credentials?: RunCredentials;
  readonly worker: WorkerIdentity;
  readonly workerLog: Logger;
  /** Aborted with WorkerShutdownError or TaskCanceledError. */
  readonly signal: AbortSignal;
  /** Upper bound of each plugin hook (default 30 minutes: artifact uploads run in hooks). */
  readonly hookTimeoutMs?: number;
  /**
   * Takes work that need not hold up the resolution (the engine's dispose and removing the run directory,
   * once the task's processes are gone and the plugins are done with its files), not yet begun: the caller
   * starts it when it suits (after the report is on its way) and waits for it before it exits. Without it,
   * runTask does the work before it returns.
   */
  readonly deferCleanup?: (work: () => Promise<void>) => void;
}

const defaultHookTimeoutMs = 30 * 60 * 1000;
/** The task log's file, in the run directory beside the task directory. */
const taskLogName = 'task.log';
/** After an abort the worker is leaving or the run is not ours: uploading its log gets at most this long. */
const abortedHookTimeoutMs = 60 * 1000;

/** Runs one task and returns how it resolved. Never throws: a bug is `exception/internal-error`. */
export async function runTask(options: TaskRunOptions): Promise<Resolution> {
  const workerLog = options.workerLog.child({ taskId: options.taskId, runId: options.runId });
  try {
    return await new TaskRun(options, workerLog).run();
  } catch (error) {
    // Only reached when the run could not even set up its directory or log.
    workerLog.error({ err: error }, 'task run failed before it could start');
    return toResolution(error);
  }
}

class TaskRun {
  readonly #options: TaskRunOptions;
  readonly #workerLog: Logger;
  readonly #timeoutMs: number;
  /** Everything that went wrong, in the order it happened; the resolution is derived from it. */
  readonly #errors: unknown[] = [];
  readonly #active: ActivePlugin[] = [];
  // Both are set before anything can use them; only the catch of run() may see them unset.
  #log!: FileTaskLog;
  #ctx!: Omit<TaskContext, 'payload'>;

  constructor(options: TaskRunOptions, workerLog: Logger) {
    this.#options = options;
    this.#workerLog = workerLog;
    this.#timeoutMs = options.hookTimeoutMs ?? defaultHookTimeoutMs;
  }

  async run(): Promise<Resolution> {
    const options = this.#options;
    const started = new Date();
    // Synchronous: a few system calls, cheaper than the thread pool's round trips a short task would wait for.
    const runDir = mkdtempSync(join(options.workDir, `task-${options.taskId}-${options.runId}-`));
    // Searchable, not listable: an engine's unprivileged task user can reach its own task directory below,
    // and nothing else here is readable by others (the log and the scratch directory are the worker's).
    chmodSync(runDir, 0o711);
    let result: ResultSet | undefined;
    let log: FileTaskLog | undefined;
    try {
      const taskDir = join(runDir, 'task');
      // Made by whoever first needs it (large compressed uploads): a directory less to make and remove
      // for most runs.
      const scratchDir = join(runDir, 'scratch');
      mkdirSync(taskDir);
      // The log lives beside the task directory, out of the task's reach and out of its artifacts.
      const taskLogPath = join(runDir, taskLogName);
      log = this.#log = new FileTaskLog(taskLogPath);
      this.#ctx = {
        taskId: options.taskId,
        runId: options.runId,
        task: options.task,
        taskDir,
        log: this.#log,
        taskLogPath,
        scratchDir,
        reservedArtifacts: new Set(options.plugins.flatMap((plugin) => plugin.reservedArtifacts ?? [])),
        workerLog: this.#workerLog,
        worker: options.worker,
        artifacts: options.artifacts,
        ...(options.credentials ? { credentials: options.credentials } : {}),
        signal: options.signal,
        started,
      };
      // Debug: the worker logs each task twice at info level ('task claimed', 'task resolved'), which is what
      // an operator reads; each line is a write the next task waits for.
      this.#workerLog.debug({ runDir }, 'task run started');
      for (const line of headerLines({ ...options.worker, taskId: options.taskId, runId: options.runId }))
        this.#log.info(line);

      const payload = await this.#createPlugins();
      if (payload) result = await this.#execute(payload);

      let resolution = this.#resolution();
      const outcome = result && {
        payloadFormat: options.engine.payloadFormat ?? 'generic-worker',
        exitCode: result.exitCode,
        success: resolution.kind === 'completed',
      };
      for (const line of footerLines(Date.now() - started.getTime(), outcome)) this.#log.info(line);
      const errorLine = resolutionErrorLine(resolution);
      if (errorLine) this.#log.error(errorLine);
      // The log is final now; the file's last write and close go on beside the upload, which reads the copy
      // a short log keeps in memory (or waits for the file), and the clean-up waits for them.
      void this.#log.close();

      const finished = await this.#stage('finished', (hooks, o) => hooks.finished?.(resolution, o), false);
      if (finished.length > 0 && !isExceptional(resolution)) resolution = this.#resolution();
      if (isExceptional(resolution))
        await this.#stage('exception', (h, o) => h.exception?.(resolution, o), false);
      this.#workerLog.debug({ resolution }, 'task run resolved');
      return resolution;
    } catch (error) {
      // A bug in this file: still resolve, and still release what the run holds.
      this.#workerLog.error({ err: error }, 'task run failed unexpectedly');
      log?.error(`The worker failed unexpectedly (internal error): ${messageOf(error)}`);
      await log?.close();
      return toResolution(new Error(messageOf(error)));
    } finally {
      await this.#dispose(result, runDir, log);
    }
  }

  /**
   * Logging plugins first (they see the raw payload and run even when it is malformed), then the payload
   * check and every other plugin. Returns the validated payload, or undefined when the task cannot run.
   */
  async #createPlugins(): Promise<Record<string, unknown> | undefined> {
    const { plugins, task, validatePayload } = this.#options;
    const raw = isRecord(task.payload) ? task.payload : {};
    const problems: MalformedPayloadError[] = [];
    const create = async (plugin: Plugin, payload: Record<string, unknown>): Promise<void> => {
      try {
        const hooks = await plugin.forTask({ ...this.#ctx, payload });
        if (hooks) this.#active.push({ name: plugin.name, hooks });
      } catch (error) {
        if (error instanceof MalformedPayloadError) problems.push(error);
        else this.#record(error, `plugin ${plugin.name} (forTask)`);
      }
    };
    for (const plugin of plugins.filter((p) => p.runsForMalformedPayload))
      await create(plugin, structuredClone(raw));

    const payload = structuredClone(task.payload) as unknown;
    const schemaProblems = validatePayload(payload);
    if (schemaProblems.length > 0) problems.push(new MalformedPayloadError(schemaProblems));
    // Other plugins rely on a payload that matches the schema, so they only see a valid one.
    else if (isRecord(payload)) {
      for (const plugin of plugins.filter((p) => !p.runsForMalformedPayload)) await create(plugin, payload);
    }
    const malformed = MalformedPayloadError.merge(problems);
    if (malformed) {
      for (const problem of malformed.problems) this.#log.error(problem);
      this.#errors.push(malformed);
    }
    if (this.#options.signal.aborted) this.#errors.push(this.#options.signal.reason);
    return this.#errors.length === 0 && isRecord(payload) ? payload : undefined;
  }

  /** The engine's part, wrapped by the plugins' hooks. Returns the result set when the task ran. */
  async #execute(payload: Record<string, unknown>): Promise<ResultSet | undefined> {
    const { engine, signal, keepTaskDir } = this.#options;
    const { downloads } = this.#options;
    const engineCtx: EngineTaskContext = {
      ...this.#ctx,
      payload,
      keepTaskDir,
      ...(downloads ? { downloads } : {}),
    };
    let result: ResultSet | undefined;
    try {
      const builder = await engine.prepare(engineCtx);
      const built = await this.#stage('buildSandbox', (hooks, o) => hooks.buildSandbox?.(builder, o), true);
      signal.throwIfAborted();
      if (built.length > 0) return undefined;
      const sandbox = await builder.start();
      const started = await this.#stage('started', (hooks, o) => hooks.started?.(sandbox, o), true);
      if (started.length > 0 && !signal.aborted) {
        this.#log.error('A worker plugin failed to start; killing the task');
        await sandbox.kill('a worker plugin failed to start');
      }
      const ended = await sandbox.wait();
      result = ended;
      // The command's failure comes first; a kill is explained by whoever killed (max run time, ...).
      if (!ended.success && !ended.killed) this.#errors.push(new TaskFailureError(failureOf(ended)));
      await this.#stage('stopped', (hooks, o) => hooks.stopped?.(ended, o), true);
      if (ended.killed) this.#errors.push(new TaskFailureError(failureOf(ended)));
      signal.throwIfAborted();
      return ended;
    } catch (error) {
      this.#record(signal.aborted ? signal.reason : error, `engine ${engine.name}`);
      // A result that exists is still disposed (the engine's users, cgroups and directories).
      return result;
    }
  }

  /** Runs a stage; records its failures. `bounded`: the run's signal also stops the stage. */
  async #stage(
    stage: StageName,
    invoke: Parameters<typeof runStage>[2],
    bounded: boolean,
  ): Promise<StageFailure[]> {
    const { signal } = this.#options;
    const failures = await runStage(this.#active, stage, invoke, {
      timeoutMs: signal.aborted ? Math.min(this.#timeoutMs, abortedHookTimeoutMs) : this.#timeoutMs,
      workerLog: this.#workerLog,
      ...(bounded ? { signal } : {}),
    });
    for (const { plugin, error } of failures) this.#record(error, `plugin ${plugin} (${stage})`);
    return failures;
  }

  /** Keeps an error for the resolution; a worker bug also goes to both logs, in words the author can use. */
  #record(error: unknown, where: string): void {
    this.#errors.push(error);
    if (isAbortReason(error)) return;
    const resolution = toResolution(error);
    if (error instanceof MalformedPayloadError) {
      for (const problem of error.problems) this.#log.error(problem);
    } else if (resolution.kind === 'exception' && resolution.reason === 'internal-error') {
      this.#workerLog.error({ err: error, where }, 'internal error in task run');
      this.#log.error(
        `Internal worker error in ${where}: ${messageOf(error)} (details are in the worker log)`,
      );
    } else {
      this.#workerLog.warn({ err: error, where }, 'task run error');
    }
  }

  #resolution(): Resolution {
    const { signal } = this.#options;
    // An abort outweighs everything else, whichever stage noticed it.
    if (signal.aborted && isAbortReason(signal.reason)) return toResolution(signal.reason);
    return resolveRun(this.#errors);
  }

  async #dispose(result: ResultSet | undefined, runDir: string, log: FileTaskLog | undefined): Promise<void> {
    await Promise.all(
      this.#active.map(async ({ name, hooks }) => {
        try {
          await hooks.dispose?.();
        } catch (error) {
          this.#workerLog.error({ err: error, plugin: name }, 'plugin dispose failed');
        }
      }),
    );
    // The task's processes are gone (wait() saw to that) and every plugin is done with its files: what is
    // left is removing them, which the next task need not wait for.
    const cleanUp = (): Promise<void> => this.#cleanUp(result, runDir, log);
    if (this.#options.deferCleanup) this.#options.deferCleanup(cleanUp);
    else await cleanUp();
  }

  async #cleanUp(result: ResultSet | undefined, runDir: string, log: FileTaskLog | undefined): Promise<void> {
    try {
      await result?.dispose();
    } catch (error) {
      this.#workerLog.error({ err: error }, 'engine dispose failed');
    }
    // Its file is in the run directory (close never rejects, and returns the closing run() began).
    await log?.close();
    if (this.#options.keepTaskDir) {
      this.#workerLog.info({ runDir }, 'task directory kept');
      return;
    }
    await removeTree(runDir, [taskLogName]).catch((error: unknown) =>
      this.#workerLog.error({ err: error, runDir }, 'removing the run directory failed'),
    );
  }
}

function failureOf(result: ResultSet): string {
  return result.failure ?? (result.killed ? 'the task was killed' : `exit code ${result.exitCode}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
