// An `object` artifact: createArtifact answers an object name, an uploadId and credentials for the object
// service; the upload is negotiated there (createUpload: a putUrl, or the data inline for tiny files), the
// bytes are PUT, finishUpload records their SHA-256, and finishArtifact makes the artifact visible.
// createArtifact is called once: a second call would lock in a different uploadId (the real queue makes a
// new one each time). An expired putUrl is renewed with createUpload, which the service allows for the same
// uploadId; the credentials last until the artifact expires or a day, whichever comes first.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { ResourceUnavailableError } from '../errors.js';
import type { CreateUploadResponse, ObjectClientFactory } from './object-client.js';
import { BodyReadError, type UploadBody } from './put-body.js';
import { putWithRetries, expiryOf, type PutOutcome, type PutTarget } from './put-with-retries.js';
import { callQueue, isTransient, messageOf } from './queue-call.js';
import type { StorageUpload } from './storage-upload.js';

/** Bodies below this size are offered inline (base64 in the createUpload call), as taskcluster-client does. */
export const dataInlineMaxSize = 8192;

export interface ObjectServiceTarget {
  readonly rootUrl: string;
  readonly client: ObjectClientFactory;
}

export async function uploadToObjectService(
  upload: StorageUpload,
  service: ObjectServiceTarget,
): Promise<PutOutcome> {
  const { name, signal, contentType, prepared } = upload;
  const created = await callQueue(`createArtifact ${name}`, () =>
    upload.artifacts.createArtifact(name, { storageType: 'object', contentType, expires: upload.expires }),
  );
  if (created.storageType !== 'object')
    throw new Error(`createArtifact answered storageType ${created.storageType} to an object request`);
  const { projectId, uploadId } = created;
  const client = service.client(service.rootUrl, created.credentials);
  const call = <T>(what: string, request: () => Promise<T>): Promise<T> =>
    untilAborted(objectCall(`${what} ${name}`, request), signal);

  const body = prepared.body;
  const inline = body.size < dataInlineMaxSize ? await readAll(body) : undefined;
  const negotiate = (): Promise<CreateUploadResponse> =>
    call('createUpload', () =>
      client.createUpload(created.name, {
        projectId,
        uploadId,
        // Must be the expiry the queue locked the upload in with.
        expires: created.expires,
        proposedUploadMethods: {
          putUrl: { contentType, contentLength: body.size },
          ...(inline ? { dataInline: { contentType, objectData: inline.toString('base64') } } : {}),
        },
      }),
    );

  const inlineSha256 = inline ? createHash('sha256').update(inline).digest('hex') : undefined;
  let offered = await negotiate();
  let outcome: PutOutcome;
  if (offered.uploadMethod.dataInline && inline) {
    outcome = { attempts: 1 };
  } else if (offered.uploadMethod.putUrl) {
    let fresh = true;
    // The first target is the one just negotiated; each later one renews the URL for the same uploadId.
    const newTarget = async (): Promise<PutTarget> => {
      if (!fresh) offered = await negotiate();
      fresh = false;
      const method = offered.uploadMethod.putUrl;
      if (!method) throw new Error(`the object service no longer offers a putUrl for ${name}`);
      return { url: method.url, headers: method.headers, expiresAt: expiryOf(method.expires) };
    };
    outcome = await putWithRetries({
      name,
      body: inline ? { size: inline.length, open: () => Readable.from([inline]) } : body,
      hash: prepared.sha256 === undefined && inlineSha256 === undefined,
      newTarget,
      policy: upload.policy,
      signal,
      ...(upload.workerLog ? { workerLog: upload.workerLog } : {}),
    });
  } else {
    throw new Error(`the object service accepted none of the proposed upload methods for ${name}`);
  }

  // Identity bodies hash while they are sent; a compressed one was hashed while it was compressed.
  const sha256 = prepared.sha256 ?? inlineSha256 ?? outcome.sha256;
  if (sha256 === undefined) throw new Error(`no SHA-256 was computed for ${name}`);
  await call('finishUpload', () =>
    client.finishUpload(created.name, { projectId, uploadId, hashes: { sha256 } }),
  );
  await callQueue(`finishArtifact ${name}`, () => upload.artifacts.finishArtifact(name, uploadId));
  return { ...outcome, sha256 };
}

async function objectCall<T>(what: string, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    if (isTransient(error))
      throw new ResourceUnavailableError(`${what} failed: ${messageOf(error)}`, { cause: error });
    throw new Error(`${what} failed: ${messageOf(error)}`, { cause: error });
  }
}

/** taskcluster-client cannot cancel a call: stop waiting for it when the signal aborts. */
async function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  signal.throwIfAborted();
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  promise.catch(() => undefined); // an abandoned call's failure is of no interest
  try {
    return await Promise.race([promise, aborted]);
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}

async function readAll(body: UploadBody): Promise<Buffer> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of body.open()) chunks.push(chunk as Buffer);
  } catch (error) {
    throw new BodyReadError(error);
  }
  const data = Buffer.concat(chunks);
  if (data.length !== body.size)
    throw new BodyReadError(new Error(`read ${data.length} bytes instead of the ${body.size} announced`));
  return data;
}
