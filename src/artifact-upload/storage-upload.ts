// What the storage-specific uploads (s3, object) get: one prepared body and where it goes.
import type { Logger } from 'pino';
import type { RunArtifacts } from '../queue/types.js';
import type { RetryPolicy } from './retry-policy.js';
import type { PreparedBody } from './upload-body.js';

export interface StorageUpload {
  readonly artifacts: RunArtifacts;
  readonly name: string;
  /** Bytes of the original file. */
  readonly size: number;
  readonly prepared: PreparedBody;
  readonly contentType: string;
  readonly expires: string;
  readonly policy: RetryPolicy;
  readonly signal: AbortSignal;
  readonly workerLog?: Logger;
}
