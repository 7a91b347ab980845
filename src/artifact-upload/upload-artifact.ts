// Publishes one file as an `s3` artifact: createArtifact, then a PUT of the bytes to the URL it answered.
// Compressed bodies go through a temporary file because storage needs the length before the first byte.
// Network errors and 5xx are retried with backoff; an expired or refused URL is replaced by a fresh one.
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { constants as zlib, createGzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import type { Logger } from 'pino';
import { ResourceUnavailableError } from '../errors.js';
import type { CreateArtifactRequest, CreateArtifactResponse, RunArtifacts } from '../queue/types.js';
import { QueueRequestError } from '../queue/types.js';
import { BodyReadError, PutStatusError, putBody, type UploadBody } from './put-body.js';

export { BodyReadError, type UploadBody };

export interface ArtifactUpload {
  readonly artifacts: RunArtifacts;
  readonly name: string;
  /** The file to publish (a SandboxFile, or the task log). */
  readonly source: UploadBody;
  readonly contentType: string;
  readonly contentEncoding: 'gzip' | 'identity';
  readonly expires: string;
  readonly signal: AbortSignal;
  /** Where the compressed copy is written; it is deleted afterwards. */
  readonly tempDir: string;
  readonly workerLog?: Logger;
  /** Attempts of the PUT (default 5) and the first backoff delay (default 250 ms, doubling). */
  readonly attempts?: number;
  readonly baseDelayMs?: number;
}

export interface UploadResult {
  /** Bytes of the original file (the artifact's contentLength). */
  readonly size: number;
  /** Bytes sent (after compression). */
  readonly sentBytes: number;
}

/** A URL that expires within this margin is replaced before the PUT starts. */
const expiryMarginMs = 30_000;

export async function uploadArtifact(upload: ArtifactUpload): Promise<UploadResult> {
  const { signal } = upload;
  const attempts = upload.attempts ?? 5;
  const baseDelayMs = upload.baseDelayMs ?? 250;
  let tempFile: string | undefined;
  try {
    let body = upload.source;
    if (upload.contentEncoding === 'gzip') {
      tempFile = join(upload.tempDir, `upload-${randomUUID()}.gz`);
      body = await compress(upload.source, tempFile, signal);
    }
    const headers: Record<string, string> = {
      'content-type': upload.contentType,
      ...(upload.contentEncoding === 'gzip' ? { 'content-encoding': 'gzip' } : {}),
    };
    let target: PutTarget | undefined;
    for (let attempt = 1; ; attempt++) {
      signal.throwIfAborted();
      if (!target || target.expiresAt - Date.now() < expiryMarginMs) target = await createS3Artifact(upload);
      try {
        await putBody(target.putUrl, body, headers, signal);
        return { size: upload.source.size, sentBytes: body.size };
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        if (error instanceof BodyReadError) throw error;
        const status = error instanceof PutStatusError ? error.statusCode : undefined;
        // 403/400 from storage mean a signature it no longer accepts (expired URL): ask for a fresh one.
        if (status === 403 || status === 400) target = undefined;
        else if (status !== undefined && status < 500 && status !== 408 && status !== 429) throw error;
        if (attempt >= attempts)
          throw new ResourceUnavailableError(
            `uploading artifact ${upload.name} failed after ${attempts} attempts: ${messageOf(error)}`,
            { cause: error },
          );
        const delay = Math.min(baseDelayMs * 2 ** (attempt - 1), 10_000) * (0.75 + Math.random() / 2);
        upload.workerLog?.warn(
          { artifact: upload.name, attempt, delay, err: error },
          'artifact upload retry',
        );
        await sleep(delay, undefined, { signal }).catch(() => signal.throwIfAborted());
      }
    }
  } finally {
    if (tempFile) await rm(tempFile, { force: true });
  }
}

/** Creates an `error` artifact in place of a file that could not be published. */
export async function createErrorArtifact(
  artifacts: RunArtifacts,
  name: string,
  error: { reason: Extract<CreateArtifactRequest, { storageType: 'error' }>['reason']; message: string },
  expires: string,
): Promise<void> {
  await callQueue(() =>
    artifacts.createArtifact(name, {
      storageType: 'error',
      reason: error.reason,
      message: error.message.slice(0, 4096),
      expires,
    }),
  );
}

interface PutTarget {
  readonly putUrl: string;
  readonly expiresAt: number;
}

async function createS3Artifact(upload: ArtifactUpload): Promise<PutTarget> {
  const response: CreateArtifactResponse = await callQueue(() =>
    upload.artifacts.createArtifact(upload.name, {
      storageType: 's3',
      contentType: upload.contentType,
      contentLength: upload.source.size,
      expires: upload.expires,
    }),
  );
  if (response.storageType !== 's3')
    throw new Error(`createArtifact answered storageType ${response.storageType} to an s3 request`);
  const expiresAt = Date.parse(response.expires);
  // An unparsable expiry is not worth failing over: use the URL once.
  return { putUrl: response.putUrl, expiresAt: Number.isNaN(expiresAt) ? Infinity : expiresAt };
}

/** The queue client retries 5xx itself; what is left of them is storage we could not get past. */
async function callQueue<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof QueueRequestError && error.statusCode >= 500)
      throw new ResourceUnavailableError(`the queue answered ${error.statusCode}: ${error.message}`, {
        cause: error,
      });
    throw error;
  }
}

async function compress(source: UploadBody, path: string, signal: AbortSignal): Promise<UploadBody> {
  try {
    await pipeline(source.open(), createGzip({ level: zlib.Z_BEST_SPEED }), createWriteStream(path), {
      signal,
    });
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw new BodyReadError(error);
  }
  const { size } = await stat(path);
  return { size, open: () => createReadStream(path) };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
