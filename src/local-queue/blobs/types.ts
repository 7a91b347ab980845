// Where artifact and object bytes live, and how clients reach them. The file store keeps them under the
// data directory and clients go through the queue's own signed /blobs URLs; the S3 store keeps them in a
// bucket and hands out presigned S3 URLs, so the bytes never pass through the queue.
import type { Readable } from 'node:stream';

export interface BlobMetadata {
  contentType: string;
  /** e.g. `gzip`; served back unchanged so clients decode it themselves. */
  contentEncoding?: string;
}

export interface PutBlobOptions extends BlobMetadata {
  /** The body's length when known; a store that needs it up front (S3) buffers bodies without one. */
  contentLength?: number;
}

export interface StoredBlob extends BlobMetadata {
  size: number;
  body: Readable;
}

export interface BlobStore {
  /** Stores `body` under `key`, durably, before resolving. Replaces an earlier blob of the same key. */
  put(key: string, body: Readable, options: PutBlobOptions): Promise<{ size: number }>;
  get(key: string): Promise<StoredBlob | undefined>;
  close(): Promise<void>;
}

/** URLs through which a client moves a blob's bytes itself; both stop working at `expires` (ms). */
export interface BlobUrls {
  /** A URL to PUT the bytes to, with exactly this Content-Type (and any Content-Encoding). */
  putUrl(key: string, contentType: string, expires: number): Promise<string>;
  /** A URL that answers the bytes with their stored Content-Type, Content-Encoding and Content-Length. */
  getUrl(key: string, expires: number): Promise<string>;
}
