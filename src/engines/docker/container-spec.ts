// The create request of a task's container, from what the payload, the plugins and the worker config
// decided. Pure: the whole shape is tested without a daemon.
import type Docker from 'dockerode';
import type { DockerSettings } from './docker-settings.js';

/** Labels every container and cache volume of the engine carries (leftovers are found by them). */
export const ownerLabel = 'tc-worker.owner';
export const taskLabel = 'tc-worker.task';
export const cacheLabel = 'tc-worker.cache';

export interface ContainerPlan {
  readonly image: string;
  /** Empty: the image's default command. */
  readonly command: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** The run's task directory on the host, bound at the same path in the container (TASK_WORKDIR). */
  readonly taskDir: string;
  /** Volume name -> mount point. */
  readonly volumes: ReadonlyMap<string, string>;
  /** Host config fields of a privileged container, when the task is one. */
  readonly privileged?: Docker.HostConfig;
  readonly owner: string;
  readonly task: string;
}

export function cacheVolumeName(cache: string): string {
  return `tc-worker-cache-${cache}`;
}

export function containerSpec(plan: ContainerPlan, settings: DockerSettings): Docker.ContainerCreateOptions {
  const memory = settings.memoryMB !== undefined ? settings.memoryMB * 1024 * 1024 : undefined;
  return {
    Image: plan.image,
    ...(plan.command.length > 0 ? { Cmd: [...plan.command] } : {}),
    Env: Object.entries(plan.env).map(([name, value]) => `${name}=${value}`),
    Labels: { [ownerLabel]: plan.owner, [taskLabel]: plan.task },
    AttachStdin: false,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    OpenStdin: false,
    HostConfig: {
      Binds: [`${plan.taskDir}:${plan.taskDir}`],
      Mounts: [...plan.volumes].map(([volume, target]) => ({
        Type: 'volume' as const,
        Source: volume,
        Target: target,
        ReadOnly: false,
      })),
      NetworkMode: settings.network,
      PidsLimit: settings.pidsLimit,
      // No swap beyond the memory limit: a task over it is OOM-killed, not slowed down.
      ...(memory !== undefined ? { Memory: memory, MemorySwap: memory } : {}),
      ...(settings.cpus !== undefined ? { NanoCpus: Math.round(settings.cpus * 1e9) } : {}),
      ...plan.privileged,
    },
  };
}
