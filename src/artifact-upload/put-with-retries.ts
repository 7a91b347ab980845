// The PUT of one body, retried: network errors and 5xx after a backoff, a refused signature (403, an expired
// URL) with a fresh target at once, and a target whose expiry is near replaced before it is used.
import type { Logger } from 'pino';
import { ResourceUnavailableError } from '../errors.js';
import { BodyReadError, putBody, type UploadBody } from './put-body.js';
import { messageOf } from './queue-call.js';
import { backoff, classifyPutFailure, type RetryPolicy } from './retry-policy.js';

export interface PutTarget {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** When the URL stops working (ms since the epoch; Infinity when unknown). */
  readonly expiresAt: number;
}

export interface PutWithRetries {
  /** For messages. */
  readonly name: string;
  readonly body: UploadBody;
  /** Compute the SHA-256 of the bytes sent. */
  readonly hash: boolean;
  /** A fresh URL: createArtifact for s3, createUpload for the object service. */
  newTarget(): Promise<PutTarget>;
  /** The first URL, when it was asked for already; later ones come from newTarget. */
  readonly firstTarget?: Promise<PutTarget>;
  readonly policy: RetryPolicy;
  readonly signal: AbortSignal;
  readonly workerLog?: Logger;
}

export interface PutOutcome {
  readonly sha256?: string;
  readonly attempts: number;
}

/** A URL that expires within this margin is replaced before the PUT starts. */
export const expiryMarginMs = 60_000;

export async function putWithRetries(put: PutWithRetries): Promise<PutOutcome> {
  const { signal, policy } = put;
  // An early target that failed (asked for long ago, perhaps while the queue was away) is asked for again:
  // a lasting refusal then comes back from newTarget and is reported from there.
  let target = put.firstTarget ? await put.firstTarget.catch(() => undefined) : undefined;
  for (let attempt = 1; ; attempt++) {
    signal.throwIfAborted();
    if (!target || target.expiresAt - Date.now() < expiryMarginMs) target = await put.newTarget();
    try {
      const { sha256 } = await putBody(target.url, put.body, {
        headers: target.headers,
        signal,
        hash: put.hash,
      });
      return { ...(sha256 !== undefined ? { sha256 } : {}), attempts: attempt };
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      if (error instanceof BodyReadError) throw error;
      const failure = classifyPutFailure(error);
      if (failure === 'fatal') throw error;
      if (attempt >= policy.attempts)
        throw new ResourceUnavailableError(
          `uploading artifact ${put.name} failed after ${attempt} attempts: ${messageOf(error)}`,
          { cause: error },
        );
      put.workerLog?.warn({ artifact: put.name, attempt, failure, err: error }, 'artifact upload retry');
      // A refused signature needs a new URL, not time; anything else gets time to recover.
      if (failure === 'refresh') target = undefined;
      else await backoff(policy, attempt, signal);
    }
  }
}

/** An expiry timestamp as milliseconds; Infinity when it cannot be parsed (then the URL is used until refused). */
export function expiryOf(timestamp: string | undefined): number {
  const parsed = timestamp === undefined ? NaN : Date.parse(timestamp);
  return Number.isNaN(parsed) ? Infinity : parsed;
}
