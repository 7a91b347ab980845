// The official taskcluster-client, as the tests drive the embedded queue with it. The package ships no
// type declarations; loading it through a specifier in a variable keeps tsc from asking for them.
const specifier = 'taskcluster-client';
const loaded = (await import(specifier)) as { default: TaskclusterModule };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the client ships no types; answers are JSON
export type Json = any;

/** The Queue methods of taskcluster-client (apis.js); each answers JSON or throws a ClientError. */
export type QueueMethod =
  | 'ping'
  | 'lbheartbeat'
  | 'version'
  | 'task'
  | 'tasks'
  | 'statuses'
  | 'status'
  | 'listTaskGroup'
  | 'cancelTaskGroup'
  | 'getTaskGroup'
  | 'sealTaskGroup'
  | 'listDependentTasks'
  | 'createTask'
  | 'scheduleTask'
  | 'rerunTask'
  | 'cancelTask'
  | 'claimWork'
  | 'claimTask'
  | 'reclaimTask'
  | 'reportCompleted'
  | 'reportFailed'
  | 'reportException'
  | 'createArtifact'
  | 'finishArtifact'
  | 'getArtifact'
  | 'getLatestArtifact'
  | 'listArtifacts'
  | 'listLatestArtifacts'
  | 'artifactInfo'
  | 'latestArtifactInfo'
  | 'artifact'
  | 'latestArtifact'
  | 'listProvisioners'
  | 'getProvisioner'
  | 'declareProvisioner'
  | 'pendingTasks'
  | 'taskQueueCounts'
  | 'listPendingTasks'
  | 'listClaimedTasks'
  | 'listWorkerTypes'
  | 'getWorkerType'
  | 'declareWorkerType'
  | 'listTaskQueues'
  | 'getTaskQueue'
  | 'listWorkers'
  | 'getWorker'
  | 'quarantineWorker'
  | 'declareWorker'
  | 'heartbeat';

export type QueueClient = Record<QueueMethod, (...args: Json[]) => Promise<Json>> & {
  buildUrl(method: unknown, ...args: unknown[]): string;
  buildSignedUrl(method: unknown, ...args: unknown[]): string;
};

/** The Object service methods of taskcluster-client (apis.js). */
export type ObjectMethod = 'ping' | 'createUpload' | 'finishUpload' | 'startDownload' | 'object' | 'download';

export type ObjectClient = Record<ObjectMethod, (...args: Json[]) => Promise<Json>> & {
  buildUrl(method: unknown, ...args: unknown[]): string;
  buildSignedUrl(method: unknown, ...args: unknown[]): string;
};

export interface ClientOptions {
  rootUrl: string;
  credentials?: { clientId: string; accessToken: string; certificate?: string };
  authorizedScopes?: string[];
  retries?: number;
  timeout?: number;
}

export interface TaskclusterModule {
  Queue: new (options: ClientOptions) => QueueClient;
  Object: new (options: ClientOptions) => ObjectClient;
  slugid: () => string;
  /** Signs a certificate with `credentials` (named when `clientId` is given). */
  createTemporaryCredentials: (options: {
    scopes: string[];
    start: Date;
    expiry: Date;
    credentials: { clientId: string; accessToken: string };
    clientId?: string;
  }) => { clientId: string; accessToken: string; certificate: string };
  fromNow: (offset: string, reference?: Date) => Date;
  /** createUpload (dataInline below 8 KiB, else putUrl), the PUT, then finishUpload with both hashes. */
  upload: (options: {
    projectId: string;
    name: string;
    contentType: string;
    contentLength: number;
    expires: Date | string;
    object: ObjectClient;
    streamFactory: () => Promise<NodeJS.ReadableStream>;
    uploadId?: string;
    retries?: number;
  }) => Promise<void>;
  /** artifact(), then the download its storage type needs; answers the Content-Type. */
  downloadArtifact: (options: {
    taskId: string;
    runId?: number;
    name: string;
    queue: QueueClient;
    streamFactory: () => Promise<NodeJS.WritableStream>;
    retries?: number;
  }) => Promise<string>;
}

export const tc = loaded.default;

export interface ClientError extends Error {
  statusCode: number;
  code: string;
  body: Json;
}

/** Runs `call` and returns the error it must throw. */
export async function rejection(call: Promise<unknown>): Promise<ClientError> {
  try {
    await call;
  } catch (error) {
    return error as ClientError;
  }
  throw new Error('expected the call to fail');
}
