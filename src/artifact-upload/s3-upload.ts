// An `s3` artifact: createArtifact answers a presigned putUrl, and the bytes are PUT there. The artifact
// exists from createArtifact on; there is nothing to finish.
import { callQueue } from './queue-call.js';
import { putWithRetries, expiryOf, type PutOutcome, type PutTarget } from './put-with-retries.js';
import type { StorageUpload } from './storage-upload.js';

export async function uploadToS3(upload: StorageUpload): Promise<PutOutcome> {
  const { prepared } = upload;
  const headers: Record<string, string> = {
    'content-type': upload.contentType,
    ...(prepared.encoding === 'gzip' ? { 'content-encoding': 'gzip' } : {}),
  };
  const newTarget = async (): Promise<PutTarget> => {
    const response = await callQueue(`createArtifact ${upload.name}`, () =>
      upload.artifacts.createArtifact(upload.name, {
        storageType: 's3',
        contentType: upload.contentType,
        // The original length: what a download yields once decoded.
        contentLength: upload.size,
        expires: upload.expires,
      }),
    );
    if (response.storageType !== 's3')
      throw new Error(`createArtifact answered storageType ${response.storageType} to an s3 request`);
    return { url: response.putUrl, headers, expiresAt: expiryOf(response.expires) };
  };
  return putWithRetries({
    name: upload.name,
    body: prepared.body,
    hash: prepared.sha256 === undefined,
    newTarget,
    policy: upload.policy,
    signal: upload.signal,
    ...(upload.workerLog ? { workerLog: upload.workerLog } : {}),
  });
}
