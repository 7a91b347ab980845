// Pulls a registry image, with retries for a registry that hiccups and a clear failure for one that cannot
// be reached or has no such image. Bounded by the pull timeout and the task's signal, never a hang.
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { TaskFailureError } from '../../errors.js';
import type { TaskLog } from '../../log/task-log.js';
import { daemonCall, DockerUnavailableError } from './daemon-call.js';

export interface PullOptions {
  readonly retries: number;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  readonly log: TaskLog;
  /** Pause before retry n (1-based); tests make it short. */
  readonly backoffMs?: (attempt: number) => number;
}

const defaultBackoffMs = (attempt: number): number => Math.min(30_000, 1000 * 2 ** (attempt - 1));

/** Errors that no retry changes: the registry answered that the image is not there or not ours to pull. */
export function isImageMissing(message: string): boolean {
  return /manifest unknown|not found|does not exist|pull access denied|unauthorized|invalid reference/i.test(
    message,
  );
}

export async function pullImage(docker: Docker, name: string, options: PullOptions): Promise<void> {
  const backoff = options.backoffMs ?? defaultBackoffMs;
  for (let attempt = 0; ; attempt++) {
    try {
      await daemonCall(`pull ${name}`, { timeoutMs: options.timeoutMs, signal: options.signal }, (signal) =>
        pullOnce(docker, name, signal),
      );
      return;
    } catch (error) {
      options.signal.throwIfAborted();
      if (error instanceof DockerUnavailableError) {
        // A pull that takes longer than its bound would only take as long again.
        if (error.timedOut)
          throw new TaskFailureError(
            `the image ${name} could not be pulled within ${options.timeoutMs / 1000} seconds`,
          );
        throw error;
      }
      const message = error instanceof Error ? error.message : String(error);
      if (isImageMissing(message))
        throw new TaskFailureError(`the image ${name} could not be pulled: ${message}`);
      if (attempt >= options.retries)
        throw new TaskFailureError(
          `the image ${name} could not be pulled after ${attempt + 1} attempts: ${message}`,
        );
      options.log.warn(`Pulling ${name} failed (${message}); trying again`);
      await sleep(backoff(attempt + 1), undefined, { signal: options.signal });
    }
  }
}

/** One pull: the daemon streams progress, and reports a failure either as an HTTP error or inside the stream. */
async function pullOnce(docker: Docker, name: string, signal: AbortSignal): Promise<void> {
  const stream = await docker.pull(name, { abortSignal: signal });
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (error: Error | null, events: Array<{ error?: string; errorDetail?: { message?: string } }>) => {
        const failed = events?.find((event) => event.error !== undefined);
        if (error) reject(error);
        else if (failed) reject(new Error(failed.errorDetail?.message ?? failed.error));
        else resolve();
      },
    );
  });
}
