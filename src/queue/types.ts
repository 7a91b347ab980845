// What the worker and its plugins need from a Taskcluster queue. The adapter over taskcluster-client
// (src/queue/taskcluster-queue.ts) implements it against a real deployment or the embedded queue alike.
import type { ClaimWorkRequest } from '../generated/queue/claim-work-request.js';
import type { CreateArtifactRequest } from '../generated/queue/create-artifact-request.js';
import type { CreateArtifactResponse } from '../generated/queue/create-artifact-response.js';
import type { ReclaimResponse } from '../generated/queue/reclaim-response.js';
import type { TaskClaim } from '../generated/queue/task-claim.js';
import type { TaskStatus } from '../generated/queue/task-status.js';
import type { TemporaryCredentials } from '../generated/queue/temporary-credentials.js';

export type { ClaimWorkRequest, CreateArtifactRequest, CreateArtifactResponse, ReclaimResponse, TaskClaim };
export type { TaskStatus, TemporaryCredentials };

export interface Credentials {
  clientId: string;
  accessToken: string;
  certificate?: string;
  /** Narrows the scopes a call may use to these (sent in Hawk's `ext`), as taskcluster-client does. */
  authorizedScopes?: readonly string[];
}

/** The artifact calls of one run, signed with that run's current temporary credentials. */
export interface RunArtifacts {
  createArtifact(name: string, request: CreateArtifactRequest): Promise<CreateArtifactResponse>;
  finishArtifact(name: string, uploadId: string): Promise<void>;
}

/** Everything about one claimed run. Swaps its credentials for the new ones each reclaim returns. */
export interface RunQueue extends RunArtifacts {
  readonly taskId: string;
  readonly runId: number;
  reclaimTask(): Promise<ReclaimResponse>;
  reportCompleted(): Promise<TaskStatus>;
  reportFailed(): Promise<TaskStatus>;
  reportException(reason: ExceptionReasonForQueue): Promise<TaskStatus>;
  /**
   * The URL of the latest run's artifact `name` of `taskId` (getLatestArtifact), signed with the run's
   * current temporary credentials so that a plain GET may follow it for a few minutes: private artifacts of
   * dependencies (task images) need the task's scopes.
   */
  downloadUrl(taskId: string, name: string): string;
  /**
   * The run's current temporary credentials (its scopes and `task.scopes`), swapped by each reclaim: for
   * worker code that acts for the task (the taskcluster proxy), never for the task itself.
   */
  credentials(): Credentials;
}

export type ExceptionReasonForQueue =
  'worker-shutdown' | 'malformed-payload' | 'resource-unavailable' | 'internal-error' | 'intermittent-task';

/** The worker's own view of the queue, with the worker's credentials. */
export interface WorkerQueue {
  /** Long-polls; resolves `[]` when nothing came (or at once when the signal aborts). */
  claimWork(
    taskQueueId: string,
    request: ClaimWorkRequest,
    options: { signal: AbortSignal },
  ): Promise<TaskClaim[]>;
  /** A client for one claim, starting with the claim's temporary credentials. */
  forRun(claim: TaskClaim): RunQueue;
}

/** The queue answered with an HTTP error; `statusCode` and Taskcluster's `code` are kept. */
export class QueueRequestError extends Error {
  readonly statusCode: number;
  readonly code: string;
  constructor(statusCode: number, code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'QueueRequestError';
    this.statusCode = statusCode;
    this.code = code;
  }

  /** 409 RequestConflict: the run is not ours any more (canceled, resolved, deadline). */
  get isConflict(): boolean {
    return this.statusCode === 409;
  }
}
