// docker-worker's `artifacts`: a map from the artifact name to a file or directory in the container. It maps
// onto the generic list, each entry optional: in docker-worker a missing artifact becomes an error artifact
// and does not fail the task.
import type { Artifact } from '../../generated/payload/artifacts.js';
import type { DockerArtifactsPayload } from '../../generated/payload/docker-artifacts.js';

export interface ArtifactEntries {
  readonly entries: Artifact[];
  /** The payload field of each entry, for messages. */
  readonly fields: string[];
}

export function dockerArtifactEntries(artifacts: DockerArtifactsPayload['artifacts']): ArtifactEntries {
  const entries: Artifact[] = [];
  const fields: string[] = [];
  for (const [name, artifact] of Object.entries(artifacts ?? {})) {
    if (artifact === undefined) continue;
    entries.push({
      type: artifact.type,
      path: artifact.path,
      name,
      ...(artifact.expires !== undefined ? { expires: artifact.expires } : {}),
      optional: true,
    });
    fields.push(`payload.artifacts[${JSON.stringify(name)}]`);
  }
  return { entries, fields };
}
