// The upload context of one task run, as every uploading plugin builds it from its TaskContext and the
// worker's `artifacts` settings (so the backing log goes where the task's artifacts go).
import type { TaskContext } from '../plugins/types.js';
import type { ObjectClientFactory } from './object-client.js';
import type { RetryPolicy } from './retry-policy.js';
import type { UploadContext } from './upload-artifact.js';
import type { UploadSettings } from './upload-settings.js';

/** Overrides for tests (fast retries, a fake object service client). */
export interface UploadOverrides {
  readonly retry?: RetryPolicy;
  readonly objectClient?: ObjectClientFactory;
}

export function runUploadContext(
  ctx: TaskContext,
  settings: UploadSettings,
  overrides: UploadOverrides = {},
): UploadContext {
  return {
    artifacts: ctx.artifacts,
    storageType: settings.storageType,
    rootUrl: ctx.worker.rootUrl,
    tempDir: ctx.scratchDir,
    gzipLevel: settings.gzipLevel,
    workerLog: ctx.workerLog,
    ...(overrides.retry ? { retry: overrides.retry } : {}),
    ...(overrides.objectClient ? { objectClient: overrides.objectClient } : {}),
  };
}
