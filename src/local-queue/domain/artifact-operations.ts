// createArtifact, finishArtifact and the artifact reads, with the real queue's rules and messages.
import type { CreateArtifactRequest } from '../../generated/queue/create-artifact-request.js';
import { artifactBlobKey } from '../blobs/blob-signer.js';
import { conflict, inputError, notFound, QueueError } from '../errors.js';
import type { Page, PageQuery, StorageTx } from '../storage/types.js';
import { iso, MINUTE, SECOND } from '../time.js';
import {
  artifactView,
  compatibleArtifactCalls,
  type ArtifactRecord,
  type ArtifactView,
} from './artifact-model.js';
import { mutate, read, type QueueContext } from './context.js';
import { statusOf, type TaskRecord } from './task-model.js';

/** After an exception, a worker may still upload logs for this long. */
const EXCEPTION_GRACE = 25 * MINUTE;
/** How long a putUrl works, as on a real deployment. */
const PUT_URL_LIFETIME = 45 * MINUTE;
/** How long a download redirect works. */
const GET_URL_LIFETIME = 30 * MINUTE;

export type CreateArtifactResponse =
  | { storageType: 's3'; contentType: string; expires: string; putUrl: string }
  | { storageType: 'reference' | 'link' | 'error' };

export function blobUrl(ctx: QueueContext, method: 'GET' | 'PUT', key: string, expires: number): string {
  const { signature } = ctx.blobSigner.sign(method, key, expires);
  const path = key.split('/').map(encodeURIComponent).join('/');
  return `${ctx.settings.publicUrl()}/blobs/${path}?expires=${expires}&signature=${signature}`;
}

export function createArtifact(
  ctx: QueueContext,
  taskId: string,
  runId: number,
  name: string,
  request: CreateArtifactRequest,
): Promise<CreateArtifactResponse> {
  return mutate(ctx, async (tx, fx, now) => {
    const expires = Date.parse(request.expires);
    if (expires < now - 15 * MINUTE) throw inputError('Expires must be in the future');
    const task = await tx.getTask(taskId);
    if (!task) throw inputError('Task not found', { taskId });
    const run = task.runs[runId];
    if (!run) throw inputError('Run not found', { taskId, runId });
    if (run.workerGroup === undefined || run.workerId === undefined) {
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
    if (request.storageType === 'object') {
      throw inputError(
        'Artifacts of storageType `object` are not supported yet by the embedded queue; use `s3`, ' +
          '`reference`, `link` or `error`.',
      );
    }

    const details: Record<string, unknown> =
      request.storageType === 's3'
        ? { key: artifactBlobKey(taskId, runId, name) }
        : request.storageType === 'reference'
          ? { url: request.url }
          : request.storageType === 'link'
            ? { artifact: request.artifact }
            : { reason: request.reason, message: request.message };
    const next: ArtifactRecord = {
      taskId,
      runId,
      name,
      storageType: request.storageType,
      contentType: ('contentType' in request ? request.contentType : undefined) ?? 'application/binary',
      details,
      present: true,
      expires: iso(expires),
    };
    const original = await tx.getArtifact(taskId, runId, name);
    if (original && !compatibleArtifactCalls(original, next)) {
      const { storageType, contentType } = original;
      throw conflict(
        'Artifact already exists with different properties, and none of the allowed exceptions apply: ' +
          JSON.stringify({ storageType, contentType, expires: original.expires }),
      );
    }
    // A compatible repeat keeps what may not change (the content type of a link's original) and takes the rest.
    const stored = original ? { ...next, contentType: original.contentType } : next;
    await tx.putArtifact(stored);
    // Like the real queue: no artifact-created for s3, whose bytes only arrive later.
    if (stored.storageType !== 's3') {
      fx.emit('artifact-created', {
        status: statusOf(task),
        runId,
        artifact: artifactView(stored),
        workerGroup: run.workerGroup,
        workerId: run.workerId,
      });
    }
    ctx.logger.info({ taskId, runId, name, storageType: stored.storageType }, 'artifact created');
    if (stored.storageType === 's3') {
      const key = artifactBlobKey(taskId, runId, name);
      return {
        storageType: 's3',
        contentType: stored.contentType,
        expires: iso(now + PUT_URL_LIFETIME),
        putUrl: blobUrl(ctx, 'PUT', key, now + PUT_URL_LIFETIME + 10 * SECOND),
      };
    }
    return { storageType: stored.storageType as 'reference' | 'link' | 'error' };
  });
}

/** Only object artifacts need finishing; the others are complete when created (the real queue's rule). */
export function finishArtifact(
  ctx: QueueContext,
  taskId: string,
  runId: number,
  name: string,
  uploadId: string,
): Promise<void> {
  return mutate(ctx, async (tx) => {
    const artifact = await tx.getArtifact(taskId, runId, name);
    const task = await tx.getTask(taskId);
    if (!artifact || !task?.runs[runId]) {
      throw notFound(`Artifact with taskId \`${taskId}\`, runId ${runId}, name \`${name}\` not found`);
    }
    if (artifact.storageType !== 'object') throw inputError('Only object artifacts can be finished');
    if (artifact.present) return;
    if (uploadId !== artifact.details.uploadId) {
      throw inputError('given uploadId does not match that for the artifact');
    }
    await tx.putArtifact({ ...artifact, present: true, details: {} });
  });
}

async function latestRunId(tx: StorageTx, taskId: string): Promise<{ task: TaskRecord; runId: number }> {
  const task = await tx.getTask(taskId);
  if (!task) throw notFound('Task not found', { taskId });
  if (task.runs.length === 0) throw notFound("Task doesn't have any runs", { taskId });
  return { task, runId: task.runs.length - 1 };
}

/** The artifact behind `name`, following links (and refusing cycles). */
async function followLinks(tx: StorageTx, taskId: string, runId: number, name: string, now: number) {
  const seen: string[] = [];
  for (let current = name; ;) {
    seen.push(current);
    const artifact = await tx.getArtifact(taskId, runId, current);
    if (!artifact?.present) throw notFound('Artifact not found', { taskId, runId, name: current });
    if (Date.parse(artifact.expires) < now) throw new QueueError('ResourceExpired', 'Artifact expired');
    if (artifact.storageType !== 'link') return artifact;
    const target = String(artifact.details.artifact);
    if (seen.includes(target)) throw inputError('Artifact leads to a link cycle');
    current = target;
  }
}

export type ArtifactLocation =
  | { storageType: 's3' | 'reference'; url: string }
  | { storageType: 'error'; reason: string; message: string };

/** Where getArtifact redirects to (or the error an error artifact stands for). */
export function locateArtifact(
  ctx: QueueContext,
  taskId: string,
  runId: number | 'latest',
  name: string,
): Promise<ArtifactLocation> {
  return read(ctx, async (tx, now) => {
    const resolvedRunId = runId === 'latest' ? (await latestRunId(tx, taskId)).runId : runId;
    const artifact = await followLinks(tx, taskId, resolvedRunId, name, now);
    switch (artifact.storageType) {
      case 's3':
        return {
          storageType: 's3',
          url: blobUrl(ctx, 'GET', String(artifact.details.key), now + GET_URL_LIFETIME),
        };
      case 'reference':
        return { storageType: 'reference', url: String(artifact.details.url) };
      case 'error':
        return {
          storageType: 'error',
          reason: String(artifact.details.reason),
          message: String(artifact.details.message),
        };
      default:
        throw new QueueError(
          'InternalServerError',
          `Unsupported artifact storageType ${artifact.storageType}`,
        );
    }
  });
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
