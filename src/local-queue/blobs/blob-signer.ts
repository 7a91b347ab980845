// Signs the /blobs URLs the queue hands out (putUrl for uploads, the redirect target for downloads): an
// HMAC over method, key and expiry with a secret kept in the queue's database, so URLs cannot be guessed
// or altered and stop working at their expiry, like presigned S3 URLs.
import { createHmac, timingSafeEqual } from 'node:crypto';

export type BlobMethod = 'GET' | 'PUT';

export interface SignedBlobQuery {
  expires: string;
  signature: string;
}

export class BlobSigner {
  private readonly secret: string;

  constructor(secret: string) {
    this.secret = secret;
  }

  sign(method: BlobMethod, key: string, expires: number): SignedBlobQuery {
    return { expires: String(expires), signature: this.mac(method, key, expires) };
  }

  verify(method: BlobMethod, key: string, query: Partial<SignedBlobQuery>, now: number): boolean {
    const expires = Number(query.expires);
    if (!Number.isSafeInteger(expires) || expires < now || typeof query.signature !== 'string') return false;
    const expected = Buffer.from(this.mac(method, key, expires));
    const given = Buffer.from(query.signature);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  private mac(method: BlobMethod, key: string, expires: number): string {
    return createHmac('sha256', this.secret).update(`${method}\n${key}\n${expires}`).digest('base64url');
  }
}

/** The blob key of an s3 artifact; readable in URLs, which the real S3 layout (`taskId/runId/name`) is too. */
export const artifactBlobKey = (taskId: string, runId: number, name: string): string =>
  `${taskId}/${runId}/${name}`;
