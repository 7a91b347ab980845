// What every domain operation works with: storage, the clock, post-commit effects and settings.
import type { Logger } from 'pino';
import type { BlobSigner } from '../blobs/blob-signer.js';
import type { BlobStore, BlobUrls } from '../blobs/types.js';
import type { StorageTx, QueueStorage } from '../storage/types.js';
import type { Clock } from '../time.js';
import { Effects } from './effects.js';
import type { PendingNotifier } from './pending-notifier.js';
import type { QueueEvents } from './queue-events.js';
import type { CredentialIssuer } from './task-credentials.js';

export interface QueueSettings {
  /** How long a claim lasts (ms). */
  claimTimeoutMs: number;
  /** How long claimWork waits for work before answering `[]` (ms). */
  claimWorkPollMs: number;
  /** Base of the URLs handed out (putUrl, download redirects), e.g. `http://127.0.0.1:8080`. */
  publicUrl: () => string;
  /** How long an upload URL works (ms); 45 minutes on a real deployment. */
  putUrlLifetimeMs: number;
  /** How long a download URL works (ms); 30 minutes on a real deployment. */
  getUrlLifetimeMs: number;
}

export interface QueueContext {
  storage: QueueStorage;
  clock: Clock;
  events: QueueEvents;
  notifier: PendingNotifier;
  issuer: CredentialIssuer;
  /** Signs the queue's own /blobs URLs (file store). */
  blobSigner: BlobSigner;
  /** Where artifact and object bytes live. */
  blobStore: BlobStore;
  /** The URLs clients move those bytes through: the queue's /blobs, or presigned S3 URLs. */
  blobUrls: BlobUrls;
  settings: QueueSettings;
  logger: Logger;
  /** Called with each due time a committed transaction produced. */
  onDue: (time: number) => void;
}

/** Runs `fn` in a transaction; its effects take place only after the commit. */
export async function mutate<T>(
  ctx: QueueContext,
  fn: (tx: StorageTx, fx: Effects, now: number) => Promise<T>,
): Promise<T> {
  const fx = new Effects();
  const result = await ctx.storage.transaction((tx) => fn(tx, fx, ctx.clock()));
  for (const time of fx.dueTimes) ctx.onDue(time);
  for (const taskQueueId of fx.pendingQueues) ctx.notifier.notify(taskQueueId);
  for (const event of fx.events) {
    try {
      ctx.events.emit(event.name, event.payload);
    } catch (error) {
      // A listener's failure is its own; the state change has committed.
      ctx.logger.error({ err: error, event: event.name }, 'queue event listener failed');
    }
  }
  return result;
}

/** Read-only access; a transaction too, so reads see one consistent state. */
export function read<T>(ctx: QueueContext, fn: (tx: StorageTx, now: number) => Promise<T>): Promise<T> {
  return ctx.storage.transaction((tx) => fn(tx, ctx.clock()));
}
