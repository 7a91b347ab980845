// The stored shape of an object of the object service, and its rules: where its bytes live, how hashes
// accumulate (added, never changed) and when an unfinished upload counts as abandoned.
import type { ObjectHashes } from '../../generated/object/object-hashes.js';

export interface ObjectRecord {
  name: string;
  projectId: string;
  /** The upload in progress; null once finishUpload made the object immutable and downloadable. */
  uploadId: string | null;
  /** An upload not finished by then is abandoned: the name may be uploaded afresh (ISO). */
  uploadExpires: string;
  expires: string;
  hashes: Record<string, string>;
}

/** Hash algorithms the service checks at finishUpload and downloaders must find at least one of. */
export const ACCEPTED_HASHES = ['sha256', 'sha512'] as const;

/** Objects keep out of the artifact key space (`<taskId>/<runId>/<name>`) whatever their names. */
export const objectBlobKey = (name: string): string => `objects/${name}`;

/** The object behind an `object` artifact; never stored, always derived (as the real queue does). */
export const artifactObjectName = (taskId: string, runId: number, name: string): string =>
  `t/${taskId}/${runId}/${name}`;

export const isFinished = (object: ObjectRecord): boolean => object.uploadId === null;

/** An object that exists for callers: finished, or with an upload still in time. */
export const isLive = (object: ObjectRecord, now: number): boolean =>
  isFinished(object) || Date.parse(object.uploadExpires) > now;

/** Adds `added` to `existing`, or names the algorithm whose hash would change. */
export function mergeHashes(
  existing: Record<string, string>,
  added: ObjectHashes | undefined,
): { hashes: Record<string, string> } | { conflict: string } {
  const hashes = { ...existing };
  for (const [algorithm, hash] of Object.entries(added ?? {})) {
    if (hash === undefined) continue;
    const known = hashes[algorithm];
    if (known !== undefined && known !== hash) return { conflict: algorithm };
    hashes[algorithm] = hash;
  }
  return { hashes };
}
