// Builds the queue's domain context over a storage and runs its background part: the due timer that
// resolves expired claims and deadlines, rebuilt from the database at start.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { BlobSigner } from '../blobs/blob-signer.js';
import { QueueBlobUrls } from '../blobs/queue-blob-urls.js';
import type { BlobStore, BlobUrls } from '../blobs/types.js';
import type { QueueStorage, StorageTx } from '../storage/types.js';
import type { Clock } from '../time.js';
import type { QueueContext, QueueSettings } from './context.js';
import { DueTimer } from './due-timer.js';
import { processDue } from './due-work.js';
import { InProcessNotifier, type PendingNotifier } from './pending-notifier.js';
import { QueueEvents } from './queue-events.js';
import { CredentialIssuer } from './task-credentials.js';

export interface QueueServiceOptions {
  storage: QueueStorage;
  settings: QueueSettings;
  logger: Logger;
  clock: Clock;
  notifier?: PendingNotifier;
  blobStore: BlobStore;
  /** The store's own URLs (S3); by default the queue's signed /blobs URLs, which serve `blobStore`. */
  blobUrls?: BlobUrls;
}

/** A secret kept in the database, created on first use, so URLs and credentials survive restarts. */
async function secret(tx: StorageTx, key: string): Promise<string> {
  const existing = await tx.getMeta(key);
  if (existing !== undefined) return existing;
  const value = randomBytes(32).toString('base64url');
  await tx.putMeta(key, value);
  return value;
}

export class QueueService {
  readonly ctx: QueueContext;
  readonly events: QueueEvents;
  private readonly timer: DueTimer;
  private readonly closing = new AbortController();

  private constructor(ctx: QueueContext, timer: DueTimer) {
    this.ctx = ctx;
    this.events = ctx.events;
    this.timer = timer;
  }

  static async start(options: QueueServiceOptions): Promise<QueueService> {
    const { storage, logger, clock } = options;
    const secrets = await storage.transaction(async (tx) => ({
      issuer: await secret(tx, 'credentialsAccessToken'),
      blobs: await secret(tx, 'blobSigningKey'),
    }));
    // The context reports due times to the timer, which needs the context: tie the knot through a holder.
    const timerRef: { current?: DueTimer } = {};
    const blobSigner = new BlobSigner(secrets.blobs);
    const ctx: QueueContext = {
      storage,
      clock,
      logger,
      events: new QueueEvents(),
      notifier: options.notifier ?? new InProcessNotifier(),
      issuer: new CredentialIssuer(secrets.issuer),
      blobSigner,
      blobStore: options.blobStore,
      blobUrls: options.blobUrls ?? new QueueBlobUrls(blobSigner, options.settings.publicUrl),
      settings: options.settings,
      onDue: (time) => timerRef.current?.hint(time),
    };
    const timer = new DueTimer({
      fire: () => processDue(ctx),
      clock,
      onError: (error) => logger.error({ err: error }, 'resolving due claims and deadlines failed'),
    });
    timerRef.current = timer;
    // Claims that expired and deadlines that passed while the queue was down are handled at once.
    timer.hint(await storage.transaction((tx) => tx.nextDueTime()));
    return new QueueService(ctx, timer);
  }

  /** Aborted when the queue closes: long-polls answer `[]` at once. */
  get closeSignal(): AbortSignal {
    return this.closing.signal;
  }

  /** Ends every long-poll and stops the timer; calls in flight still complete. */
  async stop(): Promise<void> {
    this.closing.abort();
    this.ctx.notifier.close();
    await this.timer.stop();
  }

  /** Stops, then closes the storage: call once no request is in flight. */
  async close(): Promise<void> {
    await this.stop();
    await this.ctx.storage.close();
  }
}
