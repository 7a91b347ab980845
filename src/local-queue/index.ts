// The embedded Taskcluster queue: `startLocalQueue` serves the Queue API at `<rootUrl>/api/queue/v1/`,
// storing tasks in SQLite and artifact bytes in files under `dataDir`.
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { FileBlobStore } from './blobs/file-blob-store.js';
import type { QueueEvents } from './domain/queue-events.js';
import { QueueService } from './domain/queue-service.js';
import { buildServer } from './http/server.js';
import { SqliteStorage } from './storage/sqlite-storage.js';
import { SECOND, systemClock } from './time.js';

export type { QueueEventMap, QueueEventName, QueueEvents } from './domain/queue-events.js';
export type { Authorizer, ApiRoute } from './http/api-route.js';

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
  logger: Logger;
}

export interface LocalQueue {
  /** `http://<host>:<port>`, the rootUrl to give taskcluster-client. */
  rootUrl: string;
  port: number;
  /** Domain events (task-defined, task-pending, ..., artifact-created), emitted after each commit. */
  events: QueueEvents;
  /** Ends long-polls at once, waits for calls in flight, stops timers and closes the database. */
  close(): Promise<void>;
}

export async function startLocalQueue(options: LocalQueueOptions): Promise<LocalQueue> {
  const logger = options.logger.child({ component: 'local-queue' });
  const storage = SqliteStorage.open(options.dataDir);
  const blobStore = new FileBlobStore(join(options.dataDir, 'blobs'));
  let baseUrl = options.publicUrl?.replace(/\/+$/, '') ?? '';
  let service: QueueService;
  try {
    service = await QueueService.start({
      storage,
      logger,
      clock: systemClock,
      settings: {
        claimTimeoutMs: (options.claimTimeoutSeconds ?? 1200) * SECOND,
        claimWorkPollMs: (options.claimWorkPollSeconds ?? 20) * SECOND,
        publicUrl: () => baseUrl,
      },
    });
  } catch (error) {
    await storage.close();
    throw error;
  }
  const app = buildServer({ ctx: service.ctx, blobStore, logger, closeSignal: service.closeSignal });
  try {
    await app.listen({ host: options.host, port: options.port });
  } catch (error) {
    await service.close();
    throw error;
  }
  const { port } = app.server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const rootUrl = `http://${host}:${port}`;
  if (baseUrl === '') baseUrl = rootUrl;
  logger.info({ rootUrl, publicUrl: baseUrl, dataDir: options.dataDir }, 'local queue listening');

  let closing: Promise<void> | undefined;
  return {
    rootUrl,
    port,
    events: service.events,
    close: () => {
      closing ??= (async () => {
        await service.stop();
        await app.close();
        await blobStore.close();
        await service.close();
        logger.info({ rootUrl }, 'local queue closed');
      })();
      return closing;
    },
  };
}
