// The stored shape of an artifact and the real queue's rule for repeating a createArtifact call.
import { isDeepStrictEqual } from 'node:util';

export type StorageType = 's3' | 'object' | 'reference' | 'link' | 'error';

export interface ArtifactRecord {
  taskId: string;
  runId: number;
  name: string;
  storageType: StorageType;
  contentType: string;
  /** Per storage type: s3 `{key}`, reference `{url}`, link `{artifact}`, error `{reason, message}`. */
  details: Record<string, unknown>;
  /** Whether the artifact can be fetched (object artifacts become present on finishArtifact). */
  present: boolean;
  expires: string;
}

/** What listArtifacts and artifactInfo show of an artifact, in the real field order. */
export interface ArtifactView {
  storageType: StorageType;
  name: string;
  expires: string;
  contentType: string;
}

export const artifactView = (artifact: ArtifactRecord): ArtifactView => ({
  storageType: artifact.storageType,
  name: artifact.name,
  expires: artifact.expires,
  contentType: artifact.contentType,
});

/**
 * Whether a second createArtifact may stand in for the first: same content type (links have none that
 * matters), `expires` extended but never shortened, same details except that a reference may change its
 * URL or become a link (the live log becomes a link to the backing log at the end of a run).
 */
export const compatibleArtifactCalls = (
  original: ArtifactRecord,
  next: Pick<ArtifactRecord, 'storageType' | 'contentType' | 'details' | 'expires'>,
): boolean => {
  if (next.storageType !== 'link' && original.contentType !== next.contentType) return false;
  if (Date.parse(original.expires) > Date.parse(next.expires)) return false;
  if (original.storageType === next.storageType) {
    return next.storageType === 'reference' || isDeepStrictEqual(original.details, next.details);
  }
  return original.storageType === 'reference' && next.storageType === 'link';
};
