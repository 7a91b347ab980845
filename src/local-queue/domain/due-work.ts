// What the due timer does when it fires: resolve expired claims and passed deadlines, one task per
// transaction, then report when the next thing falls due.
import { mutate, read, type QueueContext } from './context.js';
import { resolveDue } from './run-operations.js';

const BATCH = 100;

export async function processDue(ctx: QueueContext): Promise<number | undefined> {
  const handled = new Set<string>();
  for (;;) {
    const due = (await read(ctx, (tx, now) => tx.dueTasks(now, BATCH))).filter((id) => !handled.has(id));
    for (const taskId of due) {
      handled.add(taskId);
      await mutate(ctx, async (tx, fx, now) => {
        const task = await tx.getTask(taskId);
        if (task) await resolveDue(ctx, tx, fx, task, now);
      });
    }
    if (due.length === 0) break;
  }
  const next = await read(ctx, (tx) => tx.nextDueTime());
  // Something still due after a full pass cannot be handled right now: look again shortly, not in a spin.
  return next === undefined ? undefined : Math.max(next, ctx.clock() + 50);
}
