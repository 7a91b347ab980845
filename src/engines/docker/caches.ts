// Task caches: named docker volumes kept between tasks on this worker, mounted where the payload says, and
// deleted after a task whose exit code is listed in `onExitStatus.purgeCaches`.
import type Docker from 'dockerode';
import type { Logger } from 'pino';
import { cacheLabel, cacheVolumeName } from './container-spec.js';
import { daemonCall, statusOf } from './daemon-call.js';

/** Makes sure each cache's volume exists; returns volume name -> mount point. */
export async function cacheVolumes(
  docker: Docker,
  caches: ReadonlyMap<string, string>,
  options: { timeoutMs: number; signal: AbortSignal },
): Promise<Map<string, string>> {
  const volumes = new Map<string, string>();
  for (const [cache, mountPoint] of caches) {
    const name = cacheVolumeName(cache);
    // Creating a volume that exists answers with the existing one.
    await daemonCall('create a cache volume', options, () =>
      docker.createVolume({ Name: name, Labels: { [cacheLabel]: cache } }),
    );
    volumes.set(name, mountPoint);
  }
  return volumes;
}

export async function purgeCaches(
  docker: Docker,
  caches: Iterable<string>,
  log: Logger,
  timeoutMs: number,
): Promise<void> {
  for (const cache of caches) {
    try {
      await daemonCall('remove a cache volume', { timeoutMs }, () =>
        docker.getVolume(cacheVolumeName(cache)).remove(),
      );
      log.info({ cache }, 'cache purged (onExitStatus.purgeCaches)');
    } catch (error) {
      if (statusOf(error) === 404) continue;
      // 409: another task's container still uses it.
      log.warn({ err: error, cache }, 'cache not purged');
    }
  }
}
