// What a run has uploaded: name, sizes and SHA-256 of each artifact, for whoever needs them later in the run
// (the chain-of-trust certificate lists every artifact's digest). Kept per run, keyed by the run's artifact
// calls (one object per run, swapped credentials and all), so no plugin needs to know another.
import type { RunArtifacts } from '../queue/types.js';
import type { StorageType } from './upload-settings.js';
import type { ContentEncoding } from './upload-body.js';

export interface UploadedArtifact {
  readonly name: string;
  /** Bytes of the original file (the artifact's content length). */
  readonly size: number;
  /** Bytes sent (after compression). */
  readonly sentBytes: number;
  /** Hex SHA-256 of the original file's bytes. */
  readonly sha256: string;
  readonly contentType: string;
  readonly contentEncoding: ContentEncoding;
  readonly storageType: StorageType;
  readonly expires: string;
  readonly durationMs: number;
}

export class UploadRecord {
  readonly #entries = new Map<string, UploadedArtifact>();

  add(entry: UploadedArtifact): void {
    this.#entries.set(entry.name, entry);
  }

  get(name: string): UploadedArtifact | undefined {
    return this.#entries.get(name);
  }

  /** Every upload so far, by name. */
  entries(): UploadedArtifact[] {
    return [...this.#entries.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}

const records = new WeakMap<RunArtifacts, UploadRecord>();

/** The record of the run these artifact calls belong to (created on first use). */
export function uploadRecordOf(artifacts: RunArtifacts): UploadRecord {
  let record = records.get(artifacts);
  if (!record) records.set(artifacts, (record = new UploadRecord()));
  return record;
}
