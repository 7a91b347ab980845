// Turns the payload's `artifacts` into what will be published, with every default applied, and finds the
// problems that make the payload malformed (checked before the task runs, not after).
import type { Artifact } from '../../generated/payload/artifacts.js';
import type { TaskDefinition } from '../../generated/queue/task-definition.js';

export interface PlannedArtifact {
  readonly type: Artifact['type'];
  /** Relative to the task directory, as the payload gave it. */
  readonly path: string;
  /** The artifact name (a name prefix for a directory). */
  readonly name: string;
  readonly expires: string;
  readonly contentType?: string;
  readonly contentEncoding?: 'identity' | 'gzip';
  readonly optional: boolean;
}

export interface ArtifactPlan {
  readonly artifacts: readonly PlannedArtifact[];
  /** Malformed-payload problems, each naming the field. */
  readonly problems: readonly string[];
}

export function planArtifacts(entries: readonly Artifact[], task: TaskDefinition): ArtifactPlan {
  const problems: string[] = [];
  const deadline = Date.parse(task.deadline);
  const taskExpires = Date.parse(task.expires);
  const artifacts = entries.map((entry, index): PlannedArtifact => {
    const field = `payload.artifacts[${index}]`;
    if (entry.expires !== undefined) {
      const expires = Date.parse(entry.expires);
      if (expires < deadline)
        problems.push(`${field}.expires (${entry.expires}) is before the task deadline (${task.deadline})`);
      else if (expires > taskExpires)
        problems.push(`${field}.expires (${entry.expires}) is after the task expiry (${task.expires})`);
    }
    return {
      type: entry.type,
      path: entry.path,
      // A directory's name is a prefix: `dir/` and `dir` name the same artifacts.
      name: (entry.name ?? entry.path).replace(/\/+$/, '') || entry.path,
      expires: entry.expires ?? task.expires,
      ...(entry.contentType !== undefined ? { contentType: entry.contentType } : {}),
      ...(entry.contentEncoding !== undefined ? { contentEncoding: entry.contentEncoding } : {}),
      optional: entry.optional ?? false,
    };
  });
  return { artifacts, problems };
}
