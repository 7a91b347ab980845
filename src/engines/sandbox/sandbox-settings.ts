// The sandbox engine's worker config keys (`sandbox.*`), with their defaults: the validated config has them
// filled in, while tests and library users may pass less.
import type { SandboxEngineConfig } from '../../generated/config/sandbox-engine.js';
import type { ResourceLimits } from './resource-limits.js';
import type { UidRange } from './task-accounts.js';

export interface SandboxSettings {
  /** The most a task gets; its payload may ask for less. */
  readonly limits: ResourceLimits;
  readonly allowNetwork: boolean;
  readonly stateDir: string;
  readonly cgroupParent: string;
  /** The uids tasks get (task-accounts.ts). */
  readonly taskUids: UidRange;
}

export const defaultSandboxSettings: SandboxSettings = {
  limits: { pids: 1024 },
  allowNetwork: false,
  stateDir: '/var/lib/tc-worker/sandbox',
  cgroupParent: 'tc-worker',
  taskUids: { first: 2_000_000_000, count: 1_000_000 },
};

export function sandboxSettingsFrom(config: Record<string, unknown>): SandboxSettings {
  const part = (config as SandboxEngineConfig).sandbox ?? {};
  return {
    limits: {
      pids: part.pids ?? defaultSandboxSettings.limits.pids,
      ...(part.memoryMB !== undefined ? { memoryMB: part.memoryMB } : {}),
      ...(part.cpus !== undefined ? { cpus: part.cpus } : {}),
    },
    allowNetwork: part.allowNetwork ?? defaultSandboxSettings.allowNetwork,
    stateDir: part.stateDir ?? defaultSandboxSettings.stateDir,
    cgroupParent: part.cgroupParent ?? defaultSandboxSettings.cgroupParent,
    taskUids: {
      first: part.taskUids?.first ?? defaultSandboxSettings.taskUids.first,
      count: part.taskUids?.count ?? defaultSandboxSettings.taskUids.count,
    },
  };
}
