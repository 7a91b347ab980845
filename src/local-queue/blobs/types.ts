// Where s3 artifact bytes live. The file store keeps them under the data directory; an S3 backend can take
// its place (presigned URLs then point at the bucket instead of the queue's /blobs endpoint).
import type { Readable } from 'node:stream';

export interface BlobMetadata {
  contentType: string;
  /** e.g. `gzip`; served back unchanged so clients decode it themselves. */
  contentEncoding?: string;
}

export interface StoredBlob extends BlobMetadata {
  size: number;
  body: Readable;
}

export interface BlobStore {
  /** Stores `body` under `key`, durably, before resolving. Replaces an earlier blob of the same key. */
  put(key: string, body: Readable, metadata: BlobMetadata): Promise<{ size: number }>;
  get(key: string): Promise<StoredBlob | undefined>;
  close(): Promise<void>;
}
