// An `s3` artifact: createArtifact answers a presigned putUrl, and the bytes are PUT there. The artifact
// exists from createArtifact on; there is nothing to finish.
import type { RunArtifacts } from '../queue/types.js';
import { callQueue } from './queue-call.js';
import { putWithRetries, expiryOf, type PutOutcome, type PutTarget } from './put-with-retries.js';
import type { StorageUpload } from './storage-upload.js';
import type { ContentEncoding } from './upload-body.js';

export interface S3Artifact {
  readonly artifacts: RunArtifacts;
  readonly name: string;
  readonly contentType: string;
  readonly encoding: ContentEncoding;
  /** Bytes of the original file: what a download yields once decoded. Unknown when created early. */
  readonly size?: number;
  readonly expires: string;
}

/** createArtifact for the artifact: where (and with which headers) its bytes go. */
export async function newS3Target(artifact: S3Artifact): Promise<PutTarget> {
  const headers: Record<string, string> = {
    'content-type': artifact.contentType,
    ...(artifact.encoding === 'gzip' ? { 'content-encoding': 'gzip' } : {}),
  };
  const response = await callQueue(`createArtifact ${artifact.name}`, () =>
    artifact.artifacts.createArtifact(artifact.name, {
      storageType: 's3',
      contentType: artifact.contentType,
      ...(artifact.size !== undefined ? { contentLength: artifact.size } : {}),
      expires: artifact.expires,
    }),
  );
  if (response.storageType !== 's3')
    throw new Error(`createArtifact answered storageType ${response.storageType} to an s3 request`);
  return { url: response.putUrl, headers, expiresAt: expiryOf(response.expires) };
}

/** `firstTarget`: a createArtifact already under way (made while the body was prepared). */
export async function uploadToS3(
  upload: StorageUpload,
  firstTarget?: Promise<PutTarget>,
): Promise<PutOutcome> {
  const { prepared } = upload;
  const artifact: S3Artifact = { ...upload, encoding: prepared.encoding };
  return putWithRetries({
    name: upload.name,
    body: prepared.body,
    hash: prepared.sha256 === undefined,
    newTarget: () => newS3Target(artifact),
    ...(firstTarget ? { firstTarget } : {}),
    policy: upload.policy,
    signal: upload.signal,
    ...(upload.workerLog ? { workerLog: upload.workerLog } : {}),
  });
}
