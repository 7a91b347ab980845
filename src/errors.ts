// Every error class the worker uses to decide how a task run resolves, and the one switch that maps them.

/** Exception reasons a worker may report (reportException). */
export type ExceptionReason =
  'worker-shutdown' | 'malformed-payload' | 'resource-unavailable' | 'internal-error' | 'intermittent-task';

/** How a task run ended, as the worker will report it. `canceled` is never reported. */
export type Resolution =
  | { kind: 'completed' }
  | { kind: 'failed'; reason: string }
  | { kind: 'exception'; reason: ExceptionReason; message: string }
  | { kind: 'canceled'; message: string };

/** Base class: a stable machine-readable `code` beside the human message. */
export class WorkerError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** The payload (or the features and scopes it asks for) cannot be run. Holds every problem found. */
export class MalformedPayloadError extends WorkerError {
  readonly problems: readonly string[];
  constructor(problems: string | readonly string[], options?: ErrorOptions) {
    const list = typeof problems === 'string' ? [problems] : [...problems];
    super('MalformedPayload', `malformed payload: ${list.join('; ')}`, options);
    this.problems = list;
  }

  /** Combines the problems of several errors (undefined entries are skipped); undefined when none. */
  static merge(errors: ReadonlyArray<MalformedPayloadError | undefined>): MalformedPayloadError | undefined {
    const problems = errors.flatMap((error) => error?.problems ?? []);
    return problems.length > 0 ? new MalformedPayloadError(problems) : undefined;
  }
}

/** The task asks for a capability this engine or worker configuration does not offer. */
export class FeatureNotSupportedError extends MalformedPayloadError {
  constructor(feature: string, detail = 'it is not supported by this worker') {
    super(`${feature} was requested, but ${detail}`);
  }
}

/** Something the task needs is temporarily unavailable (storage answering 5xx after retries, ...). */
export class ResourceUnavailableError extends WorkerError {
  constructor(message: string, options?: ErrorOptions) {
    super('ResourceUnavailable', message, options);
  }
}

/** The task itself failed for a reason outside its commands (a required artifact missing, a mount failed). */
export class TaskFailureError extends WorkerError {
  constructor(message: string, options?: ErrorOptions) {
    super('TaskFailure', message, options);
  }
}

/** The worker is shutting down and its grace period is over. Used as an AbortSignal reason. */
export class WorkerShutdownError extends WorkerError {
  constructor(message = 'the worker is shutting down') {
    super('WorkerShutdown', message);
  }
}

/** The queue no longer lets this worker hold the run (reclaim answered 409). Used as an AbortSignal reason. */
export class TaskCanceledError extends WorkerError {
  constructor(message = 'the run was canceled or resolved by the queue') {
    super('TaskCanceled', message);
  }
}

/** The task exited with one of its `onExitStatus.retry` codes. */
export class IntermittentTaskError extends WorkerError {
  constructor(exitCode: number) {
    super('IntermittentTask', `exit code ${exitCode} is listed in onExitStatus.retry`);
  }
}

/** A plugin hook did not finish within its timeout (a bug or a hung service): an internal error. */
export class HookTimeoutError extends WorkerError {
  constructor(plugin: string, stage: string, timeoutMs: number) {
    super(
      'HookTimeout',
      `plugin ${plugin} did not finish its ${stage} hook within ${timeoutMs / 1000} seconds`,
    );
  }
}

/** Why a file could not be published as an artifact; the values are the queue's error-artifact reasons. */
export type ArtifactErrorReason =
  | 'file-missing-on-worker'
  | 'invalid-resource-on-worker'
  | 'too-large-file-on-worker'
  | 'file-not-readable-on-worker';

/** An engine could not hand out a file or directory the task named. */
export class ArtifactSourceError extends WorkerError {
  readonly reason: ArtifactErrorReason;
  constructor(reason: ArtifactErrorReason, message: string, options?: ErrorOptions) {
    super('ArtifactSource', message, options);
    this.reason = reason;
  }
}

/** The one switch from an error to a resolution. Anything unknown is an internal error. */
export function toResolution(error: unknown): Resolution {
  if (error instanceof TaskCanceledError) return { kind: 'canceled', message: error.message };
  if (error instanceof WorkerShutdownError) return exception('worker-shutdown', error);
  if (error instanceof MalformedPayloadError) return exception('malformed-payload', error);
  if (error instanceof ResourceUnavailableError) return exception('resource-unavailable', error);
  if (error instanceof IntermittentTaskError) return exception('intermittent-task', error);
  if (error instanceof TaskFailureError) return { kind: 'failed', reason: error.message };
  return exception('internal-error', error);
}

function exception(reason: ExceptionReason, error: unknown): Resolution {
  return { kind: 'exception', reason, message: error instanceof Error ? error.message : String(error) };
}

/** True for errors that an AbortSignal of a task run carries. */
export function isAbortReason(error: unknown): error is WorkerShutdownError | TaskCanceledError {
  return error instanceof WorkerShutdownError || error instanceof TaskCanceledError;
}
