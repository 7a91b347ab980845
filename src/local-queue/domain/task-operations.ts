// createTask, scheduleTask, rerunTask and cancelTask, with the real queue's rules and messages.
import { isDeepStrictEqual } from 'node:util';
import type { CreateTaskRequest } from '../../generated/queue/create-task-request.js';
import { conflict, inputError, notFound } from '../errors.js';
import type { StorageTx } from '../storage/types.js';
import { DAY, iso } from '../time.js';
import { mutate, type QueueContext } from './context.js';
import type { Effects } from './effects.js';
import { addPendingRun, resolveRun, resolveUnscheduled } from './run-transitions.js';
import { normalizeTaskDefinition } from './task-definition.js';
import { lastRun, MAX_RUNS, statusOf, taskState, type TaskRecord, type TaskStatus } from './task-model.js';

const isSatisfied = (required: TaskRecord, requires: 'all-completed' | 'all-resolved'): boolean => {
  const state = taskState(required);
  return (
    state === 'completed' || (requires === 'all-resolved' && (state === 'failed' || state === 'exception'))
  );
};

/** A task queue is listed (listTaskQueues, getWorker) for a day after it was last used. */
export async function touchTaskQueue(tx: StorageTx, taskQueueId: string, now: number): Promise<void> {
  const existing = await tx.getTaskQueue(taskQueueId);
  await tx.putTaskQueue({
    taskQueueId,
    expires: iso(now + DAY),
    lastDateActive: iso(now),
    description: existing?.description ?? '',
    stability: existing?.stability ?? 'experimental',
  });
}

export function createTask(ctx: QueueContext, taskId: string, body: CreateTaskRequest): Promise<TaskStatus> {
  return mutate(ctx, async (tx, fx, now) => {
    const definition = normalizeTaskDefinition(taskId, body, now);
    const existing = await tx.getTask(taskId);
    if (existing) {
      // Idempotent: the same definition (created included) answers the current status.
      if (isDeepStrictEqual(existing.definition, definition)) return statusOf(existing);
      throw conflict(
        `taskId \`${taskId}\` already used by another task.\nThis could be the result of faulty idempotency!`,
        { taskId },
      );
    }

    const group = (await tx.listTaskGroup(definition.taskGroupId, { limit: 1 })).rows[0];
    if (group && group.definition.schedulerId !== definition.schedulerId) {
      throw conflict(
        `Task group \`${definition.taskGroupId}\` contains tasks with a schedulerId other\n` +
          `than \`${definition.schedulerId}\`. All tasks in the same task-group must have\nthe same schedulerId.`,
        { taskGroupId: definition.taskGroupId, schedulerId: definition.schedulerId },
      );
    }

    const others = definition.dependencies.filter((id) => id !== taskId);
    const required = await tx.getTasks(others);
    const found = new Set(required.map((task) => task.taskId));
    const missing = others.filter((id) => !found.has(id));
    const deadline = Date.parse(definition.deadline);
    const expiring = required.filter((task) => Date.parse(task.definition.expires) < deadline);
    if (missing.length > 0 || expiring.length > 0) throw dependencyError(missing, expiring);

    const task: TaskRecord = { taskId, definition, retriesLeft: definition.retries, runs: [] };
    await tx.insertTask(task);
    fx.due(deadline);
    fx.emit('task-defined', { status: statusOf(task) });
    await tx.addDependencies(
      definition.dependencies.map((requiredTaskId) => {
        const requiredTask = required.find((t) => t.taskId === requiredTaskId);
        return {
          dependentTaskId: taskId,
          requiredTaskId,
          requires: definition.requires,
          satisfied: requiredTask !== undefined && isSatisfied(requiredTask, definition.requires),
        };
      }),
    );
    await touchTaskQueue(tx, definition.taskQueueId, now);
    if (!(await tx.isBlocked(taskId))) await addPendingRun(tx, fx, task, 'scheduled', now);
    ctx.logger.info({ taskId, taskQueueId: definition.taskQueueId }, 'task created');
    return statusOf(task);
  });
}

function dependencyError(missing: string[], expiring: TaskRecord[]) {
  let message = '';
  if (missing.length > 0) {
    message +=
      '`task.dependencies` references non-existing tasks: \n' +
      missing.map((id) => ` * ${id}`).join('\n') +
      '\nAll taskIds in `task.dependencies` **must** exist\nbefore the task is created.\n';
  }
  if (expiring.length > 0) {
    message +=
      '`task.dependencies` references tasks that expires\nbefore `task.deadline` this is not allowed, see tasks: \n' +
      expiring.map((task) => ` * ${task.taskId},`).join('\n') +
      '\nAll taskIds in `task.dependencies` **must** have\n`task.expires` greater than the `deadline` for this task.\n';
  }
  return inputError(message, {
    missingTaskDependencies: missing,
    expiringTaskDependencies: expiring.map((t) => t.taskId),
  });
}

async function loadTask(tx: StorageTx, taskId: string, message: string): Promise<TaskRecord> {
  const task = await tx.getTask(taskId);
  if (!task) throw notFound(message, { taskId });
  return task;
}

const pastDeadline = (task: TaskRecord, now: number): boolean => Date.parse(task.definition.deadline) < now;

/** Forces an unscheduled task pending, whatever its dependencies; idempotent for any other state. */
export function scheduleTask(ctx: QueueContext, taskId: string): Promise<TaskStatus> {
  return mutate(ctx, async (tx, fx, now) => {
    const task = await loadTask(tx, taskId, `taskId \`${taskId}\` not found. Are you sure it exists?`);
    if (task.runs.length > 0) return statusOf(task);
    if (pastDeadline(task, now)) {
      throw conflict(
        `Task \`${taskId}\` can't be scheduled past its deadline at ${task.definition.deadline}.`,
      );
    }
    await addPendingRun(tx, fx, task, 'scheduled', now);
    return statusOf(task);
  });
}

/** Adds a new run to a resolved (or unscheduled) task and resets its retries. */
export function rerunTask(ctx: QueueContext, taskId: string): Promise<TaskStatus> {
  return mutate(ctx, async (tx, fx, now) => {
    const task = await loadTask(
      tx,
      taskId,
      `\`${taskId}\` does not correspond to a task that exists.\nAre you sure this task has been submitted before?`,
    );
    if (pastDeadline(task, now)) {
      throw conflict(
        `Task \`${taskId}\` can't be rescheduled past its deadline of ${task.definition.deadline}.`,
      );
    }
    const state = taskState(task);
    if (state === 'pending' || state === 'running') return statusOf(task);
    if (task.runs.length >= MAX_RUNS) {
      throw conflict(`Maximum number of runs reached (${MAX_RUNS}).`, { maxRunsAllowed: MAX_RUNS });
    }
    task.retriesLeft = task.definition.retries;
    await addPendingRun(tx, fx, task, task.runs.length === 0 ? 'scheduled' : 'rerun', now);
    return statusOf(task);
  });
}

/** Resolves the current run `exception/canceled` (adding one to an unscheduled task). */
export function cancelTask(ctx: QueueContext, taskId: string): Promise<TaskStatus> {
  return mutate(ctx, async (tx, fx, now) => {
    const task = await loadTask(tx, taskId, `Task \`${taskId}\` not found. Are you sure it was created?`);
    if (pastDeadline(task, now)) {
      throw conflict(
        `Task \`${taskId}\` can't be canceled past its deadline of ${task.definition.deadline}.`,
      );
    }
    await cancelInTx(tx, fx, task, now);
    return statusOf(task);
  });
}

async function cancelInTx(tx: StorageTx, fx: Effects, task: TaskRecord, now: number): Promise<void> {
  const run = lastRun(task);
  if (!run) {
    await resolveUnscheduled(tx, fx, task, 'canceled', now);
  } else if (run.state === 'pending' || run.state === 'running') {
    await resolveRun(tx, fx, task, run, { state: 'exception', reason: 'canceled' }, now);
  }
}
