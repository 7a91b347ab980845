// Waiting for a command's output pipes once its process has exited. Both engines stream stdout and stderr into
// the task log; the last chunks may still be in flight at the exit, and a process that escaped the kill could
// hold a pipe open for ever, so the wait is bounded by the caller's grace period, then the pipes are destroyed.
import { once } from 'node:events';
import type { Readable } from 'node:stream';

/** Waits until every pipe ended, for at most `graceMs`; whatever is still open then is destroyed. */
export async function drainPipes(pipes: readonly Readable[], graceMs: number): Promise<void> {
  const open = pipes.filter((pipe) => !pipe.readableEnded && !pipe.destroyed);
  if (open.length === 0) return;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), graceMs);
  try {
    await Promise.all(open.map((pipe) => once(pipe, 'close', { signal: controller.signal })));
  } catch {
    for (const pipe of open) pipe.destroy();
  } finally {
    clearTimeout(timer);
  }
}
