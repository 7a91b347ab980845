// Turns a task's image source into an image the daemon has: a registry image present on the daemon is used
// as it is (like `docker run`), else pulled; a task image is loaded once and reused; an indexed image is the
// task image of the task the index names.
import type Docker from 'dockerode';
import { MalformedPayloadError, TaskFailureError } from '../../errors.js';
import type { TaskLog } from '../../log/task-log.js';
import type { ArtifactDownloads } from '../types.js';
import { daemonCall, statusOf } from './daemon-call.js';
import type { DockerSettings } from './docker-settings.js';
import type { ImageSource } from './image-source.js';
import { pullImage } from './image-pull.js';
import { taskImage } from './task-image.js';

export interface ResolvedImage {
  /** The image id (`sha256:...`). */
  readonly id: string;
  readonly name: string;
}

export interface ImageContext {
  readonly signal: AbortSignal;
  /** The task's scopes: a cached private task image is only reused for a task that may read it. */
  readonly task: { readonly scopes?: readonly string[] };
  readonly downloads?: ArtifactDownloads;
  readonly log: TaskLog;
}

export async function resolveImage(
  docker: Docker,
  source: ImageSource,
  settings: DockerSettings,
  ctx: ImageContext,
  pullBackoffMs?: (attempt: number) => number,
): Promise<ResolvedImage> {
  const taskImageOptions = {
    rootUrl: settings.rootUrl,
    ...(ctx.downloads ? { downloads: ctx.downloads } : {}),
    scopes: ctx.task.scopes ?? [],
    timeoutMs: settings.pullTimeoutMs,
    callTimeoutMs: settings.callTimeoutMs,
    signal: ctx.signal,
    log: ctx.log,
  };
  let name: string;
  switch (source.kind) {
    case 'registry': {
      name = source.name;
      if ((await inspectImage(docker, name, settings, ctx.signal)) === undefined) {
        ctx.log.info(`Pulling ${name}`);
        await pullImage(docker, name, {
          retries: settings.pullRetries,
          timeoutMs: settings.pullTimeoutMs,
          signal: ctx.signal,
          log: ctx.log,
          ...(pullBackoffMs ? { backoffMs: pullBackoffMs } : {}),
        });
      }
      break;
    }
    case 'task-image':
      name = await taskImage(docker, source.taskId, source.path, taskImageOptions);
      break;
    case 'indexed-image': {
      const taskId = await indexedTaskId(settings.rootUrl, source.namespace, ctx.signal);
      ctx.log.info(`Index namespace ${source.namespace} is task ${taskId}`);
      name = await taskImage(docker, taskId, source.path, taskImageOptions);
      break;
    }
  }
  const id = await inspectImage(docker, name, settings, ctx.signal);
  if (id === undefined) throw new TaskFailureError(`the image ${name} is not on the Docker daemon after all`);
  return { id, name };
}

async function inspectImage(
  docker: Docker,
  name: string,
  settings: DockerSettings,
  signal: AbortSignal,
): Promise<string | undefined> {
  try {
    const info = await daemonCall('inspect image', { timeoutMs: settings.callTimeoutMs, signal }, () =>
      docker.getImage(name).inspect(),
    );
    return info.Id;
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

/** The task the index service names for `namespace`; a deployment without an index says so. */
async function indexedTaskId(rootUrl: string, namespace: string, signal: AbortSignal): Promise<string> {
  const url = `${rootUrl.replace(/\/+$/, '')}/api/index/v1/task/${encodeURIComponent(namespace)}`;
  let response: Response;
  try {
    response = await fetch(url, { signal, headers: { accept: 'application/json' } });
  } catch (error) {
    signal.throwIfAborted();
    throw new TaskFailureError(`the index service at ${url} could not be reached: ${String(error)}`);
  }
  const body = (await response.json().catch(() => undefined)) as { taskId?: unknown } | undefined;
  if (response.ok && typeof body?.taskId === 'string') return body.taskId;
  if (response.status === 404)
    throw new MalformedPayloadError(
      `payload.image: no indexed task at namespace ${namespace} (${url} answered 404; the embedded queue has no index service)`,
    );
  throw new TaskFailureError(`the index service at ${url} answered HTTP ${response.status}`);
}
