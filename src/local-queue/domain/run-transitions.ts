// The run state machine. Each function changes a loaded TaskRecord, writes it through the transaction and
// records the effects (events, wake-ups, due times). Callers have checked that the transition is allowed.
import type { StorageTx } from '../storage/types.js';
import { iso } from '../time.js';
import type { Effects } from './effects.js';
import {
  activeDeadline,
  claimExpiry,
  priorityRank,
  statusOf,
  taskState,
  type ReasonCreated,
  type ReasonResolved,
  type TaskRecord,
  type TaskRun,
} from './task-model.js';

/** Persists the task and asks the timer to look at it when its next claim expiry or deadline comes. */
async function save(tx: StorageTx, fx: Effects, task: TaskRecord): Promise<void> {
  await tx.updateTask(task);
  const expiry = claimExpiry(task);
  if (expiry !== undefined) fx.due(expiry);
  const deadline = activeDeadline(task);
  if (deadline !== undefined) fx.due(deadline);
}

/** Adds a pending run and offers it to claimWork. */
export async function addPendingRun(
  tx: StorageTx,
  fx: Effects,
  task: TaskRecord,
  reasonCreated: ReasonCreated,
  now: number,
): Promise<TaskRun> {
  const run: TaskRun = { runId: task.runs.length, state: 'pending', reasonCreated, scheduled: iso(now) };
  task.runs.push(run);
  await save(tx, fx, task);
  const { taskQueueId, priority } = task.definition;
  await tx.addPending({
    taskQueueId,
    taskId: task.taskId,
    runId: run.runId,
    priorityRank: priorityRank(priority),
    inserted: now,
  });
  fx.wake(taskQueueId);
  fx.emit('task-pending', { status: statusOf(task), runId: run.runId });
  return run;
}

/** Hands a pending run to a worker. */
export async function startRun(
  tx: StorageTx,
  fx: Effects,
  task: TaskRecord,
  run: TaskRun,
  claim: { workerGroup: string; workerId: string; takenUntil: number; now: number },
): Promise<void> {
  run.state = 'running';
  run.workerGroup = claim.workerGroup;
  run.workerId = claim.workerId;
  run.takenUntil = iso(claim.takenUntil);
  run.started = iso(claim.now);
  await tx.removePending(task.taskId, run.runId);
  await save(tx, fx, task);
  fx.emit('task-running', {
    status: statusOf(task),
    runId: run.runId,
    workerGroup: claim.workerGroup,
    workerId: claim.workerId,
  });
}

export async function extendClaim(
  tx: StorageTx,
  fx: Effects,
  task: TaskRecord,
  run: TaskRun,
  takenUntil: number,
) {
  run.takenUntil = iso(takenUntil);
  await save(tx, fx, task);
}

export interface Resolution {
  state: 'completed' | 'failed' | 'exception';
  reason: ReasonResolved;
  /** For exceptions that retry while retries are left: the new run's reasonCreated. */
  retryAs?: ReasonCreated;
}

/**
 * Resolves the last run. With `retryAs` and retries left, a new pending run follows; otherwise the task is
 * resolved and the tasks waiting on it are told.
 */
export async function resolveRun(
  tx: StorageTx,
  fx: Effects,
  task: TaskRecord,
  run: TaskRun,
  resolution: Resolution,
  now: number,
): Promise<void> {
  const wasPending = run.state === 'pending';
  run.state = resolution.state;
  run.reasonResolved = resolution.reason;
  run.resolved = iso(now);
  if (wasPending) await tx.removePending(task.taskId, run.runId);
  const worker = {
    ...(run.workerGroup !== undefined ? { workerGroup: run.workerGroup } : {}),
    ...(run.workerId !== undefined ? { workerId: run.workerId } : {}),
  };
  if (resolution.retryAs !== undefined && task.retriesLeft > 0) {
    task.retriesLeft -= 1;
    await addPendingRun(tx, fx, task, resolution.retryAs, now);
    return;
  }
  await save(tx, fx, task);
  fx.emit(`task-${resolution.state}`, { status: statusOf(task), runId: run.runId, ...worker });
  await resolveDependents(tx, fx, task, now);
}

/** An unscheduled task that is resolved without ever running gets a run made for the occasion. */
export async function resolveUnscheduled(
  tx: StorageTx,
  fx: Effects,
  task: TaskRecord,
  reason: ReasonResolved,
  now: number,
): Promise<void> {
  const run: TaskRun = {
    runId: task.runs.length,
    state: 'exception',
    reasonCreated: 'exception',
    reasonResolved: reason,
    scheduled: iso(now),
    resolved: iso(now),
  };
  task.runs.push(run);
  await save(tx, fx, task);
  fx.emit('task-exception', { status: statusOf(task), runId: run.runId });
  await resolveDependents(tx, fx, task, now);
}

/**
 * Marks the edges into tasks waiting on `task` as satisfied (completed satisfies both `requires` values,
 * failed and exception only `all-resolved`) and schedules the ones no longer blocked.
 */
async function resolveDependents(tx: StorageTx, fx: Effects, task: TaskRecord, now: number): Promise<void> {
  const state = taskState(task);
  for (const edge of await tx.dependents(task.taskId)) {
    if (edge.satisfied) continue;
    if (state !== 'completed' && edge.requires !== 'all-resolved') continue;
    await tx.satisfyDependency(edge.dependentTaskId, edge.requiredTaskId);
    if (await tx.isBlocked(edge.dependentTaskId)) continue;
    const dependent = await tx.getTask(edge.dependentTaskId);
    if (!dependent || dependent.runs.length > 0) continue;
    if (Date.parse(dependent.definition.deadline) <= now) continue;
    await addPendingRun(tx, fx, dependent, 'scheduled', now);
  }
}
