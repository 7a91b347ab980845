// The contract between a task run and an engine (process now; sandbox and docker later).
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import type { TaskLog } from '../log/task-log.js';
import type { JsonSchema } from '../schema/schema-files.js';
import type { TaskDefinition } from '../generated/queue/task-definition.js';

/** What an engine knows about the task it prepares. */
export interface EngineTaskContext {
  readonly taskId: string;
  readonly runId: number;
  readonly task: TaskDefinition;
  /** The validated payload (every part; the engine reads its own fields). */
  readonly payload: Record<string, unknown>;
  /** A fresh directory on the host that belongs to this run; the engine may use it as the task directory. */
  readonly taskDir: string;
  /** Keep the task directory (and whatever else the task left) after the run, for debugging. */
  readonly keepTaskDir: boolean;
  readonly log: TaskLog;
  readonly workerLog: Logger;
  /** Aborted with a WorkerShutdownError or TaskCanceledError: stop everything, at once. */
  readonly signal: AbortSignal;
  /**
   * Signed URLs for artifacts the task needs (a task image), made with the run's temporary credentials so
   * that private artifacts of its dependencies are readable with the task's scopes; absent in engine tests.
   */
  readonly downloads?: ArtifactDownloads;
}

/** Reading other tasks' artifacts with the run's temporary credentials (the task's scopes). */
export interface ArtifactDownloads {
  /** A signed URL of the latest run's artifact `name` of `taskId`, good for a few minutes. */
  downloadUrl(taskId: string, name: string): string;
}

export interface EngineProvider {
  readonly name: string;
  /** Worker-config part, merged into the config schema. */
  readonly configSchema?: JsonSchema;
  create(options: { config: Record<string, unknown>; log: Logger }): Engine | Promise<Engine>;
}

/**
 * The payload format an engine's tasks are written in: generic-worker's (`command` as a list of argv lists,
 * `artifacts` as a list) or docker-worker's (`image`, one `command`, `artifacts` as a map). Plugins pick
 * their payload part and its reading by it.
 */
export type PayloadFormat = 'generic-worker' | 'docker-worker';

export interface Engine {
  readonly name: string;
  /** The format of this engine's payloads; `generic-worker` when absent. */
  readonly payloadFormat?: PayloadFormat;
  /** This engine's payload part (e.g. `command`), merged with the plugins' parts. */
  readonly payloadSchema: JsonSchema;
  prepare(ctx: EngineTaskContext): Promise<SandboxBuilder>;
  /**
   * Whether the engine can run tasks now (the Docker daemon answers). Asked before every claimWork, so it
   * must be cheap when nothing changed; while it answers false the worker claims nothing and asks again
   * after a backoff. Engines that are always able omit it.
   */
  available?(signal: AbortSignal): Promise<boolean>;
  /** Releases engine-wide resources at worker shutdown. */
  dispose?(): Promise<void>;
}

/** Collects what plugins want in the sandbox before it starts. */
export interface SandboxBuilder {
  /** Sets a variable of the task's environment; later calls win (the env plugin forces variables last). */
  setEnv(name: string, value: string): void;
  /**
   * True when the Sandbox this builder starts has `openShell`. Known before the start so that a task asking
   * for a shell on an engine without one is refused (FeatureNotSupportedError) before its commands run.
   */
  readonly canOpenShell?: boolean;
  /**
   * The address of the worker's host at which the task can reach a server of the worker (the taskcluster
   * proxy listens there), or undefined when the task can reach none (a sandbox without network). Engines
   * that omit it offer none.
   */
  reachableHost?(): Promise<string | undefined>;
  start(): Promise<Sandbox>;
}

/** Terminal size of a shell, in character cells. */
export interface ShellSize {
  readonly rows: number;
  readonly cols: number;
}

/**
 * An interactive shell in a running task's sandbox, on a terminal: as the task's user, in the task
 * directory, with the task's environment and `TERM=xterm-256color`.
 */
export interface Shell {
  /** The shell's process id where the engine has one on this host (tests check it is gone). */
  readonly pid?: number;
  /** Terminal output (raw bytes, escape sequences and all). */
  onData(listener: (chunk: Buffer) => void): void;
  /** Called once, when the shell has exited (by itself or by kill). */
  onExit(listener: () => void): void;
  /** Bytes typed into the terminal. */
  write(data: Buffer): void;
  resize(size: ShellSize): void;
  /** Stops reading output until resume (flow control for a slow client). */
  pause(): void;
  resume(): void;
  /** Kills the shell and everything it started; resolves once they are gone. Idempotent. */
  kill(): Promise<void>;
}

/** A started task. */
export interface Sandbox {
  /**
   * Resolves when every command finished or one failed; never rejects for a task's own failure. When
   * `ctx.signal` aborts, the engine stops everything at once, removes what the task left (unless kept) and
   * rejects with `signal.reason`; there is then no ResultSet.
   */
  wait(): Promise<ResultSet>;
  /** Kills every process of the task (max run time); resolves once they are gone. The task then resolves failed. */
  kill(reason: string): Promise<void>;
  /**
   * Optional capability (`features.interactive`): opens a shell beside the running task. Rejects once the
   * commands ended. The engine kills its open shells itself when the run is aborted or the result disposed;
   * callers still kill theirs when the task ends.
   */
  openShell?(size: ShellSize): Promise<Shell>;
}

/** A file the engine hands out for upload, read with the task's rights and from inside its sandbox. */
export interface SandboxFile {
  /** Size in bytes at the time of the check; `open()` yields exactly this many bytes (or fails). */
  readonly size: number;
  /** A fresh stream of the whole file, from the start (an upload retry calls it again). */
  open(): Readable;
  /**
   * Reads up to `length` bytes at `position` into `buffer`; resolves how many it read (0 at the end, never
   * past `size`). Optional: with it, large uploads read into reused buffers instead of a stream's fresh ones.
   */
  readonly read?: (buffer: Uint8Array, length: number, position: number) => Promise<number>;
  /**
   * Releases what the engine holds for the file (an open descriptor); `open()` may not be called after.
   * Optional: engines that hold nothing omit it, and the result set's dispose releases whatever is left.
   */
  close?(): Promise<void>;
}

export interface ResultSet {
  readonly success: boolean;
  /** Exit code of the last command that ran (-1 when it could not start or was killed by a signal). */
  readonly exitCode: number;
  /** True when kill() ended the task. */
  readonly killed: boolean;
  /** Why the task failed, in words for the task log (`command 2 exited with code 1`); absent on success. */
  readonly failure?: string;
  /** A file by a path relative to the task directory. Throws ArtifactSourceError with the right reason. */
  readFile(path: string): Promise<SandboxFile>;
  /** Every regular file under a directory, as paths relative to that directory, sorted. Throws ArtifactSourceError. */
  walkDir(path: string): Promise<string[]>;
  /** Removes what the task left behind (the task directory unless configured to keep it). */
  dispose(): Promise<void>;
}
