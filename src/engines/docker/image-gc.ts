// The image garbage collector: after tasks, measures the disk of the daemon's data directory and removes
// images by the policy in image-gc-policy.ts. One round at a time; a failure is logged, never a task's
// problem.
import { statfs } from 'node:fs/promises';
import type Docker from 'dockerode';
import type { Logger } from 'pino';
import { daemonCall, statusOf } from './daemon-call.js';
import type { DockerSettings } from './docker-settings.js';
import { imagesToRemove, type DiskSpace, type ImageRecord } from './image-gc-policy.js';

export class ImageCollector {
  readonly #docker: Docker;
  readonly #settings: DockerSettings;
  readonly #log: Logger;
  /** Image id -> when a task last used it. */
  readonly #lastUsed = new Map<string, number>();
  /** Image id -> how many running tasks use it. */
  readonly #inUse = new Map<string, number>();
  #round: Promise<void> | undefined;
  #again = false;

  constructor(docker: Docker, settings: DockerSettings, log: Logger) {
    this.#docker = docker;
    this.#settings = settings;
    this.#log = log;
  }

  /** A task uses the image until the returned release is called. */
  use(imageId: string): () => void {
    this.#lastUsed.set(imageId, Date.now());
    this.#inUse.set(imageId, (this.#inUse.get(imageId) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#lastUsed.set(imageId, Date.now());
      const count = (this.#inUse.get(imageId) ?? 1) - 1;
      if (count <= 0) this.#inUse.delete(imageId);
      else this.#inUse.set(imageId, count);
    };
  }

  /** Starts a round (or asks for one more after the running one); resolves when it is done. */
  collect(): Promise<void> {
    if (this.#round) {
      this.#again = true;
      return this.#round;
    }
    this.#round = (async () => {
      do {
        this.#again = false;
        await this.#collectOnce().catch((error: unknown) =>
          this.#log.warn({ err: error }, 'image garbage collection failed'),
        );
      } while (this.#again);
    })().finally(() => (this.#round = undefined));
    return this.#round;
  }

  async #collectOnce(): Promise<void> {
    const timeoutMs = this.#settings.callTimeoutMs;
    const info = (await daemonCall('info', { timeoutMs }, () => this.#docker.info())) as {
      DockerRootDir?: string;
    };
    const disk = await diskSpace(info.DockerRootDir ?? '/var/lib/docker');
    const listed = await daemonCall('list images', { timeoutMs }, () => this.#docker.listImages());
    const images: ImageRecord[] = listed.map((image) => ({
      id: image.Id,
      names: (image.RepoTags ?? []).filter((name) => name !== '<none>:<none>'),
      sizeBytes: image.Size,
      lastUsedMs: this.#lastUsed.get(image.Id) ?? image.Created * 1000,
      inUse: this.#inUse.has(image.Id),
    }));
    for (const image of imagesToRemove(images, disk, this.#settings.imageGc)) {
      // By name (an image with several names cannot be removed by id without force, and force would take
      // it from under a stopped container that still needs it).
      for (const ref of image.names.length > 0 ? image.names : [image.id]) {
        try {
          await daemonCall('remove image', { timeoutMs }, () => this.#docker.getImage(ref).remove());
        } catch (error) {
          // 409: a container still uses it; 404: already gone.
          if (statusOf(error) !== 409 && statusOf(error) !== 404) throw error;
        }
      }
      this.#lastUsed.delete(image.id);
      this.#log.info({ image: image.id, names: image.names, size: image.sizeBytes }, 'image removed');
    }
  }
}

async function diskSpace(path: string): Promise<DiskSpace> {
  const stats = await statfs(path);
  return { freeBytes: stats.bavail * stats.bsize, totalBytes: stats.blocks * stats.bsize };
}
