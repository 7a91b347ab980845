// The worker-config keys under `artifacts` (schemas/config/artifacts.yml), read by every plugin that uploads,
// so that the task's artifacts and the backing log go the same way.
import type { ArtifactsConfig } from '../generated/config/artifacts.js';

export type StorageType = 's3' | 'object';

export interface UploadSettings {
  readonly storageType: StorageType;
  /** Files of one task uploaded at the same time. */
  readonly uploadConcurrency: number;
  /** zlib level for gzip-encoded bodies (1 fastest .. 9 smallest). */
  readonly gzipLevel: number;
}

export const defaultUploadSettings: UploadSettings = {
  storageType: 's3',
  uploadConcurrency: 10,
  gzipLevel: 1,
};

/**
 * The settings of a worker config. The config is validated against the composed schema (which fills the
 * defaults) only when the artifacts plugin is enabled, so anything missing or unusable falls back here.
 */
export function uploadSettingsFrom(config: Record<string, unknown>): UploadSettings {
  const part = (config as ArtifactsConfig).artifacts;
  if (typeof part !== 'object' || part === null) return defaultUploadSettings;
  const int = (value: unknown, min: number, max: number, fallback: number): number =>
    typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max ? value : fallback;
  return {
    storageType: part.storageType === 'object' ? 'object' : 's3',
    uploadConcurrency: int(part.uploadConcurrency, 1, 100, defaultUploadSettings.uploadConcurrency),
    gzipLevel: int(part.gzipLevel, 1, 9, defaultUploadSettings.gzipLevel),
  };
}
