// Waiting for a command's output pipes once its process has exited. Both engines stream stdout and stderr into
// the task log; the last chunks may still be in flight at the exit, and a process that escaped the kill could
// hold a pipe open for ever, so the wait is bounded by the caller's grace period, then the pipes are destroyed.
import type { Readable } from 'node:stream';

/**
 * Waits until every pipe delivered its last byte ('end'; a pipe that fails closes instead), for at most
 * `graceMs`; whatever is still open then is destroyed. A pipe that ended closes by itself a moment later:
 * the task's output is complete without waiting for that.
 */
export async function drainPipes(pipes: readonly Readable[], graceMs: number): Promise<void> {
  const open = pipes.filter((pipe) => !pipe.readableEnded && !pipe.destroyed);
  if (open.length === 0) return;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), graceMs);
  });
  const ended = Promise.all(
    open.map(
      (pipe) =>
        new Promise<void>((resolve) => {
          pipe.once('end', resolve);
          pipe.once('close', resolve);
        }),
    ),
  );
  try {
    if ((await Promise.race([ended, timedOut])) === 'timeout') for (const pipe of open) pipe.destroy();
  } finally {
    clearTimeout(timer);
  }
}
