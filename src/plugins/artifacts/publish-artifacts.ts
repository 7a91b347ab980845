// Publishes the planned artifacts from a finished task's ResultSet: each file as an s3 artifact, each file
// that cannot be published as an error artifact. Decides whether the task fails for it.
import { posix } from 'node:path';
import { contentTypeFor, defaultContentEncoding } from '../../artifact-upload/content-type.js';
import { BodyReadError, createErrorArtifact, uploadArtifact } from '../../artifact-upload/upload-artifact.js';
import type { ResultSet } from '../../engines/types.js';
import { ArtifactSourceError, TaskFailureError, type ArtifactErrorReason } from '../../errors.js';
import type { TaskContext } from '../types.js';
import type { PlannedArtifact } from './artifact-plan.js';

/** Files uploaded at the same time (each one streams; more would only compete for the same link). */
const concurrency = 4;

interface FileJob {
  readonly artifact: PlannedArtifact;
  readonly name: string;
  readonly path: string;
}

export async function publishArtifacts(
  ctx: TaskContext,
  planned: readonly PlannedArtifact[],
  result: ResultSet,
  signal: AbortSignal,
): Promise<void> {
  const missingRequired: string[] = [];
  const errors: unknown[] = [];
  const published = new Set<string>();

  const refuse = async (
    artifact: PlannedArtifact,
    name: string,
    error: ArtifactSourceError,
  ): Promise<void> => {
    await publishError(ctx, artifact, name, error.reason, error.message);
    if (artifact.optional) ctx.log.warn(`Optional artifact ${name} not published: ${error.message}`);
    else {
      ctx.log.error(`Artifact ${name} not published: ${error.message}`);
      missingRequired.push(`${name} (${error.reason})`);
    }
  };

  // Directories are listed first, so that each file becomes one job of the same queue.
  const jobs: FileJob[] = [];
  for (const artifact of planned) {
    if (artifact.type === 'file') {
      jobs.push({ artifact, name: artifact.name, path: artifact.path });
      continue;
    }
    try {
      for (const rel of await result.walkDir(artifact.path))
        jobs.push({ artifact, name: `${artifact.name}/${rel}`, path: posix.join(artifact.path, rel) });
    } catch (error) {
      if (!(error instanceof ArtifactSourceError)) throw error;
      await refuse(artifact, artifact.name, error);
    }
  }

  const publishOne = async ({ artifact, name, path }: FileJob): Promise<void> => {
    if (ctx.reservedArtifacts.has(name)) {
      ctx.log.warn(`Artifact name ${name} is reserved for the worker; the task's ${path} is not published`);
      return;
    }
    if (published.has(name)) {
      ctx.log.warn(`Artifact ${name} is named twice; only the first (${path} skipped) is published`);
      return;
    }
    published.add(name);
    try {
      const file = await result.readFile(path);
      const contentType = artifact.contentType ?? contentTypeFor(path);
      const contentEncoding = artifact.contentEncoding ?? defaultContentEncoding(path);
      ctx.log.info(
        `Uploading artifact ${name} from ${path} (${file.size} bytes, ${contentType}, ${contentEncoding}, expires ${artifact.expires})`,
      );
      await uploadArtifact({
        artifacts: ctx.artifacts,
        name,
        source: file,
        contentType,
        contentEncoding,
        expires: artifact.expires,
        signal,
        tempDir: ctx.scratchDir,
        workerLog: ctx.workerLog,
      });
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      if (error instanceof ArtifactSourceError) return refuse(artifact, name, error);
      if (error instanceof BodyReadError)
        return refuse(artifact, name, new ArtifactSourceError('file-not-readable-on-worker', error.message));
      ctx.log.error(
        `Artifact ${name} could not be uploaded: ${error instanceof Error ? error.message : String(error)}`,
      );
      errors.push(error);
    }
  };

  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, jobs.length) }, async () => {
      while (next < jobs.length) await publishOne(jobs[next++]!);
    }),
  );

  // Trouble with storage outweighs a missing file (the resolution rules weigh them).
  if (errors.length > 0) throw errors[0];
  if (missingRequired.length > 0)
    throw new TaskFailureError(`required artifacts could not be published: ${missingRequired.join(', ')}`);
}

async function publishError(
  ctx: TaskContext,
  artifact: PlannedArtifact,
  name: string,
  reason: ArtifactErrorReason,
  message: string,
): Promise<void> {
  if (ctx.reservedArtifacts.has(name)) return;
  await createErrorArtifact(ctx.artifacts, name, { reason, message }, artifact.expires);
}
