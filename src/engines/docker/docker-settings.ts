// The docker engine's worker config keys (`docker.*`), with their defaults: the validated config has them
// filled in, while tests and library users may pass less.
import type { DockerEngineConfig } from '../../generated/config/docker-engine.js';

export interface ImageGcSettings {
  readonly minFreeBytes: number;
  readonly minFreePercent: number;
  /** `repo:tag` names never removed. */
  readonly keepImages: readonly string[];
}

export interface DockerSettings {
  readonly socket: string;
  readonly memoryMB?: number;
  readonly cpus?: number;
  readonly pidsLimit: number;
  readonly network: string;
  readonly allowPrivileged: boolean;
  readonly pullRetries: number;
  readonly pullTimeoutMs: number;
  /** Upper bound of every other daemon call. */
  readonly callTimeoutMs: number;
  readonly imageGc: ImageGcSettings;
  /** The worker's root URL: the queue and index a task image is fetched from. */
  readonly rootUrl: string;
}

export const defaultDockerSettings: Omit<DockerSettings, 'rootUrl'> = {
  socket: '/var/run/docker.sock',
  pidsLimit: 4096,
  network: 'bridge',
  allowPrivileged: false,
  pullRetries: 3,
  pullTimeoutMs: 600_000,
  callTimeoutMs: 60_000,
  imageGc: { minFreeBytes: 10240 * 1024 * 1024, minFreePercent: 10, keepImages: [] },
};

export function dockerSettingsFrom(config: Record<string, unknown>): DockerSettings {
  const part = (config as DockerEngineConfig).docker ?? {};
  const gc = part.imageGc ?? {};
  const defaults = defaultDockerSettings;
  return {
    socket: part.socket ?? defaults.socket,
    ...(part.memoryMB !== undefined ? { memoryMB: part.memoryMB } : {}),
    ...(part.cpus !== undefined ? { cpus: part.cpus } : {}),
    pidsLimit: part.pidsLimit ?? defaults.pidsLimit,
    network: part.network ?? defaults.network,
    allowPrivileged: part.allowPrivileged ?? defaults.allowPrivileged,
    pullRetries: part.pullRetries ?? defaults.pullRetries,
    pullTimeoutMs: (part.pullTimeoutSeconds ?? defaults.pullTimeoutMs / 1000) * 1000,
    callTimeoutMs: (part.callTimeoutSeconds ?? defaults.callTimeoutMs / 1000) * 1000,
    imageGc: {
      minFreeBytes: gc.minFreeMB !== undefined ? gc.minFreeMB * 1024 * 1024 : defaults.imageGc.minFreeBytes,
      minFreePercent: gc.minFreePercent ?? defaults.imageGc.minFreePercent,
      keepImages: gc.keepImages ?? defaults.imageGc.keepImages,
    },
    rootUrl: typeof config.rootUrl === 'string' ? config.rootUrl : '',
  };
}
