// Where an artifact's content is: getArtifact's redirect target (locateArtifact) and what the
// artifact-content calls answer (artifactContent): for object artifacts, the object name and credentials
// to download it from the object service, as the real queue answers.
import type { TemporaryCredentials } from '../../generated/queue/temporary-credentials.js';
import { notFound, QueueError, inputError } from '../errors.js';
import type { StorageTx } from '../storage/types.js';
import { HOUR } from '../time.js';
import type { ArtifactRecord } from './artifact-model.js';
import { latestRunId } from './artifact-operations.js';
import { read, type QueueContext } from './context.js';
import { artifactObjectName } from './object-model.js';
import { finishedObject, objectDownloadUrl } from './object-operations.js';

/** Download credentials for an object artifact last this long, as on a real deployment. */
const DOWNLOAD_CREDENTIALS_LIFETIME = HOUR;

/** The artifact behind `name`, following links (and refusing cycles), with the names on the way. */
async function followLinks(tx: StorageTx, taskId: string, runId: number, name: string, now: number) {
  const seen: string[] = [];
  for (let current = name; ;) {
    seen.push(current);
    const artifact = await tx.getArtifact(taskId, runId, current);
    if (!artifact?.present) throw notFound('Artifact not found', { taskId, runId, name: current });
    if (Date.parse(artifact.expires) < now) throw new QueueError('ResourceExpired', 'Artifact expired');
    if (artifact.storageType !== 'link') return { artifact, via: seen };
    const target = String(artifact.details.artifact);
    if (seen.includes(target)) throw inputError('Artifact leads to a link cycle');
    current = target;
  }
}

/**
 * Every name a download of `name` passes through (the name, then each link target): reading takes the
 * scope of each, so a public link cannot expose a private artifact.
 */
export function artifactNames(
  ctx: QueueContext,
  taskId: string,
  runId: number | 'latest',
  name: string,
): Promise<string[]> {
  return read(ctx, async (tx, now) => {
    const resolved = runId === 'latest' ? (await latestRunId(tx, taskId)).runId : runId;
    return (await followLinks(tx, taskId, resolved, name, now)).via;
  });
}

/** The artifact a download of `name` ends at, with the run it belongs to. */
function resolveArtifact(
  ctx: QueueContext,
  taskId: string,
  runId: number | 'latest',
  name: string,
): Promise<{ artifact: ArtifactRecord; runId: number }> {
  return read(ctx, async (tx, now) => {
    const resolved = runId === 'latest' ? (await latestRunId(tx, taskId)).runId : runId;
    const { artifact } = await followLinks(tx, taskId, resolved, name, now);
    if (artifact.storageType === 'object') {
      try {
        await finishedObject(tx, artifactObjectName(taskId, resolved, artifact.name), now);
      } catch {
        throw notFound('Object does not exist.', { taskId, runId: resolved, name: artifact.name });
      }
    }
    return { artifact, runId: resolved };
  });
}

export type ArtifactLocation =
  | { storageType: 's3' | 'reference'; url: string }
  | { storageType: 'object'; url: string }
  | { storageType: 'error'; reason: string; message: string };

/** Where getArtifact redirects to (or the error an error artifact stands for). */
export async function locateArtifact(
  ctx: QueueContext,
  taskId: string,
  runId: number | 'latest',
  name: string,
): Promise<ArtifactLocation> {
  const { artifact, runId: resolved } = await resolveArtifact(ctx, taskId, runId, name);
  return locationOf(ctx, taskId, resolved, artifact);
}

async function locationOf(
  ctx: QueueContext,
  taskId: string,
  resolved: number,
  artifact: ArtifactRecord,
): Promise<ArtifactLocation> {
  switch (artifact.storageType) {
    case 's3': {
      const expires = ctx.clock() + ctx.settings.getUrlLifetimeMs;
      return { storageType: 's3', url: await ctx.blobUrls.getUrl(String(artifact.details.key), expires) };
    }
    case 'object': {
      // The object service's `simple` download URL, as the real queue redirects to.
      const objectName = artifactObjectName(taskId, resolved, artifact.name);
      return { storageType: 'object', url: (await objectDownloadUrl(ctx, objectName)).url };
    }
    case 'reference':
      return { storageType: 'reference', url: String(artifact.details.url) };
    case 'error':
      return {
        storageType: 'error',
        reason: String(artifact.details.reason),
        message: String(artifact.details.message),
      };
    default:
      throw new QueueError('InternalServerError', `Unsupported artifact storageType ${artifact.storageType}`);
  }
}

export type ArtifactContent =
  | { storageType: 's3' | 'reference'; url: string }
  | { storageType: 'object'; name: string; credentials: TemporaryCredentials }
  | { storageType: 'error'; reason: string; message: string };

/** The artifact and latestArtifact answer. */
export async function artifactContent(
  ctx: QueueContext,
  taskId: string,
  runId: number | 'latest',
  name: string,
): Promise<ArtifactContent> {
  const { artifact, runId: resolved } = await resolveArtifact(ctx, taskId, runId, name);
  if (artifact.storageType !== 'object') {
    const location = await locationOf(ctx, taskId, resolved, artifact);
    if (location.storageType === 'object') throw new Error('unreachable: not an object artifact');
    return location;
  }
  const objectName = artifactObjectName(taskId, resolved, artifact.name);
  const now = ctx.clock();
  const credentials = ctx.issuer.issue({
    clientId: `artifact-download/${taskId}/${resolved}/${artifact.name}`,
    scopes: [`object:download:${objectName}`],
    start: now,
    expiry: now + DOWNLOAD_CREDENTIALS_LIFETIME,
  });
  return { storageType: 'object', name: objectName, credentials };
}
