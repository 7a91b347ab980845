// A task-image: an image tarball another task published as an artifact (what `docker save` writes, plain or
// compressed with zstd or lz4). Downloaded from the queue, decompressed on the way, `docker load`ed, and
// tagged with a name derived from the artifact (an artifact never changes), so that later tasks reuse it.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type Docker from 'dockerode';
import { MalformedPayloadError, TaskFailureError } from '../../errors.js';
import type { TaskLog } from '../../log/task-log.js';
import type { ArtifactDownloads } from '../types.js';
import { daemonCall, statusOf } from './daemon-call.js';
import { hasScope } from '../shared/has-scope.js';
import { decompressorFor, detectTarballFormat, type TarballFormat } from './tarball-format.js';

/** The repository every cached task image is tagged in; the tag identifies the artifact. */
export const taskImageRepository = 'tc-worker/task-image';

export function taskImageTag(taskId: string, path: string): string {
  return `${taskImageRepository}:${createHash('sha256').update(`${taskId}\0${path}`).digest('hex').slice(0, 40)}`;
}

export interface TaskImageOptions {
  readonly rootUrl: string;
  /** Signs the download with the run's credentials (a private artifact); without it the URL is unsigned. */
  readonly downloads?: ArtifactDownloads;
  /** The task's scopes. */
  readonly scopes: readonly string[];
  readonly timeoutMs: number;
  readonly callTimeoutMs: number;
  readonly signal: AbortSignal;
  readonly log: TaskLog;
}

/** The queue's URL of the latest run's artifact `path` of `taskId` (redirects to the content). */
export function artifactUrl(rootUrl: string, taskId: string, path: string): string {
  const name = path.split('/').map(encodeURIComponent).join('/');
  return `${rootUrl.replace(/\/+$/, '')}/api/queue/v1/task/${encodeURIComponent(taskId)}/artifacts/${name}`;
}

/** The image's name, loaded now or by an earlier task. */
export async function taskImage(
  docker: Docker,
  taskId: string,
  path: string,
  options: TaskImageOptions,
): Promise<string> {
  const tag = taskImageTag(taskId, path);
  // A private image loaded for another task is this task's only if it may read the artifact itself;
  // otherwise it is downloaded again, which asks the queue with this task's credentials.
  const mayReuse = path.startsWith('public/') || hasScope(options.scopes, `queue:get-artifact:${path}`);
  if (mayReuse && (await imageExists(docker, tag, options))) {
    options.log.info(`Using the cached task image ${path} of task ${taskId} (${tag})`);
    return tag;
  }
  // The names the daemon has now: a name the tarball brings that was here already, for the same image, stays.
  const before = await daemonCall(
    'list images',
    { timeoutMs: options.callTimeoutMs, signal: options.signal },
    () => docker.listImages(),
  );
  const namesBefore = new Set(before.flatMap((image) => image.RepoTags ?? []));
  options.log.info(`Downloading the task image ${path} of task ${taskId}`);
  const loaded = await daemonCall(
    `load task image ${path}`,
    { timeoutMs: options.timeoutMs, signal: options.signal },
    (signal) => {
      // Signed as late as possible: the URL's signature is good for minutes only.
      const url = options.downloads?.downloadUrl(taskId, path) ?? artifactUrl(options.rootUrl, taskId, path);
      return downloadAndLoad(docker, url, path, signal, options.log);
    },
  );
  const [repo, ...rest] = tag.split(':');
  await daemonCall('tag image', { timeoutMs: options.callTimeoutMs, signal: options.signal }, () =>
    docker.getImage(loaded.image).tag({ repo: repo ?? tag, tag: rest.join(':') }),
  );
  await restoreNames(docker, loaded, namesBefore, options);
  options.log.info(
    `Loaded ${loaded.image} (${loaded.format}, ${loaded.bytes} bytes, sha256 ${loaded.sha256}) as ${tag}`,
  );
  return tag;
}

async function imageExists(docker: Docker, name: string, options: TaskImageOptions): Promise<boolean> {
  try {
    await daemonCall('inspect image', { timeoutMs: options.callTimeoutMs, signal: options.signal }, () =>
      docker.getImage(name).inspect(),
    );
    return true;
  } catch (error) {
    if (statusOf(error) === 404) return false;
    throw error;
  }
}

interface Loaded extends LoadReport {
  readonly format: TarballFormat;
  readonly bytes: number;
  readonly sha256: string;
}

async function downloadAndLoad(
  docker: Docker,
  url: string,
  /** The artifact's name, for the scope a refusal asks for. */
  name: string,
  signal: AbortSignal,
  log: TaskLog,
): Promise<Loaded> {
  // Messages go to the task log, which may be public: never the signature the URL carries.
  const shown = withoutQuery(url);
  let response: Response;
  try {
    response = await fetch(url, { signal });
  } catch (error) {
    signal.throwIfAborted();
    throw new TaskFailureError(`the task image could not be downloaded from ${shown}: ${String(error)}`);
  }
  if (response.status === 404 || response.status === 424)
    throw new MalformedPayloadError(
      `payload.image: the artifact at ${shown} does not exist (HTTP ${response.status})`,
    );
  // The task's scopes do not reach the artifact: the author's to fix, so the payload's fault.
  if (response.status === 403)
    throw new MalformedPayloadError(
      `payload.image: the task's scopes do not allow reading the artifact at ${shown} (HTTP 403); ` +
        `task.scopes needs queue:get-artifact:${name}`,
    );
  if (!response.ok || !response.body)
    throw new TaskFailureError(
      `the task image could not be downloaded from ${shown}: HTTP ${response.status}`,
    );

  const hash = createHash('sha256');
  let bytes = 0;
  const body = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>);
  const { head, rest } = await peek(body, 262);
  const format = detectTarballFormat(head);
  if (format === 'unknown')
    throw new TaskFailureError(
      `the task image at ${shown} is not an image tarball (plain tar, gzip, bzip2, xz, zstd or lz4)`,
    );
  // Counted and hashed on the way to the daemon (or the decompressor): the tarball is never stored here.
  const counted = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      bytes += chunk.length;
      callback(null, chunk);
    },
  });
  rest.once('error', (error) => counted.destroy(error));
  rest.pipe(counted);
  const decompressor = decompressorFor(format);
  let tarball: Readable = counted;
  let decompressed: Promise<void> = Promise.resolve();
  if (decompressor) {
    const [program, ...args] = decompressor;
    const child = spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    decompressed = new Promise((resolve, reject) => {
      child.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          new TaskFailureError(
            error.code === 'ENOENT'
              ? `the task image is ${format}-compressed and this worker has no ${program} program (Debian: apt-get install ${program})`
              : `${program} failed: ${error.message}`,
          ),
        ),
      );
      child.once('close', (code) =>
        code === 0
          ? resolve()
          : reject(
              new TaskFailureError(`the task image could not be decompressed (${program}): ${stderr.trim()}`),
            ),
      );
    });
    // The aborted task's signal ends the decompressor too.
    const onAbort = (): void => void child.kill('SIGKILL');
    signal.addEventListener('abort', onAbort, { once: true });
    void decompressed.finally(() => signal.removeEventListener('abort', onAbort)).catch(() => undefined);
    void pipeline(counted, child.stdin).catch(() => undefined);
    tarball = child.stdout;
  }
  log.info(`Task image format: ${format}`);
  const loading = loadImage(docker, tarball, signal);
  const [report] = await Promise.all([loading, decompressed]);
  return { ...report, format, bytes, sha256: hash.digest('hex') };
}

/** What `docker load` did, from the daemon's progress messages. */
export interface LoadReport {
  /** The loaded image: its first name, or its id when the tarball named none. */
  readonly image: string;
  /** Names the tarball carried (`repo:tag`), now pointing at the loaded image. */
  readonly names: readonly string[];
  /** Names that pointed at another image before the load took them: name -> that image's id. */
  readonly displaced: ReadonlyMap<string, string>;
}

export function parseLoadOutput(text: string): LoadReport | { error: string } {
  const names: string[] = [];
  const displaced = new Map<string, string>();
  let id: string | undefined;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const message = JSON.parse(line) as { stream?: string; error?: string };
    if (message.error !== undefined) return { error: message.error };
    const stream = message.stream ?? '';
    const loaded = /Loaded image: (\S+)/.exec(stream)?.[1];
    if (loaded) names.push(loaded);
    id ??= /Loaded image ID: (\S+)/.exec(stream)?.[1];
    const renamed = /The image (\S+) already exists, renaming the old one with ID (\S+) to empty string/.exec(
      stream,
    );
    if (renamed?.[1] && renamed[2]) displaced.set(renamed[1], renamed[2]);
  }
  const image = names[0] ?? id;
  if (image === undefined) return { error: `no image in the output: ${text.trim()}` };
  return { image, names, displaced };
}

/** `docker load` of the tarball. */
async function loadImage(docker: Docker, tarball: Readable, signal: AbortSignal): Promise<LoadReport> {
  const output = await docker.loadImage(tarball, { abortSignal: signal, quiet: true } as object);
  let text = '';
  for await (const chunk of output as AsyncIterable<Buffer>) text += chunk.toString();
  const report = parseLoadOutput(text);
  if ('error' in report) throw new TaskFailureError(`docker load refused the task image: ${report.error}`);
  return report;
}

/**
 * A tarball names its images as it likes (`ubuntu:latest`, the name of another task's image): once the image
 * has its cache tag, the names it brought are taken off it and given back to the images they named before,
 * so that a task image never stands in for another image.
 */
async function restoreNames(
  docker: Docker,
  report: LoadReport,
  namesBefore: ReadonlySet<string>,
  options: TaskImageOptions,
): Promise<void> {
  const call = { timeoutMs: options.callTimeoutMs, signal: options.signal };
  for (const name of report.names) {
    if (namesBefore.has(name) && !report.displaced.has(name)) continue;
    await daemonCall('untag a task image', call, () => docker.getImage(name).remove({ noprune: true }));
    const previous = report.displaced.get(name);
    if (previous === undefined) continue;
    const colon = name.lastIndexOf(':');
    await daemonCall('restore an image name', call, () =>
      docker.getImage(previous).tag({ repo: name.slice(0, colon), tag: name.slice(colon + 1) }),
    );
  }
}

/** Reads the first `size` bytes (or all, if fewer); `rest` streams everything, those bytes included. */
async function peek(stream: Readable, size: number): Promise<{ head: Buffer; rest: Readable }> {
  const chunks: Buffer[] = [];
  let length = 0;
  const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  while (length < size) {
    const next = await iterator.next();
    if (next.done) break;
    chunks.push(next.value);
    length += next.value.length;
  }
  const head = Buffer.concat(chunks);
  async function* all(): AsyncGenerator<Buffer> {
    yield head;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  return { head, rest: Readable.from(all()) };
}

/** A URL without its query (where a signed URL keeps its bewit). */
export function withoutQuery(url: string): string {
  const parsed = new URL(url);
  parsed.search = '';
  return parsed.toString();
}
