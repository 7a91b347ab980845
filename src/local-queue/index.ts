// The embedded Taskcluster queue: `startLocalQueue` serves the Queue API at `<rootUrl>/api/queue/v1/` and
// the object service subset at `<rootUrl>/api/object/v1/`, storing tasks in SQLite and artifact bytes in
// files under `dataDir` or in an S3 bucket.
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { ArtifactStoreOption } from './artifact-store-option.js';
import { FileBlobStore } from './blobs/file-blob-store.js';
import type { BlobStore, BlobUrls } from './blobs/types.js';
import type { QueueEvents } from './domain/queue-events.js';
import { QueueService } from './domain/queue-service.js';
import { Authenticator } from './auth/authenticate.js';
import { clientLookup, type ClientRecord } from './auth/clients.js';
import { Roles, type Role } from './auth/roles.js';
import { ensureRootClient, type RootClient } from './auth/root-client.js';
import { buildServer } from './http/server.js';
import { SqliteStorage } from './storage/sqlite-storage.js';
import { SECOND, systemClock, type Clock } from './time.js';

export type { QueueEventMap, QueueEventName, QueueEvents } from './domain/queue-events.js';
export type { ApiRoute } from './http/api-route.js';
export type { ClientRecord } from './auth/clients.js';
export type { Role } from './auth/roles.js';
export { ROOT_CLIENT_ID, readRootClientFile, type RootClient } from './auth/root-client.js';
export { addClient, AddClientError, USER_SCOPES, workerPoolScopes } from './auth/add-client.js';
export { loadQueueAuthConfig, QueueAuthConfigError, type QueueAuthConfig } from './auth/auth-config.js';
export {
  ArtifactStoreOptionError,
  parseArtifactStoreOption,
  type ArtifactStoreFlags,
  type ArtifactStoreOption,
} from './artifact-store-option.js';

export interface LocalQueueOptions {
  host: string;
  /** 0 picks a free port; `rootUrl` and `port` then carry the real one. */
  port: number;
  dataDir: string;
  /** How long a claim lasts before it expires (default 1200, as on a real deployment). */
  claimTimeoutSeconds?: number | undefined;
  /** How long claimWork waits for work before answering `[]` (default 20). */
  claimWorkPollSeconds?: number | undefined;
  /** Base of the URLs the queue hands out (putUrl, artifact redirects), when clients reach it elsewhere. */
  publicUrl?: string | undefined;
  /** Where artifact and object bytes live: files under `dataDir/blobs` (the default), or an S3 bucket. */
  artifactStore?: ArtifactStoreOption | undefined;
  /** How long upload (put) and download (get) URLs work, in seconds (defaults 2700 and 1800, as real). */
  urlLifetimeSeconds?: { put?: number | undefined; get?: number | undefined } | undefined;
  /**
   * Wait for the disk before acknowledging each change, so that it survives power loss and not only a crash
   * of the queue process (default false: a few milliseconds saved on every call).
   */
  syncToDisk?: boolean | undefined;
  /** Clients of the configuration, besides the root client and those stored with `addClient`. */
  clients?: readonly ClientRecord[] | undefined;
  /** Roles: `assume:<roleId>` grants their scopes; `anonymous` is what callers without credentials hold. */
  roles?: readonly Role[] | undefined;
  /** Accepted clock difference with callers, for Hawk timestamps and certificates (default 900, as real). */
  clockSkewSeconds?: number | undefined;
  logger: Logger;
}

export interface LocalQueue {
  /** `http://<host>:<port>`, the rootUrl to give taskcluster-client. */
  rootUrl: string;
  port: number;
  /** Domain events (task-defined, task-pending, ..., artifact-created), emitted after each commit. */
  events: QueueEvents;
  /** The client holding every scope, created on the first start and written to `dataDir/root-client.json`. */
  rootClient: RootClient;
  /** Ends long-polls at once, waits for calls in flight, stops timers and closes the database. */
  close(): Promise<void>;
}

interface Blobs {
  store: BlobStore;
  /** Only S3 hands out URLs of its own; the file store is reached through the queue's /blobs. */
  urls?: BlobUrls;
}

async function openBlobs(options: LocalQueueOptions, clock: Clock, logger: Logger): Promise<Blobs> {
  const choice = options.artifactStore ?? { type: 'file' };
  if (choice.type === 'file')
    return {
      store: new FileBlobStore(join(options.dataDir, 'blobs'), { syncToDisk: options.syncToDisk ?? false }),
    };
  // Loaded only when used: the AWS SDK takes a good part of a second to load.
  const { S3BlobStore } = await import('./blobs/s3-blob-store.js');
  const store = await S3BlobStore.open(
    {
      bucket: choice.bucket,
      endpoint: choice.endpoint,
      region: choice.region ?? 'us-east-1',
      accessKeyId: choice.accessKeyId,
      secretAccessKey: choice.secretAccessKey,
      sessionToken: choice.sessionToken,
      forcePathStyle: choice.forcePathStyle ?? true,
    },
    clock,
    logger,
  );
  return { store, urls: store };
}

export async function startLocalQueue(options: LocalQueueOptions): Promise<LocalQueue> {
  const logger = options.logger.child({ component: 'local-queue' });
  const clock = systemClock;
  const blobs = await openBlobs(options, clock, logger);
  const storage = SqliteStorage.open(options.dataDir, { syncToDisk: options.syncToDisk ?? false });
  let baseUrl = options.publicUrl?.replace(/\/+$/, '') ?? '';
  let service: QueueService;
  try {
    service = await QueueService.start({
      storage,
      logger,
      clock,
      blobStore: blobs.store,
      ...(blobs.urls ? { blobUrls: blobs.urls } : {}),
      settings: {
        claimTimeoutMs: (options.claimTimeoutSeconds ?? 1200) * SECOND,
        claimWorkPollMs: (options.claimWorkPollSeconds ?? 20) * SECOND,
        publicUrl: () => baseUrl,
        putUrlLifetimeMs: (options.urlLifetimeSeconds?.put ?? 45 * 60) * SECOND,
        getUrlLifetimeMs: (options.urlLifetimeSeconds?.get ?? 30 * 60) * SECOND,
      },
    });
  } catch (error) {
    await storage.close();
    await blobs.store.close();
    throw error;
  }
  let rootClient: RootClient;
  try {
    rootClient = await ensureRootClient(storage, options.dataDir);
  } catch (error) {
    await service.close();
    await blobs.store.close();
    throw error;
  }
  const authenticator = new Authenticator({
    clients: clientLookup(storage, [...(options.clients ?? []), service.ctx.issuer.asClient()]),
    roles: new Roles(options.roles),
    clockSkewSeconds: options.clockSkewSeconds ?? 15 * 60,
    publicUrl: () => baseUrl,
    now: clock,
  });
  const app = buildServer({
    ctx: service.ctx,
    authenticator,
    logger,
    closeSignal: service.closeSignal,
    ...(blobs.urls ? {} : { blobRoutes: blobs.store }),
  });
  try {
    await app.listen({ host: options.host, port: options.port });
  } catch (error) {
    await service.close();
    await blobs.store.close();
    throw error;
  }
  const { port } = app.server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const rootUrl = `http://${host}:${port}`;
  if (baseUrl === '') baseUrl = rootUrl;
  const store = options.artifactStore?.type === 's3' ? `s3://${options.artifactStore.bucket}` : 'file';
  logger.info({ rootUrl, publicUrl: baseUrl, dataDir: options.dataDir, store }, 'local queue listening');

  let closing: Promise<void> | undefined;
  return {
    rootUrl,
    port,
    events: service.events,
    rootClient,
    close: () => {
      closing ??= (async () => {
        await service.stop();
        await app.close();
        await blobs.store.close();
        await service.close();
        logger.info({ rootUrl }, 'local queue closed');
      })();
      return closing;
    },
  };
}
