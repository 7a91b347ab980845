// After the task: lists the files of directory artifacts and turns every planned artifact into one upload
// per artifact name. Names given twice are merged when they describe the same artifact (same attributes;
// same file, or files whose content turns out identical) and are malformed-payload problems otherwise.
import { posix } from 'node:path';
import { artifactNameProblem } from '../../artifact-upload/artifact-name.js';
import type { ResultSet } from '../../engines/types.js';
import { ArtifactSourceError } from '../../errors.js';
import {
  attributesOf,
  differences,
  normalizePath,
  type ArtifactAttributes,
  type PlannedArtifact,
} from './artifact-plan.js';

/** One artifact to upload. */
export interface UploadJob extends ArtifactAttributes {
  readonly name: string;
  /** Normalized path in the task directory. */
  readonly path: string;
  /** The first entry that names it. */
  readonly entry: PlannedArtifact;
  /** Optional only when every entry that names it is. */
  optional: boolean;
  /** Other files published under the same name (their content must equal this one's). */
  readonly alsoFrom: Array<{ readonly entry: PlannedArtifact; readonly path: string }>;
}

/** A directory artifact that could not be listed. */
export interface Refusal {
  readonly name: string;
  readonly entry: PlannedArtifact;
  readonly error: ArtifactSourceError;
}

export interface Expansion {
  readonly jobs: UploadJob[];
  readonly refusals: Refusal[];
  /** Malformed-payload problems (one name, different artifacts). */
  readonly problems: string[];
  /** Files that cannot be published under the name they would get (task log lines). */
  readonly unnamable: Array<{ readonly entry: PlannedArtifact; readonly text: string }>;
  /** Reserved names a task file would take (skipped). */
  readonly reserved: Array<{ readonly name: string; readonly path: string }>;
}

export async function expandArtifacts(
  planned: readonly PlannedArtifact[],
  result: ResultSet,
  reservedNames: ReadonlySet<string>,
): Promise<Expansion> {
  const expansion: Expansion = { jobs: [], refusals: [], problems: [], unnamable: [], reserved: [] };
  const byName = new Map<string, UploadJob>();
  const conflicted = new Set<string>();

  const add = (entry: PlannedArtifact, name: string, path: string): void => {
    const problem = artifactNameProblem(name);
    if (problem) {
      expansion.unnamable.push({
        entry,
        text: `${JSON.stringify(path)} of ${entry.field} cannot be published: its name ${JSON.stringify(name)} is not a valid artifact name (${problem})`,
      });
      return;
    }
    if (reservedNames.has(name)) {
      expansion.reserved.push({ name, path });
      return;
    }
    if (conflicted.has(name)) return;
    const attributes = attributesOf(entry, path);
    const job = byName.get(name);
    if (!job) {
      const created: UploadJob = { name, path, entry, optional: entry.optional, alsoFrom: [], ...attributes };
      byName.set(name, created);
      expansion.jobs.push(created);
      return;
    }
    const different = differences(job, attributes);
    if (different.length > 0) {
      // Two file entries that clash never get here: the plan refused them before the task ran.
      expansion.problems.push(
        `${job.entry.field} and ${entry.field} both publish ` +
          `${JSON.stringify(name)}, with different ${different.join(', ')}`,
      );
      conflicted.add(name);
      return;
    }
    job.optional &&= entry.optional;
    if (path !== job.path) job.alsoFrom.push({ entry, path });
  };

  for (const entry of planned) {
    const path = normalizePath(entry.path);
    if (entry.type === 'file') {
      add(entry, entry.name, path);
      continue;
    }
    let files: string[];
    try {
      files = await result.walkDir(entry.path);
    } catch (error) {
      if (!(error instanceof ArtifactSourceError)) throw error;
      if (reservedNames.has(entry.name)) continue;
      expansion.refusals.push({ name: entry.name, entry, error });
      continue;
    }
    for (const rel of files) add(entry, `${entry.name}/${rel}`, posix.join(path, rel));
  }
  // A conflicted name is not published at all: which of the two would be right?
  const jobs = expansion.jobs.filter((job) => !conflicted.has(job.name));
  expansion.jobs.length = 0;
  expansion.jobs.push(...jobs);
  return expansion;
}
