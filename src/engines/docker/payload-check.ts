// What of a docker-worker payload the schema cannot judge: scopes (caches, privileged), what this worker
// allows (privileged) or offers at all (devices), and mount points that collide. Every
// problem is collected, so that the task log lists them all at once (a malformed payload).
import type { DockerEnginePayload } from '../../generated/payload/docker-engine.js';
import { hasScope } from '../shared/has-scope.js';

export function cacheScope(name: string): string {
  return `docker-worker:cache:${name}`;
}

export const privilegedScope = 'docker-worker:capability:privileged';

export interface PayloadCheck {
  readonly problems: string[];
  /** Cache name -> mount point, each allowed. */
  readonly caches: ReadonlyMap<string, string>;
  readonly privileged: boolean;
}

export function checkDockerPayload(
  payload: DockerEnginePayload,
  scopes: readonly string[],
  allowPrivileged: boolean,
): PayloadCheck {
  const problems: string[] = [];
  const caches = new Map<string, string>();
  const mountPoints = new Map<string, string>();
  for (const [name, mountPoint] of Object.entries(payload.cache ?? {})) {
    if (mountPoint === undefined) continue;
    const scope = cacheScope(name);
    if (!hasScope(scopes, scope))
      problems.push(`payload.cache.${name}: the cache needs the scope ${scope}, which the task lacks`);
    const normal = mountPoint.replace(/\/+$/, '') || '/';
    const other = mountPoints.get(normal);
    if (normal === '/') problems.push(`payload.cache.${name}: a cache cannot be mounted on /`);
    else if (other !== undefined)
      problems.push(`payload.cache.${name}: ${mountPoint} is also the mount point of cache ${other}`);
    mountPoints.set(normal, name);
    caches.set(name, normal);
  }
  const capabilities = payload.capabilities ?? {};
  const privileged = capabilities.privileged === true;
  if (privileged) {
    if (!allowPrivileged)
      problems.push(
        'payload.capabilities.privileged: this worker pool does not allow privileged containers (docker.allowPrivileged)',
      );
    if (!hasScope(scopes, privilegedScope))
      problems.push(
        `payload.capabilities.privileged: a privileged container needs the scope ${privilegedScope}, which the task lacks`,
      );
  }
  if (capabilities.disableSeccomp === true)
    problems.push(
      'payload.capabilities.disableSeccomp: not supported (as in docker-worker); a privileged container runs without seccomp',
    );
  for (const [device, wanted] of Object.entries(capabilities.devices ?? {}))
    if (wanted === true)
      problems.push(`payload.capabilities.devices.${device}: this worker offers no such device`);
  return { problems, caches, privileged: privileged && problems.length === 0 };
}
