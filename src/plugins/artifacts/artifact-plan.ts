// Turns the payload's `artifacts` into what will be published, with every default applied, and finds the
// problems that make the payload malformed before the task runs: bad expiries, names that are not valid
// artifact names, and one name given to two files with different content types, encodings or expiries.
import { posix } from 'node:path';
import { artifactNameProblem } from '../../artifact-upload/artifact-name.js';
import { contentTypeFor, defaultContentEncoding } from '../../artifact-upload/content-type.js';
import type { ContentEncoding } from '../../artifact-upload/upload-body.js';
import type { Artifact } from '../../generated/payload/artifacts.js';
import type { TaskDefinition } from '../../generated/queue/task-definition.js';

export interface PlannedArtifact {
  /** Position in `payload.artifacts`. */
  readonly index: number;
  /** The payload field it came from, for messages (`payload.artifacts[0]`, `payload.artifacts["name"]`). */
  readonly field: string;
  readonly type: Artifact['type'];
  /** Relative to the task directory, as the payload gave it. */
  readonly path: string;
  /** The artifact name (for a directory, the prefix of its files' names). */
  readonly name: string;
  readonly expires: string;
  readonly contentType?: string;
  readonly contentEncoding?: ContentEncoding;
  readonly optional: boolean;
}

export interface ArtifactPlan {
  readonly artifacts: readonly PlannedArtifact[];
  /** Malformed-payload problems, each naming the field. */
  readonly problems: readonly string[];
}

/** What an artifact of `entry` stored from `path` looks like: two files with one name must agree on it. */
export interface ArtifactAttributes {
  readonly contentType: string;
  readonly contentEncoding: ContentEncoding;
  readonly expires: string;
}

export function attributesOf(entry: PlannedArtifact, path: string): ArtifactAttributes {
  return {
    contentType: entry.contentType ?? contentTypeFor(path),
    contentEncoding: entry.contentEncoding ?? defaultContentEncoding(path),
    expires: entry.expires,
  };
}

/** The attributes in which `a` and `b` differ, by name (empty when they agree). */
export function differences(a: ArtifactAttributes, b: ArtifactAttributes): string[] {
  const different: string[] = [];
  if (a.contentType !== b.contentType) different.push(`contentType (${a.contentType} / ${b.contentType})`);
  if (a.contentEncoding !== b.contentEncoding)
    different.push(`contentEncoding (${a.contentEncoding} / ${b.contentEncoding})`);
  if (Date.parse(a.expires) !== Date.parse(b.expires))
    different.push(`expires (${a.expires} / ${b.expires})`);
  return different;
}

/** A path as the task directory sees it: `./a//b/` is `a/b`. */
export function normalizePath(path: string): string {
  const normal = posix.normalize(path);
  return normal.length > 1 ? normal.replace(/\/+$/, '') : normal;
}

/**
 * `fields` names each entry's payload field in messages (docker-worker's map is keyed by name); by default
 * `payload.artifacts[<index>]`.
 */
export function planArtifacts(
  entries: readonly Artifact[],
  task: TaskDefinition,
  fields?: readonly string[],
): ArtifactPlan {
  const problems: string[] = [];
  const deadline = Date.parse(task.deadline);
  const taskExpires = Date.parse(task.expires);
  const artifacts = entries.map((entry, index): PlannedArtifact => {
    const field = fields?.[index] ?? `payload.artifacts[${index}]`;
    if (entry.expires !== undefined) {
      const expires = Date.parse(entry.expires);
      if (expires < deadline)
        problems.push(`${field}.expires (${entry.expires}) is before the task deadline (${task.deadline})`);
      else if (expires > taskExpires)
        problems.push(`${field}.expires (${entry.expires}) is after the task expiry (${task.expires})`);
    }
    if (entry.path.includes('\0')) problems.push(`${field}.path contains a NUL character`);
    const name = nameOf(entry, field, problems);
    return {
      index,
      field,
      type: entry.type,
      path: entry.path,
      name,
      expires: entry.expires ?? task.expires,
      ...(entry.contentType !== undefined ? { contentType: entry.contentType } : {}),
      ...(entry.contentEncoding !== undefined ? { contentEncoding: entry.contentEncoding } : {}),
      optional: entry.optional ?? false,
    };
  });
  problems.push(...nameClashes(artifacts));
  return { artifacts, problems };
}

function nameOf(entry: Artifact, field: string, problems: string[]): string {
  if (entry.name !== undefined) {
    // A directory's name is a prefix: `dir/` and `dir` name the same artifacts.
    const name =
      entry.type === 'directory' && entry.name.length > 1 ? entry.name.replace(/\/+$/, '') : entry.name;
    const problem = artifactNameProblem(name);
    if (problem)
      problems.push(`${field}.name ${JSON.stringify(entry.name)} is not a valid artifact name: ${problem}`);
    return name;
  }
  // The default is the path as the task directory sees it (generic-worker cleans it the same way).
  const name = normalizePath(entry.path);
  const problem = artifactNameProblem(name);
  if (problem)
    problems.push(
      `${field} needs a name: its path ${JSON.stringify(entry.path)} is not a valid artifact name (${problem})`,
    );
  return name;
}

/** File artifacts with one name must describe the same artifact (their content is compared after the task). */
function nameClashes(artifacts: readonly PlannedArtifact[]): string[] {
  const problems: string[] = [];
  const first = new Map<string, PlannedArtifact>();
  for (const artifact of artifacts) {
    if (artifact.type !== 'file') continue;
    const earlier = first.get(artifact.name);
    if (!earlier) {
      first.set(artifact.name, artifact);
      continue;
    }
    const different = differences(attributesOf(earlier, earlier.path), attributesOf(artifact, artifact.path));
    if (different.length > 0)
      problems.push(
        `${earlier.field} and ${artifact.field} both publish ` +
          `${JSON.stringify(artifact.name)}, with different ${different.join(', ')}`,
      );
  }
  return problems;
}
