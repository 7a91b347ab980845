// taskcluster-client ships no type declarations. This describes the part of it this project uses;
// API methods are loosely typed (the generated queue types describe the bodies).
/* eslint-disable @typescript-eslint/no-explicit-any, no-restricted-syntax -- mirrors an untyped CommonJS module whose default export is its API */
declare module 'taskcluster-client' {
  export interface ClientCredentials {
    clientId: string;
    accessToken: string;
    certificate?: string | Record<string, unknown>;
  }

  export type TaskclusterCredentials = ClientCredentials;

  /** The error a call rejects with: `statusCode` and `code` when the service answered. */
  export interface TaskclusterError extends Error {
    statusCode?: number;
    code?: string;
    body?: unknown;
  }

  export interface ClientOptions {
    rootUrl: string;
    credentials?: ClientCredentials;
    authorizedScopes?: string[];
    retries?: number;
    delayFactor?: number;
    randomizationFactor?: number;
    maxDelay?: number;
    timeout?: number;
    agent?: unknown;
    fake?: unknown;
  }

  /** A client method: positional route parameters, then the payload, then a query object. */
  export type ApiMethod = (...args: any[]) => Promise<any>;

  export class Client {
    constructor(options: ClientOptions);
    buildUrl(method: ApiMethod, ...args: unknown[]): string;
    externalBuildUrl(method: ApiMethod, ...args: unknown[]): string;
    buildSignedUrl(method: ApiMethod, ...args: unknown[]): string;
    externalBuildSignedUrl(method: ApiMethod, ...args: unknown[]): string;
  }

  export class Queue extends Client {
    ping: ApiMethod;
    lbheartbeat: ApiMethod;
    version: ApiMethod;
    task: ApiMethod;
    tasks: ApiMethod;
    statuses: ApiMethod;
    status: ApiMethod;
    listTaskGroup: ApiMethod;
    cancelTaskGroup: ApiMethod;
    getTaskGroup: ApiMethod;
    sealTaskGroup: ApiMethod;
    listDependentTasks: ApiMethod;
    createTask: ApiMethod;
    scheduleTask: ApiMethod;
    rerunTask: ApiMethod;
    cancelTask: ApiMethod;
    claimWork: ApiMethod;
    claimTask: ApiMethod;
    reclaimTask: ApiMethod;
    reportCompleted: ApiMethod;
    reportFailed: ApiMethod;
    reportException: ApiMethod;
    createArtifact: ApiMethod;
    finishArtifact: ApiMethod;
    getArtifact: ApiMethod;
    getLatestArtifact: ApiMethod;
    listArtifacts: ApiMethod;
    listLatestArtifacts: ApiMethod;
    artifactInfo: ApiMethod;
    latestArtifactInfo: ApiMethod;
    artifact: ApiMethod;
    latestArtifact: ApiMethod;
    listProvisioners: ApiMethod;
    getProvisioner: ApiMethod;
    declareProvisioner: ApiMethod;
    pendingTasks: ApiMethod;
    taskQueueCounts: ApiMethod;
    listPendingTasks: ApiMethod;
    listClaimedTasks: ApiMethod;
    listWorkerTypes: ApiMethod;
    getWorkerType: ApiMethod;
    declareWorkerType: ApiMethod;
    listTaskQueues: ApiMethod;
    getTaskQueue: ApiMethod;
    listWorkers: ApiMethod;
    getWorker: ApiMethod;
    quarantineWorker: ApiMethod;
    declareWorker: ApiMethod;
  }
  export class Object extends Client {
    ping: ApiMethod;
    lbheartbeat: ApiMethod;
    version: ApiMethod;
    createUpload: ApiMethod;
    finishUpload: ApiMethod;
    startDownload: ApiMethod;
    object: ApiMethod;
    download: ApiMethod;
  }
  export class Index extends Client {
    ping: ApiMethod;
    findTask: ApiMethod;
    findTasksAtIndex: ApiMethod;
    listNamespaces: ApiMethod;
    listTasks: ApiMethod;
    insertTask: ApiMethod;
    deleteTask: ApiMethod;
    findArtifactFromTask: ApiMethod;
  }
  export class Auth extends Client {
    ping: ApiMethod;
    listClients: ApiMethod;
    client: ApiMethod;
    createClient: ApiMethod;
    resetAccessToken: ApiMethod;
    updateClient: ApiMethod;
    enableClient: ApiMethod;
    disableClient: ApiMethod;
    deleteClient: ApiMethod;
    listRoles: ApiMethod;
    role: ApiMethod;
    createRole: ApiMethod;
    updateRole: ApiMethod;
    deleteRole: ApiMethod;
    expandScopes: ApiMethod;
    currentScopes: ApiMethod;
    authenticateHawk: ApiMethod;
    testAuthenticate: ApiMethod;
    testAuthenticateGet: ApiMethod;
  }

  export interface TemporaryCredentialsOptions {
    clientId?: string;
    start: Date;
    expiry: Date;
    scopes: string[];
    credentials: ClientCredentials;
  }

  /** Makes the stream a transfer reads (upload) or writes (download); called again for each retry. */
  export type StreamFactory<S> = () => Promise<S>;

  export interface RetryOptions {
    retries?: number;
    delayFactor?: number;
    randomizationFactor?: number;
    maxDelay?: number;
  }

  /** upload(): createUpload (dataInline below 8 KiB, else putUrl), the PUT, then finishUpload with hashes. */
  export interface UploadOptions extends RetryOptions {
    projectId: string;
    name: string;
    contentType: string;
    contentLength: number;
    expires: Date | string;
    object: Object;
    streamFactory: StreamFactory<NodeJS.ReadableStream>;
    /** A fresh slugid when absent; an object artifact's must be the one createArtifact answered. */
    uploadId?: string;
  }

  /** download(): startDownload with `getUrl`, the GET, then a check of the hashes; answers the content type. */
  export interface DownloadOptions extends RetryOptions {
    name: string;
    object: Object;
    streamFactory: StreamFactory<NodeJS.WritableStream>;
  }

  /** downloadArtifact(): the artifact (or latestArtifact) call, then the download its storage type needs. */
  export interface DownloadArtifactOptions extends RetryOptions {
    taskId: string;
    /** The latest run when absent. */
    runId?: number;
    name: string;
    queue: Queue;
    streamFactory: StreamFactory<NodeJS.WritableStream>;
  }

  interface TaskclusterClientModule {
    /** The agents every client made afterwards uses (replaceable to tune connection reuse). */
    agents: { http: import('node:http').Agent; https: import('node:https').Agent };
    Queue: typeof Queue;
    Object: typeof Object;
    Index: typeof Index;
    Auth: typeof Auth;
    Client: typeof Client;
    slugid(): string;
    fromNow(offset: string, reference?: Date): Date;
    fromNowJSON(offset: string, reference?: Date): string;
    createTemporaryCredentials(options: TemporaryCredentialsOptions): ClientCredentials;
    fromEnvVars(): Partial<ClientOptions>;
    upload(options: UploadOptions): Promise<void>;
    /** Answers the downloaded content's Content-Type. */
    download(options: DownloadOptions): Promise<string>;
    /** Answers the downloaded content's Content-Type. */
    downloadArtifact(options: DownloadArtifactOptions): Promise<string>;
  }

  const tc: TaskclusterClientModule;
  export default tc;
}
