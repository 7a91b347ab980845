// createArtifact, finishArtifact and the artifact listings, with the real queue's rules and messages.
import slugid from 'slugid';
import type { CreateArtifactRequest } from '../../generated/queue/create-artifact-request.js';
import type { TemporaryCredentials } from '../../generated/queue/temporary-credentials.js';
import { artifactBlobKey } from '../blobs/blob-signer.js';
import { conflict, inputError, notFound } from '../errors.js';
import type { Page, PageQuery, StorageTx } from '../storage/types.js';
import { DAY, iso, MINUTE, SECOND } from '../time.js';
import {
  artifactView,
  compatibleArtifactCalls,
  type ArtifactRecord,
  type ArtifactView,
} from './artifact-model.js';
import { mutate, read, type QueueContext } from './context.js';
import type { Effects } from './effects.js';
import { artifactObjectName, isFinished } from './object-model.js';
import { beginUpload } from './object-operations.js';
import { statusOf, type TaskRecord } from './task-model.js';

/** After an exception, a worker may still upload logs for this long. */
const EXCEPTION_GRACE = 25 * MINUTE;
/** Object upload credentials last until the artifact expires, or this long if that comes first. */
const UPLOAD_CREDENTIALS_LIFETIME = DAY;

export type CreateArtifactResponse =
  | { storageType: 's3'; contentType: string; expires: string; putUrl: string }
  | {
      storageType: 'object';
      name: string;
      projectId: string;
      uploadId: string;
      expires: string;
      credentials: TemporaryCredentials;
    }
  | { storageType: 'reference' | 'link' | 'error' };

const detailsOf = (taskId: string, runId: number, name: string, request: CreateArtifactRequest) => {
  switch (request.storageType) {
    case 's3':
      return { key: artifactBlobKey(taskId, runId, name) };
    // The object name is derived, never stored; the uploadId goes once the upload is finished.
    case 'object':
      return { uploadId: slugid.nice() };
    case 'reference':
      return { url: request.url };
    case 'link':
      return { artifact: request.artifact };
    case 'error':
      return { reason: request.reason, message: request.message };
  }
};

function emitCreated(fx: Effects, task: TaskRecord, runId: number, artifact: ArtifactRecord): void {
  const run = task.runs[runId];
  fx.emit('artifact-created', {
    status: statusOf(task),
    runId,
    artifact: artifactView(artifact),
    workerGroup: run?.workerGroup ?? '',
    workerId: run?.workerId ?? '',
  });
}

export async function createArtifact(
  ctx: QueueContext,
  taskId: string,
  runId: number,
  name: string,
  request: CreateArtifactRequest,
): Promise<CreateArtifactResponse> {
  const created = await mutate(ctx, async (tx, fx, now) => {
    const expires = Date.parse(request.expires);
    if (expires < now - 15 * MINUTE) throw inputError('Expires must be in the future');
    const task = await tx.getTask(taskId);
    if (!task) throw inputError('Task not found', { taskId });
    const run = task.runs[runId];
    if (!run) throw inputError('Run not found', { taskId, runId });
    const { workerGroup, workerId } = run;
    if (workerGroup === undefined || workerId === undefined) {
      throw inputError('Run was not claimed by a worker and so no artifacts can exist');
    }
    if (expires > Date.parse(task.definition.expires)) {
      throw inputError(
        `Artifact expires (${iso(expires)}) after the task expiration ${task.definition.expires} ` +
          '(task.expires < expires) - this is not allowed, artifacts may not expire after the task they ' +
          'belong to expires',
      );
    }
    const graceful = run.state === 'exception' && Date.parse(run.resolved ?? '') > now - EXCEPTION_GRACE;
    if (run.state !== 'running' && !graceful) {
      throw conflict(
        "Artifacts cannot be created for a task after it is resolved, unless it is resolved 'exception', " +
          'and even in this case only up to 25 min past resolution.This to ensure that artifacts have been ' +
          "uploaded before a task is 'completed' and output is consumed by a dependent task\n\nTask status: " +
          JSON.stringify(statusOf(task), null, 2),
      );
    }

    const next: ArtifactRecord = {
      taskId,
      runId,
      name,
      storageType: request.storageType,
      contentType: ('contentType' in request ? request.contentType : undefined) ?? 'application/binary',
      details: detailsOf(taskId, runId, name, request),
      // Object artifacts only become present with finishArtifact.
      present: request.storageType !== 'object',
      expires: iso(expires),
    };
    const original = await tx.getArtifact(taskId, runId, name);
    // A repeated object call carries a fresh uploadId, so it conflicts (as on a real queue).
    if (original && !compatibleArtifactCalls(original, next)) {
      const { storageType, contentType } = original;
      throw conflict(
        'Artifact already exists with different properties, and none of the allowed exceptions apply: ' +
          JSON.stringify({ storageType, contentType, expires: original.expires }),
      );
    }
    // A compatible repeat keeps what may not change (the content type of a link's original) and takes the rest.
    const stored = original ? { ...next, contentType: original.contentType } : next;
    const projectId = task.definition.projectId;
    if (stored.storageType === 'object') {
      // Lock the upload in on the object service, as the real queue does with an empty createUpload.
      const objectName = artifactObjectName(taskId, runId, name);
      const uploadId = String(stored.details.uploadId);
      await beginUpload(tx, { name: objectName, projectId, uploadId, expires }, now);
    }
    await tx.putArtifact(stored);
    // Like the real queue: no artifact-created for s3, whose bytes only arrive later, nor for an object
    // before finishArtifact.
    if (stored.present && stored.storageType !== 's3') emitCreated(fx, task, runId, stored);
    ctx.logger.debug({ taskId, runId, name, storageType: stored.storageType }, 'artifact created');
    return { stored, projectId, workerGroup, workerId, now };
  });

  const { stored, projectId, now } = created;
  switch (stored.storageType) {
    case 's3': {
      const lifetime = ctx.settings.putUrlLifetimeMs;
      const key = String(stored.details.key);
      return {
        storageType: 's3',
        contentType: stored.contentType,
        expires: iso(now + lifetime),
        // 10 s beyond the announced expiry, for clock drift (the real queue's margin).
        putUrl: await ctx.blobUrls.putUrl(key, stored.contentType, now + lifetime + 10 * SECOND),
      };
    }
    case 'object': {
      const objectName = artifactObjectName(taskId, runId, name);
      const expires = Date.parse(stored.expires);
      const credentials = ctx.issuer.issue({
        clientId: `artifact-upload/${taskId}/${runId}/on/${created.workerGroup}/${created.workerId}`,
        scopes: [`object:upload:${projectId}:${objectName}`],
        start: now,
        expiry: Math.min(expires, now + UPLOAD_CREDENTIALS_LIFETIME),
      });
      return {
        storageType: 'object',
        name: objectName,
        projectId,
        uploadId: String(stored.details.uploadId),
        expires: stored.expires,
        credentials,
      };
    }
    default:
      return { storageType: stored.storageType };
  }
}

/** Only object artifacts need finishing; the others are complete when created (the real queue's rule). */
export function finishArtifact(
  ctx: QueueContext,
  taskId: string,
  runId: number,
  name: string,
  uploadId: string,
): Promise<void> {
  return mutate(ctx, async (tx, fx) => {
    const artifact = await tx.getArtifact(taskId, runId, name);
    const task = await tx.getTask(taskId);
    if (!artifact || !task?.runs[runId]) {
      throw notFound(`Artifact with taskId \`${taskId}\`, runId ${runId}, name \`${name}\` not found`);
    }
    if (artifact.storageType !== 'object') throw inputError('Only object artifacts can be finished');
    // A repeat announces the artifact again: the real queue's events are at-least-once.
    if (artifact.present) return emitCreated(fx, task, runId, artifact);
    if (uploadId !== artifact.details.uploadId) {
      throw inputError('given uploadId does not match that for the artifact');
    }
    const object = await tx.getObject(artifactObjectName(taskId, runId, name));
    if (!object || !isFinished(object)) throw inputError('Object storing artifact data does not exist');
    // The uploadId is of no use once the upload is finished.
    const finished: ArtifactRecord = { ...artifact, present: true, details: {} };
    await tx.putArtifact(finished);
    emitCreated(fx, task, runId, finished);
    ctx.logger.info({ taskId, runId, name }, 'object artifact finished');
  });
}

export async function latestRunId(
  tx: StorageTx,
  taskId: string,
): Promise<{ task: TaskRecord; runId: number }> {
  const task = await tx.getTask(taskId);
  if (!task) throw notFound('Task not found', { taskId });
  if (task.runs.length === 0) throw notFound("Task doesn't have any runs", { taskId });
  return { task, runId: task.runs.length - 1 };
}

export function listArtifacts(
  ctx: QueueContext,
  taskId: string,
  runId: number | 'latest',
  page: PageQuery,
): Promise<Page<ArtifactView>> {
  return read(ctx, async (tx) => {
    const latest = await latestRunId(tx, taskId);
    const wanted = runId === 'latest' ? latest.runId : runId;
    if (wanted > latest.runId) {
      throw notFound(`Task with taskId: \`${taskId}\` has no run with runId: ${wanted}`, { taskId, runId });
    }
    const found = await tx.listArtifacts(taskId, wanted, page);
    return { ...found, rows: found.rows.map(artifactView) };
  });
}

/** artifactInfo: the listing entry of one artifact, not following links. */
export function artifactInfo(
  ctx: QueueContext,
  taskId: string,
  runId: number | 'latest',
  name: string,
): Promise<ArtifactView> {
  return read(ctx, async (tx) => {
    const wanted = runId === 'latest' ? (await latestRunId(tx, taskId)).runId : runId;
    const artifact = await tx.getArtifact(taskId, wanted, name);
    if (!artifact?.present) throw notFound('Artifact not found', { taskId, runId: wanted, name });
    return artifactView(artifact);
  });
}
