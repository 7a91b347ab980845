// The worker interface: claimWork (long-polling), reclaimTask and the three reports, with the real queue's
// rules and messages.
import type { TaskClaim } from '../../generated/queue/task-claim.js';
import type { ReclaimResponse } from '../../generated/queue/reclaim-response.js';
import { conflict, notFound } from '../errors.js';
import type { StorageTx } from '../storage/types.js';
import { DAY, iso, isoWithOffset } from '../time.js';
import { mutate, type QueueContext } from './context.js';
import type { Effects } from './effects.js';
import { extendClaim, resolveRun, resolveUnscheduled, startRun } from './run-transitions.js';
import { lastRun, statusOf, type TaskRecord, type TaskRun, type TaskStatus } from './task-model.js';
import { touchTaskQueue } from './task-operations.js';
import { RECENT_TASKS_KEPT, type WorkerRecord } from './worker-model.js';

export interface ClaimWorkRequest {
  workerGroup: string;
  workerId: string;
  tasks: number;
}

export type ExceptionReason =
  'worker-shutdown' | 'malformed-payload' | 'resource-unavailable' | 'internal-error' | 'intermittent-task';

/** Records that a worker called claimWork (and which runs it got), for getWorker and listWorkers. */
async function workerSeen(
  tx: StorageTx,
  taskQueueId: string,
  request: { workerGroup: string; workerId: string },
  claimed: { taskId: string; runId: number }[],
  now: number,
  existing: WorkerRecord | undefined,
): Promise<WorkerRecord> {
  const firstClaim = existing?.firstClaim ?? iso(now);
  const worker: WorkerRecord = {
    taskQueueId,
    workerGroup: request.workerGroup,
    workerId: request.workerId,
    firstClaim,
    lastDateActive: iso(now),
    expires: iso(now + DAY),
    // A worker never quarantined reads as quarantined until ten years before its first claim, as in the real
    // queue (getWorker.response.json).
    quarantineUntil:
      existing?.quarantineUntil ??
      iso(new Date(firstClaim).setUTCFullYear(new Date(firstClaim).getUTCFullYear() - 10)),
    quarantineInfo: existing?.quarantineInfo ?? '',
    recentTasks: [...(existing?.recentTasks ?? []), ...claimed].slice(-RECENT_TASKS_KEPT),
  };
  await tx.putWorker(worker);
  return worker;
}

/**
 * One attempt: claims up to `count` pending runs, highest priority first, then oldest; a quarantined worker
 * claims nothing. One transaction, so that a report arriving meanwhile cannot slip in between the
 * quarantine check and the claim and hold the claim up.
 */
function claimPending(
  ctx: QueueContext,
  taskQueueId: string,
  request: ClaimWorkRequest,
): Promise<TaskClaim[] | 'quarantined'> {
  return mutate(ctx, async (tx, fx, now) => {
    const existing = await tx.getWorker(taskQueueId, request.workerGroup, request.workerId);
    if (existing !== undefined && Date.parse(existing.quarantineUntil) > now) {
      // A quarantined worker is still seen.
      await workerSeen(tx, taskQueueId, request, [], now, existing);
      return 'quarantined';
    }
    const claims: TaskClaim[] = [];
    const takenUntil = now + ctx.settings.claimTimeoutMs;
    while (claims.length < request.tasks) {
      const entries = await tx.peekPending(taskQueueId, request.tasks - claims.length);
      if (entries.length === 0) break;
      for (const entry of entries) {
        await tx.removePending(entry.taskId, entry.runId);
        const task = await tx.getTask(entry.taskId);
        const run = task && lastRun(task);
        // Entries are advisory: a run canceled or past its deadline meanwhile is skipped.
        if (!task || !run || run.runId !== entry.runId || run.state !== 'pending') continue;
        if (Date.parse(task.definition.deadline) <= now) continue;
        const claim = { workerGroup: request.workerGroup, workerId: request.workerId, takenUntil, now };
        await startRun(tx, fx, task, run, claim);
        claims.push({
          status: statusOf(task),
          runId: run.runId,
          workerGroup: request.workerGroup,
          workerId: request.workerId,
          takenUntil: isoWithOffset(takenUntil),
          task: task.definition,
          credentials: ctx.issuer.forRun(
            { ...claim, taskId: task.taskId, runId: run.runId },
            task.definition.scopes,
            now,
          ),
        });
      }
    }
    await workerSeen(
      tx,
      taskQueueId,
      request,
      claims.map((c) => ({ taskId: c.status.taskId, runId: c.runId })),
      now,
      existing,
    );
    await touchTaskQueue(tx, taskQueueId, now);
    return claims;
  });
}

/**
 * Claims work, waiting up to the poll time for some to become pending. Answers `[]` when the wait ends,
 * the caller goes away (`signal`) or the queue closes.
 */
export async function claimWork(
  ctx: QueueContext,
  taskQueueId: string,
  request: ClaimWorkRequest,
  signal: AbortSignal,
): Promise<TaskClaim[]> {
  const until = ctx.clock() + ctx.settings.claimWorkPollMs;
  for (;;) {
    if (signal.aborted) return [];
    const subscription = ctx.notifier.subscribe(taskQueueId);
    try {
      const claims = await claimPending(ctx, taskQueueId, request);
      if (claims === 'quarantined') {
        // It still waits, so it does not spin on claimWork.
        await waitFor(new Promise<void>(() => undefined), until - ctx.clock(), signal);
        return [];
      }
      if (claims.length > 0) {
        for (const claim of claims) {
          const { workerGroup, workerId } = request;
          ctx.logger.info(
            { taskId: claim.status.taskId, runId: claim.runId, taskQueueId, workerGroup, workerId },
            'task claimed',
          );
        }
        return claims;
      }
      const remaining = until - ctx.clock();
      if (remaining <= 0 || signal.aborted) return [];
      if (!(await waitFor(subscription.woken, remaining, signal)) || signal.aborted) return [];
    } finally {
      subscription.cancel();
    }
  }
}

/** Resolves true when `woken` settles first, false on timeout or abort. */
function waitFor(woken: Promise<void>, ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (value: boolean): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(value);
    };
    const onAbort = (): void => done(false);
    const timer = setTimeout(() => done(false), ms);
    signal.addEventListener('abort', onAbort, { once: true });
    void woken.then(() => done(true));
  });
}

async function loadRun(tx: StorageTx, taskId: string, runId: number, taskMessage: string) {
  const task = await tx.getTask(taskId);
  if (!task) throw notFound(taskMessage, { taskId });
  const run = task.runs[runId];
  if (!run) throw notFound(`Run ${runId} not found on task \`${taskId}\`.`, { taskId, runId });
  return { task, run };
}

const resolvedOrNotRunning = (taskId: string, runId: number) =>
  conflict(`Run ${runId} on task \`${taskId}\` is resolved or not running.`, { taskId, runId });

export function reclaimTask(ctx: QueueContext, taskId: string, runId: number): Promise<ReclaimResponse> {
  return mutate(ctx, async (tx, fx, now) => {
    const { task, run } = await loadRun(
      tx,
      taskId,
      runId,
      `Task \`${taskId}\` not found. Are you sure it was created?`,
    );
    if (Date.parse(task.definition.deadline) <= now) {
      throw conflict(
        `Task \`${taskId}\` can't be reclaimed past its deadline of ${task.definition.deadline}.`,
      );
    }
    if (task.runs.length - 1 !== runId || run.state !== 'running') throw resolvedOrNotRunning(taskId, runId);
    const workerGroup = run.workerGroup ?? '';
    const workerId = run.workerId ?? '';
    const takenUntil = now + ctx.settings.claimTimeoutMs;
    await extendClaim(tx, fx, task, run, takenUntil);
    const worker = await tx.getWorker(task.definition.taskQueueId, workerGroup, workerId);
    if (worker) await tx.putWorker({ ...worker, lastDateActive: iso(now), expires: iso(now + DAY) });
    return {
      status: statusOf(task),
      runId,
      workerGroup,
      workerId,
      takenUntil: iso(takenUntil),
      credentials: ctx.issuer.forRun(
        { taskId, runId, workerGroup, workerId, takenUntil },
        task.definition.scopes,
        now,
      ),
    };
  });
}

/** reportCompleted and reportFailed: only a running run, or one already resolved the same way (idempotent). */
export function reportResult(
  ctx: QueueContext,
  taskId: string,
  runId: number,
  target: 'completed' | 'failed',
): Promise<TaskStatus> {
  return mutate(ctx, async (tx, fx, now) => {
    const { task, run } = await loadRun(
      tx,
      taskId,
      runId,
      `Task \`${taskId}\` not found. Are you sure it was created?`,
    );
    if (run.state === target && run.reasonResolved === target) return statusOf(task);
    if (run.state !== 'running') {
      throw conflict(`Run ${runId} of task \`${taskId}\` is not running or ${target}.`, { taskId, runId });
    }
    await resolveRun(tx, fx, task, run, { state: target, reason: target }, now);
    ctx.logger.info({ taskId, runId, state: target }, 'run resolved');
    return statusOf(task);
  });
}

/** `worker-shutdown` and `intermittent-task` retry while retries are left; the other reasons are final. */
export function reportException(
  ctx: QueueContext,
  taskId: string,
  runId: number,
  reason: ExceptionReason,
): Promise<TaskStatus> {
  return mutate(ctx, async (tx, fx, now) => {
    const { task, run } = await loadRun(
      tx,
      taskId,
      runId,
      `Task \`${taskId}\` not found. Are you sure it exists?`,
    );
    if (run.state === 'exception' && run.reasonResolved === reason && task.runs.length - 1 <= runId + 1) {
      return statusOf(task);
    }
    if (run.state !== 'running') throw resolvedOrNotRunning(taskId, runId);
    const retryAs =
      reason === 'worker-shutdown' ? 'retry' : reason === 'intermittent-task' ? 'task-retry' : undefined;
    await resolveRun(tx, fx, task, run, { state: 'exception', reason, ...(retryAs ? { retryAs } : {}) }, now);
    ctx.logger.info({ taskId, runId, state: 'exception', reason }, 'run resolved');
    return statusOf(task);
  });
}

/** The timer's work for one task: deadline first (it ends the task), else an expired claim. */
export async function resolveDue(
  ctx: QueueContext,
  tx: StorageTx,
  fx: Effects,
  task: TaskRecord,
  now: number,
): Promise<void> {
  const run: TaskRun | undefined = lastRun(task);
  const unresolved = !run || run.state === 'pending' || run.state === 'running';
  if (unresolved && Date.parse(task.definition.deadline) <= now) {
    if (!run) await resolveUnscheduled(tx, fx, task, 'deadline-exceeded', now);
    else await resolveRun(tx, fx, task, run, { state: 'exception', reason: 'deadline-exceeded' }, now);
    ctx.logger.info({ taskId: task.taskId, runId: task.runs.length - 1 }, 'task deadline exceeded');
    return;
  }
  if (run?.state === 'running' && run.takenUntil !== undefined && Date.parse(run.takenUntil) <= now) {
    await resolveRun(
      tx,
      fx,
      task,
      run,
      { state: 'exception', reason: 'claim-expired', retryAs: 'retry' },
      now,
    );
    ctx.logger.info({ taskId: task.taskId, runId: run.runId }, 'claim expired');
  }
}
