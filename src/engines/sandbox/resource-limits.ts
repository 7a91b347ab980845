// A task's resource limits: the worker's (config `sandbox.*`) narrowed by the payload's `resources`. A task
// may ask for less, never for more: asking for more than the worker allows is a malformed payload, so that
// a task author learns it at once instead of getting less than the task was written for.
import type { SandboxEnginePayload } from '../../generated/payload/sandbox-engine.js';

export interface ResourceLimits {
  /** Memory of all the task's processes together, MiB; undefined: no limit. */
  readonly memoryMB?: number;
  /** Processes and threads at once. */
  readonly pids: number;
  /** CPU time in CPUs; undefined: no limit. */
  readonly cpus?: number;
}

/** The same limits (a task that narrowed none gets the worker's). */
export function sameLimits(a: ResourceLimits, b: ResourceLimits): boolean {
  return a.memoryMB === b.memoryMB && a.pids === b.pids && a.cpus === b.cpus;
}

type Asked = NonNullable<SandboxEnginePayload['resources']>;

export function narrowLimits(
  worker: ResourceLimits,
  asked: Asked | undefined,
): { limits: ResourceLimits; problems: string[] } {
  const problems: string[] = [];
  const pick = (key: keyof Asked, unit: string): number | undefined => {
    const mine = worker[key];
    const theirs = asked?.[key];
    if (theirs === undefined) return mine;
    if (mine !== undefined && theirs > mine) {
      problems.push(
        `payload.resources.${key} asks for ${theirs}${unit}, more than this worker allows (${mine}${unit})`,
      );
      return mine;
    }
    return theirs;
  };
  const memoryMB = pick('memoryMB', ' MiB');
  const cpus = pick('cpus', ' CPUs');
  const limits: ResourceLimits = {
    pids: pick('pids', ' processes') ?? worker.pids,
    ...(memoryMB !== undefined ? { memoryMB } : {}),
    ...(cpus !== undefined ? { cpus } : {}),
  };
  return { limits, problems };
}

/** `memory 512 MiB, 1024 processes, 1.5 CPUs` for the task log. */
export function describeLimits(limits: ResourceLimits): string {
  return [
    limits.memoryMB !== undefined ? `memory ${limits.memoryMB} MiB` : 'memory unlimited',
    `${limits.pids} processes`,
    limits.cpus !== undefined ? `${limits.cpus} CPUs` : 'CPUs unlimited',
  ].join(', ');
}
