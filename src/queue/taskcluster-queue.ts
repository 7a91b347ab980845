// The WorkerQueue over the Queue API, against a real deployment or the embedded queue alike, with the calls
// made as taskcluster-client makes them (src/queue/service-client.ts). The worker's own credentials serve
// claimWork only; each run talks with its claim's temporary credentials, swapped for the new ones every
// reclaim returns.
import type { Logger } from 'pino';
import { ServiceClient, type ClientTuning } from './service-client.js';
import type {
  ClaimWorkRequest,
  CreateArtifactRequest,
  CreateArtifactResponse,
  Credentials,
  ExceptionReasonForQueue,
  ReclaimResponse,
  RunQueue,
  TaskClaim,
  TaskStatus,
  WorkerQueue,
} from './types.js';
import { describeError } from './queue-errors.js';

/** Client tuning shared by every client the adapter makes (tests shorten retries). */
export type QueueClientTuning = ClientTuning;

export interface TaskclusterQueueOptions {
  rootUrl: string;
  credentials: Credentials;
  log: Logger;
  tuning?: QueueClientTuning;
}

export function createTaskclusterQueue(options: TaskclusterQueueOptions): WorkerQueue {
  return new TaskclusterWorkerQueue(options);
}

/** The calls the adapter makes, with their answers. They reject with QueueRequestError for an HTTP error. */
interface QueueCalls {
  claimWork(taskQueueId: string, payload: ClaimWorkRequest): Promise<{ tasks: TaskClaim[] }>;
  reclaimTask(taskId: string, runId: number): Promise<ReclaimResponse>;
  reportCompleted(taskId: string, runId: number): Promise<{ status: TaskStatus }>;
  reportFailed(taskId: string, runId: number): Promise<{ status: TaskStatus }>;
  reportException(
    taskId: string,
    runId: number,
    payload: { reason: string },
  ): Promise<{ status: TaskStatus }>;
  createArtifact(
    taskId: string,
    runId: number,
    name: string,
    payload: CreateArtifactRequest,
  ): Promise<CreateArtifactResponse>;
  finishArtifact(
    taskId: string,
    runId: number,
    name: string,
    payload: { uploadId: string },
  ): Promise<unknown>;
  /** getLatestArtifact's URL, signed. */
  latestArtifactUrl(taskId: string, name: string, ttlSeconds: number): string;
}

/** How long a signed download URL works: long enough to start the download, which then runs to its end. */
const downloadUrlTtlSeconds = 15 * 60;

const encode = encodeURIComponent;

/** The Queue API's routes for those calls (method and path as the API reference declares them). */
function makeClient(rootUrl: string, credentials: Credentials, tuning: QueueClientTuning = {}): QueueCalls {
  const client = new ServiceClient({ rootUrl, service: 'queue', version: 'v1', credentials, tuning });
  const run = (taskId: string, runId: number): string => `/task/${encode(taskId)}/runs/${runId}`;
  return {
    claimWork: (taskQueueId, payload) => client.call('POST', `/claim-work/${encode(taskQueueId)}`, payload),
    reclaimTask: (taskId, runId) => client.call('POST', `${run(taskId, runId)}/reclaim`),
    reportCompleted: (taskId, runId) => client.call('POST', `${run(taskId, runId)}/completed`),
    reportFailed: (taskId, runId) => client.call('POST', `${run(taskId, runId)}/failed`),
    reportException: (taskId, runId, payload) =>
      client.call('POST', `${run(taskId, runId)}/exception`, payload),
    createArtifact: (taskId, runId, name, payload) =>
      client.call('POST', `${run(taskId, runId)}/artifacts/${encode(name)}`, payload),
    finishArtifact: (taskId, runId, name, payload) =>
      client.call('PUT', `${run(taskId, runId)}/artifacts/${encode(name)}`, payload),
    // An artifact name's slashes stay: they are path segments of the route.
    latestArtifactUrl: (taskId, name, ttlSeconds) =>
      client.signedUrl(
        `/task/${encode(taskId)}/artifacts/${name.split('/').map(encode).join('/')}`,
        ttlSeconds,
      ),
  };
}

class TaskclusterWorkerQueue implements WorkerQueue {
  readonly #options: TaskclusterQueueOptions;
  readonly #client: QueueCalls;

  constructor(options: TaskclusterQueueOptions) {
    this.#options = options;
    this.#client = makeClient(options.rootUrl, options.credentials, options.tuning);
  }

  async claimWork(
    taskQueueId: string,
    request: ClaimWorkRequest,
    options: { signal: AbortSignal },
  ): Promise<TaskClaim[]> {
    const { signal } = options;
    if (signal.aborted) return [];
    // The request is never cut off (the queue may have claimed already), so an abort answers [] at once and
    // the request finishes in the background; whatever it claims after that is handed back (see #returnLateClaims).
    const pending = this.#client.claimWork(taskQueueId, request);
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<'aborted'>((resolve) => {
      onAbort = () => resolve('aborted');
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      const outcome = await Promise.race([pending, aborted]);
      if (outcome !== 'aborted') return outcome.tasks;
      pending.then(
        (late) => this.#returnLateClaims(late.tasks),
        () => undefined, // nothing was claimed
      );
      return [];
    } finally {
      if (onAbort) signal.removeEventListener('abort', onAbort);
    }
  }

  forRun(claim: TaskClaim): RunQueue {
    return new TaskclusterRunQueue(this.#options.rootUrl, claim, this.#options.tuning);
  }

  // Claims that arrive after the caller gave up would otherwise sit until claim-expired; worker-shutdown
  // hands them straight back to the queue, which makes a new run for another worker.
  #returnLateClaims(claims: readonly TaskClaim[]): void {
    for (const claim of claims) {
      const log = this.#options.log.child({ taskId: claim.status.taskId, runId: claim.runId });
      log.warn('returning a claim that arrived after claiming stopped');
      this.forRun(claim)
        .reportException('worker-shutdown')
        .then(
          () => log.info('returned late claim'),
          (error: unknown) => log.warn({ error: describeError(error) }, 'could not return late claim'),
        );
    }
  }
}

class TaskclusterRunQueue implements RunQueue {
  readonly taskId: string;
  readonly runId: number;
  readonly #rootUrl: string;
  readonly #tuning: QueueClientTuning | undefined;
  #client: QueueCalls;
  #credentials: Credentials;

  constructor(rootUrl: string, claim: TaskClaim, tuning: QueueClientTuning | undefined) {
    this.taskId = claim.status.taskId;
    this.runId = claim.runId;
    this.#rootUrl = rootUrl;
    this.#tuning = tuning;
    this.#credentials = claim.credentials;
    this.#client = makeClient(rootUrl, claim.credentials, tuning);
  }

  credentials(): Credentials {
    return this.#credentials;
  }

  async reclaimTask(): Promise<ReclaimResponse> {
    const response = await this.#client.reclaimTask(this.taskId, this.runId);
    // Calls already in flight keep the old client; both credentials are valid until the old takenUntil.
    this.#credentials = response.credentials;
    this.#client = makeClient(this.#rootUrl, response.credentials, this.#tuning);
    return response;
  }

  async reportCompleted(): Promise<TaskStatus> {
    const response = await this.#client.reportCompleted(this.taskId, this.runId);
    return response.status;
  }

  async reportFailed(): Promise<TaskStatus> {
    const response = await this.#client.reportFailed(this.taskId, this.runId);
    return response.status;
  }

  async reportException(reason: ExceptionReasonForQueue): Promise<TaskStatus> {
    const response = await this.#client.reportException(this.taskId, this.runId, { reason });
    return response.status;
  }

  createArtifact(name: string, request: CreateArtifactRequest): Promise<CreateArtifactResponse> {
    return this.#client.createArtifact(this.taskId, this.runId, name, request);
  }

  async finishArtifact(name: string, uploadId: string): Promise<void> {
    await this.#client.finishArtifact(this.taskId, this.runId, name, { uploadId });
  }

  downloadUrl(taskId: string, name: string): string {
    return this.#client.latestArtifactUrl(taskId, name, downloadUrlTtlSeconds);
  }
}
