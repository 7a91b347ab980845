// BlobStore and BlobUrls on any S3-compatible store (AWS, Ceph radosgw, MinIO, ...): bytes live in one
// bucket under the blob key, with their Content-Type and Content-Encoding as the object's own metadata, so
// presigned GETs serve them back as uploaded. Clients PUT and GET through presigned URLs (SigV4), which
// the store itself checks: a URL altered or used after its expiry is refused there with 403.
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadBucketCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import type { Clock } from '../time.js';
import type { BlobStore, BlobUrls, PutBlobOptions, StoredBlob } from './types.js';

export interface S3StoreConfig {
  bucket: string;
  /** e.g. `http://127.0.0.1:7480`; AWS's own endpoint for the region when absent. */
  endpoint?: string | undefined;
  region: string;
  accessKeyId?: string | undefined;
  secretAccessKey?: string | undefined;
  sessionToken?: string | undefined;
  /** `<endpoint>/<bucket>/<key>` URLs (the default here), rather than `<bucket>.<host>/<key>`. */
  forcePathStyle: boolean;
}

/** SigV4 presigned URLs last at most a week. */
const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

const statusOf = (error: unknown): number | undefined =>
  error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;

export class S3BlobStore implements BlobStore, BlobUrls {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly clock: Clock;

  private constructor(client: S3Client, bucket: string, clock: Clock) {
    this.client = client;
    this.bucket = bucket;
    this.clock = clock;
  }

  /** Connects and creates the bucket when it does not exist yet. */
  static async open(config: S3StoreConfig, clock: Clock, logger: Logger): Promise<S3BlobStore> {
    const { accessKeyId, secretAccessKey, sessionToken } = config;
    const client = new S3Client({
      region: config.region,
      forcePathStyle: config.forcePathStyle,
      ...(config.endpoint !== undefined ? { endpoint: config.endpoint } : {}),
      ...(accessKeyId !== undefined && secretAccessKey !== undefined
        ? {
            credentials: {
              accessKeyId,
              secretAccessKey,
              ...(sessionToken !== undefined ? { sessionToken } : {}),
            },
          }
        : {}),
      // Newer SDKs add CRC32 checksums of the (empty) body to presigned PUTs, which a real S3 then holds
      // the uploaded bytes against; and not every S3-compatible store accepts checksum trailers.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    const store = new S3BlobStore(client, config.bucket, clock);
    try {
      await store.ensureBucket(config.region, logger);
    } catch (error) {
      client.destroy();
      throw error;
    }
    return store;
  }

  private async ensureBucket(region: string, logger: Logger): Promise<void> {
    const where = `bucket ${this.bucket}`;
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
      return;
    } catch (error) {
      const status = statusOf(error);
      if (status === 403) {
        throw new Error(`S3 refused access to ${where} (403): wrong keys, or the bucket is someone else's`, {
          cause: error,
        });
      }
      if (status !== 404) throw new Error(`cannot reach S3 ${where}: ${String(error)}`, { cause: error });
    }
    try {
      await this.client.send(
        new CreateBucketCommand({
          Bucket: this.bucket,
          // us-east-1 is the one region AWS wants no location constraint for.
          ...(region !== 'us-east-1'
            ? { CreateBucketConfiguration: { LocationConstraint: region as never } }
            : {}),
        }),
      );
      logger.info({ bucket: this.bucket }, 'created S3 bucket');
    } catch (error) {
      // Another queue may have created it meanwhile.
      if ((error as { name?: string }).name !== 'BucketAlreadyOwnedByYou') {
        throw new Error(`cannot create S3 ${where}: ${String(error)}`, { cause: error });
      }
    }
  }

  async put(key: string, body: Readable, options: PutBlobOptions): Promise<{ size: number }> {
    // PutObject needs the length up front; bodies without one are small (inline uploads): buffer them.
    let payload: Readable | Buffer = body;
    let size = options.contentLength;
    if (size === undefined) {
      const chunks: Buffer[] = [];
      for await (const chunk of body) chunks.push(chunk as Buffer);
      payload = Buffer.concat(chunks);
      size = payload.length;
    }
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: payload,
        ContentLength: size,
        ContentType: options.contentType,
        ...(options.contentEncoding !== undefined ? { ContentEncoding: options.contentEncoding } : {}),
      }),
    );
    return { size };
  }

  async get(key: string): Promise<StoredBlob | undefined> {
    try {
      const answer = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      const blob: StoredBlob = {
        size: answer.ContentLength ?? 0,
        body: answer.Body as Readable,
        contentType: answer.ContentType ?? 'application/octet-stream',
      };
      if (answer.ContentEncoding !== undefined) blob.contentEncoding = answer.ContentEncoding;
      return blob;
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  putUrl(key: string, contentType: string, expires: number): Promise<string> {
    const command = new PutObjectCommand({ Bucket: this.bucket, Key: key, ContentType: contentType });
    // Signing the Content-Type makes S3 refuse an upload that claims another one (as the real queue's do).
    return getSignedUrl(this.client, command, {
      ...this.lifetime(expires),
      signableHeaders: new Set(['content-type']),
    });
  }

  getUrl(key: string, expires: number): Promise<string> {
    return getSignedUrl(
      this.client,
      new GetObjectCommand({ Bucket: this.bucket, Key: key }),
      this.lifetime(expires),
    );
  }

  close(): Promise<void> {
    this.client.destroy();
    return Promise.resolve();
  }

  private lifetime(expires: number): { signingDate: Date; expiresIn: number } {
    const now = this.clock();
    const seconds = Math.ceil((expires - now) / 1000);
    return { signingDate: new Date(now), expiresIn: Math.min(MAX_PRESIGN_SECONDS, Math.max(1, seconds)) };
  }
}
