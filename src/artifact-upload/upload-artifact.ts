// Publishes one file as an artifact, in the storage the worker is configured with (`s3` or `object`): the
// body is prepared (gzip through memory or a temporary file, or the file itself), sent with retries, its
// SHA-256 computed on the way, and the upload noted in the run's record.
import type { Logger } from 'pino';
import type { ArtifactErrorReason } from '../errors.js';
import type { RunArtifacts } from '../queue/types.js';
import { taskclusterObjectClient, type ObjectClientFactory } from './object-client.js';
import { uploadToObjectService } from './object-upload.js';
import { BodyReadError, type UploadBody } from './put-body.js';
import { callQueue } from './queue-call.js';
import { defaultRetryPolicy, type RetryPolicy } from './retry-policy.js';
import type { PutTarget } from './put-with-retries.js';
import { newS3Target, uploadToS3 } from './s3-upload.js';
import { prepareBody, type ContentEncoding } from './upload-body.js';
import { uploadRecordOf, type UploadedArtifact } from './upload-record.js';
import { defaultUploadSettings, type StorageType } from './upload-settings.js';

export { BodyReadError, type UploadBody };

/** Where the uploads of one run go, and how. */
export interface UploadContext {
  /** Artifact calls with the run's credentials. */
  readonly artifacts: RunArtifacts;
  /** Default s3. */
  readonly storageType?: StorageType;
  /** The deployment's root URL (the object service is `<rootUrl>/api/object/v1/`); needed for `object`. */
  readonly rootUrl?: string;
  /** Where compressed copies are written (the run's scratch directory); they are deleted afterwards. */
  readonly tempDir: string;
  /** Default 1 (fastest). */
  readonly gzipLevel?: number;
  readonly retry?: RetryPolicy;
  readonly workerLog?: Logger;
  /** How to reach the object service (default: taskcluster-client). */
  readonly objectClient?: ObjectClientFactory;
}

export interface ArtifactUpload extends UploadContext {
  readonly name: string;
  /** The file to publish (a SandboxFile, or the task log). */
  readonly source: UploadBody;
  readonly contentType: string;
  /** Asked for; `object` storage always stores the bytes as they are. */
  readonly contentEncoding: ContentEncoding;
  readonly expires: string;
  readonly signal: AbortSignal;
  /**
   * s3: create the artifact while the body is being read and compressed, saving a round trip. Only for
   * files whose reading cannot fail halfway (the worker's own task log): a task's file that fails to read
   * after createArtifact can no longer be replaced by an error artifact.
   */
  readonly createWhilePreparing?: boolean;
  /** s3: the createArtifact that `createEarly` began for this artifact before its body existed. */
  readonly createdEarly?: Promise<PutTarget>;
}

export type UploadResult = UploadedArtifact & {
  /** PUT attempts it took. */
  readonly attempts: number;
};

/**
 * Uploads one artifact. Throws BodyReadError when the file could not be read (`artifactCreated` tells
 * whether createArtifact was already called, after which no error artifact can replace it),
 * ResourceUnavailableError when storage kept failing, the signal's reason on abort.
 */
export async function uploadArtifact(upload: ArtifactUpload): Promise<UploadResult> {
  const started = performance.now();
  const storageType = upload.storageType ?? defaultUploadSettings.storageType;
  // The object service has no content encoding: a compressed object would be served compressed, its hash
  // would not be the file's. generic-worker stores object artifacts as they are too.
  const encoding = storageType === 'object' ? 'identity' : upload.contentEncoding;
  const early =
    storageType !== 's3'
      ? undefined
      : (upload.createdEarly ??
        (upload.createWhilePreparing
          ? newS3Target({ ...upload, encoding, size: upload.source.size })
          : undefined));
  // Its failure is the PUT's to report; until then it must not count as unhandled.
  early?.catch(() => undefined);
  let prepared;
  try {
    prepared = await prepareBody(upload.source, encoding, {
      tempDir: upload.tempDir,
      gzipLevel: upload.gzipLevel ?? defaultUploadSettings.gzipLevel,
      signal: upload.signal,
    });
  } catch (error) {
    if (early && error instanceof BodyReadError)
      error.artifactCreated = await early.then(
        () => true,
        () => false,
      );
    throw error;
  }
  try {
    const storage = {
      artifacts: upload.artifacts,
      name: upload.name,
      size: upload.source.size,
      prepared,
      contentType: upload.contentType,
      expires: upload.expires,
      policy: upload.retry ?? defaultRetryPolicy,
      signal: upload.signal,
      ...(upload.workerLog ? { workerLog: upload.workerLog } : {}),
    };
    const outcome = await (
      storageType === 'object'
        ? uploadToObjectService(storage, {
            rootUrl: requireRootUrl(upload.rootUrl),
            client: upload.objectClient ?? taskclusterObjectClient,
          })
        : uploadToS3(storage, early)
    ).catch((error: unknown) => {
      if (error instanceof BodyReadError) error.artifactCreated = true;
      throw error;
    });
    const sha256 = prepared.sha256 ?? outcome.sha256;
    if (sha256 === undefined) throw new Error(`no SHA-256 was computed for ${upload.name}`);
    const result: UploadResult = {
      name: upload.name,
      size: upload.source.size,
      sentBytes: prepared.body.size,
      sha256,
      contentType: upload.contentType,
      contentEncoding: prepared.encoding,
      storageType,
      expires: upload.expires,
      durationMs: performance.now() - started,
      attempts: outcome.attempts,
    };
    uploadRecordOf(upload.artifacts).add(result);
    return result;
  } finally {
    await prepared.dispose();
  }
}

/**
 * Begins the createArtifact of an `s3` artifact whose body does not exist yet (the task log, while the run
 * winds down), so that its round trip overlaps that work; pass the result as `createdEarly`. Undefined for
 * other storage types, which cannot be created before the body is known.
 */
export function createEarly(
  upload: Pick<
    ArtifactUpload,
    'artifacts' | 'storageType' | 'name' | 'contentType' | 'contentEncoding' | 'expires'
  >,
): Promise<PutTarget> | undefined {
  if ((upload.storageType ?? defaultUploadSettings.storageType) !== 's3') return undefined;
  const target = newS3Target({ ...upload, encoding: upload.contentEncoding });
  // Its failure is the upload's to report; until then it must not count as unhandled.
  target.catch(() => undefined);
  return target;
}

/** Creates an `error` artifact in place of a file that could not be published. */
export async function createErrorArtifact(
  artifacts: RunArtifacts,
  name: string,
  error: { reason: ArtifactErrorReason; message: string },
  expires: string,
): Promise<void> {
  await callQueue(`createArtifact ${name} (error)`, () =>
    artifacts.createArtifact(name, {
      storageType: 'error',
      reason: error.reason,
      message: error.message.slice(0, 4096),
      expires,
    }),
  );
}

function requireRootUrl(rootUrl: string | undefined): string {
  if (!rootUrl) throw new Error('object storage needs the root URL of the deployment');
  return rootUrl;
}
