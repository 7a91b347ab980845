// The contract between a task run and its plugins. A plugin hooks into each stage of every task run.
import type { Logger } from 'pino';
import type { Resolution } from '../errors.js';
import type { PayloadFormat, ResultSet, Sandbox, SandboxBuilder } from '../engines/types.js';
import type { TaskLog } from '../log/task-log.js';
import type { Credentials, RunArtifacts } from '../queue/types.js';
import type { JsonSchema } from '../schema/schema-files.js';
import type { WebhookServer } from '../webhooks/types.js';
import type { TaskDefinition } from '../generated/queue/task-definition.js';

/** Worker-wide facts plugins may use (never the worker's credentials). */
export interface WorkerIdentity {
  readonly rootUrl: string;
  readonly taskQueueId: string;
  readonly workerGroup: string;
  readonly workerId: string;
  /** Worker config: the maximum `maxRunTime` a task may ask for, in seconds. */
  readonly maxTaskRunTime: number;
  readonly workerLocation?: string;
  readonly instanceType?: string;
}

export interface PluginCreateOptions {
  /** The whole validated worker config; a plugin reads its own keys. */
  readonly config: Record<string, unknown>;
  readonly log: Logger;
  readonly worker: WorkerIdentity;
  /** The worker's webhook server, for plugins that publish endpoints (live log, interactive shell). */
  readonly webhooks?: WebhookServer;
  /** The engine's payload format (`generic-worker` when absent): a plugin's payload part and its reading. */
  readonly payloadFormat?: PayloadFormat;
}

export interface PluginProvider {
  readonly name: string;
  /** Worker-config part, merged into the config schema (its top-level keys belong to this plugin). */
  readonly configSchema?: JsonSchema;
  create(options: PluginCreateOptions): Plugin | Promise<Plugin>;
}

export interface Plugin {
  readonly name: string;
  /** Payload part, merged with the engine's and the other plugins' parts (`features` merge by key). */
  readonly payloadSchema?: JsonSchema;
  /** Artifact names only the worker may write (a task file with such a name is skipped with a warning). */
  readonly reservedArtifacts?: readonly string[];
  /**
   * Logging plugins run even for a malformed payload: `forTask` is then called with the raw payload,
   * before validation, and only their `finished`, `exception` and `dispose` hooks run.
   */
  readonly runsForMalformedPayload?: boolean;
  /** May throw MalformedPayloadError (missing scopes, disabled feature): its problems are merged. */
  forTask(ctx: TaskContext): TaskPlugin | undefined | Promise<TaskPlugin | undefined>;
}

export interface TaskContext {
  readonly taskId: string;
  readonly runId: number;
  readonly task: TaskDefinition;
  /** Validated payload, or the raw one for `runsForMalformedPayload` plugins. */
  readonly payload: Record<string, unknown>;
  /** The run's directory on the host (the engine's task directory for the process engine). */
  readonly taskDir: string;
  readonly log: TaskLog;
  /**
   * Path of the file behind the task log. In `finished` the log is final, but its file may still be taking
   * the last write: read `log.closedContents()`, or wait for `log.close()` before reading the file.
   */
  readonly taskLogPath: string;
  /**
   * A directory of this run outside the task's reach, for temporary files; removed with the run. It does
   * not exist until its first user makes it (`mkdir -p`, mode 0700).
   */
  readonly scratchDir: string;
  /** Every enabled plugin's `reservedArtifacts`: names a task file may not be published under. */
  readonly reservedArtifacts: ReadonlySet<string>;
  readonly workerLog: Logger;
  readonly worker: WorkerIdentity;
  /** Artifact calls with this run's credentials (swapped on reclaim by the worker). */
  readonly artifacts: RunArtifacts;
  /** The run's temporary credentials, for plugins that act for the task; absent in plugin tests. */
  readonly credentials?: RunCredentials;
  /** Aborted with WorkerShutdownError or TaskCanceledError. */
  readonly signal: AbortSignal;
  /** When the run started, for durations. */
  readonly started: Date;
}

/** The run's temporary credentials (the run's scopes and `task.scopes`). Never for the task's own eyes. */
export interface RunCredentials {
  current(): Credentials;
  /** Calls `listener` after each reclaim renewed them; returns the way to stop. */
  onRenewed(listener: () => void): () => void;
}

/** What every hook gets beside its stage's argument. */
export interface HookOptions {
  /**
   * Aborted when the hook's timeout expires and, for buildSandbox, started and stopped, when the run's
   * signal aborts. The finished and exception hooks of an aborted run still get time (bounded by their
   * timeout) so that the log of a shut-down or canceled run can be uploaded. Pass it to anything that blocks.
   */
  readonly signal: AbortSignal;
}

/** Hooks of one task run, in stage order; each optional. Hooks of a stage run concurrently. */
export interface TaskPlugin {
  /** Before start: set environment variables and the like. */
  buildSandbox?(builder: SandboxBuilder, options: HookOptions): void | Promise<void>;
  /** The task is running. */
  started?(sandbox: Sandbox, options: HookOptions): void | Promise<void>;
  /**
   * Commands ended (every command, or the first that failed, or a kill); upload artifacts. Throw
   * TaskFailureError to fail the task, or another error (its resolution per `toResolution`).
   */
  stopped?(result: ResultSet, options: HookOptions): void | Promise<void>;
  /**
   * The task log is closed (final; see `taskLogPath`): upload it. Gets the resolution the run reports,
   * unless a finished hook fails (then a completed or failed run becomes the exception of that error).
   */
  finished?(resolution: Resolution, options: HookOptions): void | Promise<void>;
  /** The run ended in an exception (malformed payload, shutdown, internal error) or was canceled. */
  exception?(resolution: Resolution, options: HookOptions): void | Promise<void>;
  /** Always, last: release resources. Must not throw. */
  dispose?(): void | Promise<void>;
}
