// Publishes the planned artifacts from a finished task's ResultSet, at most `uploadConcurrency` files at a
// time: each file as an artifact of the configured storage, each file that cannot be published as an
// error artifact. One artifact's trouble never stops the others; the outcome decides how the task ends.
import { messageOf } from '../../artifact-upload/queue-call.js';
import { runUploadContext, type UploadOverrides } from '../../artifact-upload/run-upload-context.js';
import {
  BodyReadError,
  createErrorArtifact,
  uploadArtifact,
  type UploadResult,
} from '../../artifact-upload/upload-artifact.js';
import type { UploadSettings } from '../../artifact-upload/upload-settings.js';
import type { ResultSet, SandboxFile } from '../../engines/types.js';
import { ArtifactSourceError } from '../../errors.js';
import type { TaskContext } from '../types.js';
import type { PlannedArtifact } from './artifact-plan.js';
import { expandArtifacts, type Refusal, type UploadJob } from './expand-artifacts.js';
import { PublishOutcome } from './publish-outcome.js';
import { runLimited } from './run-limited.js';
import { sameContent } from './same-content.js';

/** Files at least this large get a log line when their upload starts, not only when it ends. */
const announceSize = 64 * 1024 * 1024;

export interface PublishOptions extends UploadOverrides {
  readonly settings: UploadSettings;
}

type Item = { readonly upload: UploadJob } | { readonly refusal: Refusal };

export async function publishArtifacts(
  ctx: TaskContext,
  planned: readonly PlannedArtifact[],
  result: ResultSet,
  signal: AbortSignal,
  options: PublishOptions,
): Promise<void> {
  const outcome = new PublishOutcome();
  const expansion = await expandArtifacts(planned, result, ctx.reservedArtifacts);
  for (const { name, path } of expansion.reserved)
    ctx.log.warn(`Artifact name ${name} is reserved for the worker; the task's ${path} is not published`);
  for (const { entry, text } of expansion.unnamable) {
    if (entry.optional) ctx.log.warn(text);
    else {
      ctx.log.error(text);
      outcome.missing(entry.index, `${entry.name} (a file with an invalid artifact name)`);
    }
  }
  outcome.problems.push(...expansion.problems);

  const items: Item[] = expansion.refusals.map((refusal) => ({ refusal }));
  for (const job of expansion.jobs) {
    if (job.alsoFrom.length === 0) items.push({ upload: job });
    else if (await sameContent(result, [job.path, ...job.alsoFrom.map(({ path }) => path)])) {
      const sources = [job, ...job.alsoFrom].map(({ entry, path }) => `${entry.field} (${path})`);
      ctx.log.info(
        `Artifact ${job.name} is published by ${sources.join(' and ')} with the same content; uploaded once`,
      );
      items.push({ upload: job });
    } else {
      const sources = [job, ...job.alsoFrom].map(({ entry, path }) => `${entry.field} (${path})`);
      outcome.problems.push(
        `${sources.join(' and ')} both publish ${JSON.stringify(job.name)}, with different content`,
      );
    }
  }

  const context = runUploadContext(ctx, options.settings, options);

  const refuse = async (
    entry: PlannedArtifact,
    optional: boolean,
    name: string,
    error: ArtifactSourceError,
    errorArtifact = true,
  ): Promise<void> => {
    if (errorArtifact)
      await createErrorArtifact(
        ctx.artifacts,
        name,
        { reason: error.reason, message: error.message },
        entry.expires,
      );
    if (optional) ctx.log.warn(`Optional artifact ${name} not published: ${error.message}`);
    else {
      ctx.log.error(`Artifact ${name} not published: ${error.message}`);
      outcome.missing(entry.index, `${name} (${error.reason})`);
    }
  };

  const upload = async (job: UploadJob): Promise<void> => {
    let file: SandboxFile | undefined;
    try {
      file = await result.readFile(job.path);
      if (file.size >= announceSize) ctx.log.info(`Uploading ${job.name} (${file.size} bytes)`);
      const uploaded = await uploadArtifact({
        ...context,
        name: job.name,
        source: file,
        contentType: job.contentType,
        contentEncoding: job.contentEncoding,
        expires: job.expires,
        signal,
      });
      ctx.log.info(uploadedLine(job, uploaded));
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof ArtifactSourceError) return refuse(job.entry, job.optional, job.name, error);
      if (!(error instanceof BodyReadError)) {
        ctx.log.error(`Artifact ${job.name} could not be uploaded: ${messageOf(error)}`);
        return outcome.failed(error);
      }
      // Once createArtifact was called, no error artifact can take the artifact's place.
      const source = new ArtifactSourceError('file-not-readable-on-worker', `${job.path}: ${error.message}`);
      return refuse(job.entry, job.optional, job.name, source, !error.artifactCreated);
    } finally {
      await file?.close?.().catch(() => undefined);
    }
  };

  await runLimited(items, options.settings.uploadConcurrency, signal, async (item) => {
    try {
      if ('upload' in item) await upload(item.upload);
      else
        await refuse(item.refusal.entry, item.refusal.entry.optional, item.refusal.name, item.refusal.error);
    } catch (error) {
      // The error artifact itself could not be created (storage trouble, a bug): noted, the others go on.
      if (signal.aborted) return;
      const name = 'upload' in item ? item.upload.name : item.refusal.name;
      ctx.log.error(`Artifact ${name} could not be published: ${messageOf(error)}`);
      outcome.failed(error);
    }
  });
  signal.throwIfAborted();
  const error = outcome.error();
  if (error) throw error;
}

function uploadedLine(job: UploadJob, uploaded: UploadResult): string {
  const sizes =
    uploaded.contentEncoding === 'gzip'
      ? `${uploaded.size} bytes, ${uploaded.sentBytes} gzip`
      : `${uploaded.size} bytes`;
  const from = job.path === job.name ? '' : ` from ${job.path}`;
  const retried = uploaded.attempts > 1 ? `, ${uploaded.attempts} attempts` : '';
  return `Uploaded ${job.name}${from} (${sizes}, ${uploaded.contentType}) in ${(uploaded.durationMs / 1000).toFixed(3)} s${retried}`;
}
