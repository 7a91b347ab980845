// The object service's calls (createUpload, finishUpload, startDownload, object metadata) with the real
// service's rules: the first createUpload locks in uploadId, projectId and expires; hashes may be added but
// never changed; finishUpload makes the object immutable and downloadable. Unlike the real service, which
// trusts the uploader, finishUpload also checks the stored bytes against the sha256/sha512 given.
import { Readable } from 'node:stream';
import type { CreateUploadRequest } from '../../generated/object/create-upload-request.js';
import type { CreateUploadResponse } from '../../generated/object/create-upload-response.js';
import type { DownloadObjectResponse } from '../../generated/object/download-object-response.js';
import type { FinishUploadRequest } from '../../generated/object/finish-upload-request.js';
import type { GetObjectResponse } from '../../generated/object/get-object-response.js';
import type { ObjectHashes } from '../../generated/object/object-hashes.js';
import { digestBlob } from '../blobs/blob-digest.js';
import { conflict, inputError, notFound, QueueError } from '../errors.js';
import type { StorageTx } from '../storage/types.js';
import { DAY, iso, SECOND } from '../time.js';
import { mutate, read, type QueueContext } from './context.js';
import {
  ACCEPTED_HASHES,
  isFinished,
  isLive,
  mergeHashes,
  objectBlobKey,
  type ObjectRecord,
} from './object-model.js';

/** How long an unfinished upload is kept, as on a real deployment. */
const UPLOAD_LIFETIME = DAY;
/** Download methods in the order of preference. */
const DOWNLOAD_METHODS = ['simple', 'getUrl'] as const;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export interface BeginUpload {
  name: string;
  projectId: string;
  uploadId: string;
  expires: number;
  hashes?: ObjectHashes | undefined;
}

/** Starts an upload, or confirms the one in progress (same uploadId, projectId and expires). */
export async function beginUpload(tx: StorageTx, upload: BeginUpload, now: number): Promise<ObjectRecord> {
  const { name, projectId, uploadId, expires } = upload;
  const existing = await tx.getObject(name);
  const live = existing && isLive(existing, now) ? existing : undefined;
  if (
    live &&
    (isFinished(live) ||
      live.uploadId !== uploadId ||
      live.projectId !== projectId ||
      Date.parse(live.expires) !== expires)
  ) {
    throw conflict('Object already exists', { name, projectId });
  }
  const base: ObjectRecord = live ?? {
    name,
    projectId,
    uploadId,
    uploadExpires: iso(now + UPLOAD_LIFETIME),
    expires: iso(expires),
    hashes: {},
  };
  const merged = mergeHashes(base.hashes, upload.hashes);
  if ('conflict' in merged) throw conflict('Content hash already exists with a different value', { name });
  const object = { ...base, hashes: merged.hashes };
  await tx.putObject(object);
  return object;
}

export async function createUpload(
  ctx: QueueContext,
  name: string,
  request: CreateUploadRequest,
): Promise<CreateUploadResponse> {
  const { projectId, uploadId, proposedUploadMethods: proposed } = request;
  await mutate(ctx, (tx, _fx, now) =>
    beginUpload(
      tx,
      { name, projectId, uploadId, expires: Date.parse(request.expires), hashes: request.hashes },
      now,
    ),
  );
  const key = objectBlobKey(name);
  let uploadMethod: CreateUploadResponse['uploadMethod'] = {};
  // Inline data first, as the real service's S3 backend prefers: it is stored at once, with no URL to use.
  if (proposed.dataInline) {
    const { contentType, objectData } = proposed.dataInline;
    if (!BASE64.test(objectData)) throw inputError('Invalid base64 objectData');
    const data = Buffer.from(objectData, 'base64');
    await ctx.blobStore.put(key, Readable.from([data]), { contentType, contentLength: data.length });
    uploadMethod = { dataInline: true };
  } else if (proposed.putUrl) {
    const { contentType, contentLength } = proposed.putUrl;
    const expires = ctx.clock() + ctx.settings.putUrlLifetimeMs;
    // The URL itself lasts 10 s longer than announced, for clock drift (the real service's margin).
    const url = await ctx.blobUrls.putUrl(key, contentType, expires + 10 * SECOND);
    uploadMethod = {
      putUrl: {
        url,
        expires: iso(expires),
        headers: { 'Content-Type': contentType, 'Content-Length': String(contentLength) },
      },
    };
  }
  ctx.logger.info({ name, projectId, method: Object.keys(uploadMethod)[0] ?? 'none' }, 'object upload begun');
  return { projectId, uploadId, expires: request.expires, uploadMethod };
}

/** 'finished' when the call repeats an earlier finish (and is consistent with it); throws when refused. */
function checkFinish(
  object: ObjectRecord | undefined,
  name: string,
  request: FinishUploadRequest,
  now: number,
): 'open' | 'finished' {
  const { projectId, uploadId } = request;
  if (!object || !isLive(object, now)) throw notFound(`Object "${name}" not found`, { name });
  if (object.projectId !== projectId) {
    throw inputError(`Object "${name}" does not have projectId ${projectId}`, { name, projectId });
  }
  if (isFinished(object)) {
    for (const [algorithm, hash] of Object.entries(request.hashes ?? {})) {
      const known = object.hashes[algorithm];
      if (known === undefined) {
        throw conflict(`Object "${name}" is already finished, but without hash algorithm ${algorithm}`);
      }
      if (known !== hash) {
        throw conflict(
          `Object "${name}" is already finished, but with a different hash for algorithm ${algorithm}`,
        );
      }
    }
    return 'finished';
  }
  if (object.uploadId !== uploadId) {
    throw conflict(`Object "${name}" does not have uploadId ${uploadId}`, { name, uploadId });
  }
  return 'open';
}

export async function finishUpload(
  ctx: QueueContext,
  name: string,
  request: FinishUploadRequest,
): Promise<void> {
  const object = await read(ctx, (tx) => tx.getObject(name));
  if (checkFinish(object, name, request, ctx.clock()) === 'finished' || !object) return;
  const merged = mergeHashes(object.hashes, request.hashes);
  if ('conflict' in merged) throw conflict('Content hash already exists with a different value', { name });

  // Read the bytes back (outside any transaction: this may take a while) and hold them to their hashes.
  const digest = await digestBlob(ctx.blobStore, objectBlobKey(name));
  if (!digest) throw inputError(`No data has been uploaded for object "${name}"`, { name });
  for (const algorithm of ACCEPTED_HASHES) {
    const expected = merged.hashes[algorithm];
    if (expected !== undefined && expected !== digest[algorithm]) {
      throw inputError(
        `The uploaded data of object "${name}" does not match the ${algorithm} hash given ` +
          `(${expected}); the data hashes to ${digest[algorithm]}`,
        { name, algorithm },
      );
    }
  }

  await mutate(ctx, async (tx, _fx, now) => {
    // Someone may have finished it meanwhile: check again against what is stored now.
    const current = await tx.getObject(name);
    if (checkFinish(current, name, request, now) === 'finished' || !current) return;
    const hashes = mergeHashes(current.hashes, request.hashes);
    if ('conflict' in hashes) throw conflict('Content hash already exists with a different value', { name });
    await tx.putObject({ ...current, uploadId: null, hashes: hashes.hashes });
  });
  ctx.logger.info({ name, size: digest.size }, 'object upload finished');
}

/** A finished object that has not expired, or a 404. */
export async function finishedObject(tx: StorageTx, name: string, now: number): Promise<ObjectRecord> {
  const object = await tx.getObject(name);
  if (!object || !isFinished(object) || Date.parse(object.expires) < now) {
    throw notFound(`Object "${name}" not found`, { name });
  }
  return object;
}

/** The URL a `simple` download (and the queue's getArtifact redirect) points at. */
export async function objectDownloadUrl(
  ctx: QueueContext,
  name: string,
): Promise<{ url: string; expires: number }> {
  const expires = ctx.clock() + ctx.settings.getUrlLifetimeMs;
  return { url: await ctx.blobUrls.getUrl(objectBlobKey(name), expires), expires };
}

export async function startDownload(
  ctx: QueueContext,
  name: string,
  accepted: Record<string, unknown>,
): Promise<DownloadObjectResponse> {
  const object = await read(ctx, (tx, now) => finishedObject(tx, name, now));
  const method = DOWNLOAD_METHODS.find((m) => m in accepted);
  if (method === undefined) {
    throw new QueueError('NoMatchingMethod', `Object supports methods ${DOWNLOAD_METHODS.join(', ')}`, {
      name,
    });
  }
  const { url, expires } = await objectDownloadUrl(ctx, name);
  if (method === 'simple') return { method, url };
  return { method, url, expires: iso(expires), hashes: object.hashes };
}

export async function objectMetadata(ctx: QueueContext, name: string): Promise<GetObjectResponse> {
  const object = await read(ctx, (tx, now) => finishedObject(tx, name, now));
  return { projectId: object.projectId, expires: object.expires, hashes: object.hashes };
}
