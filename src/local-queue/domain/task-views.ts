// Read-only task calls: task, status, the bulk tasks/statuses, listTaskGroup and listDependentTasks.
import { notFound } from '../errors.js';
import type { PageQuery } from '../storage/types.js';
import { read, type QueueContext } from './context.js';
import { statusOf, type TaskDefinition, type TaskRecord, type TaskStatus } from './task-model.js';

const taskAndStatus = (task: TaskRecord) => ({ status: statusOf(task), task: task.definition });

export function getTask(ctx: QueueContext, taskId: string): Promise<TaskDefinition> {
  return read(ctx, async (tx) => {
    const task = await tx.getTask(taskId);
    if (!task) {
      throw notFound(
        `\`${taskId}\` does not correspond to a task that exists.\nAre you sure this task has already been submitted?`,
        { taskId },
      );
    }
    return task.definition;
  });
}

export function getStatus(ctx: QueueContext, taskId: string): Promise<TaskStatus> {
  return read(ctx, async (tx) => {
    const task = await tx.getTask(taskId);
    if (!task) {
      throw notFound(
        `\`${taskId}\` does not correspond to a task that exists.\nAre you sure this task exists?`,
        {
          taskId,
        },
      );
    }
    return statusOf(task);
  });
}

/** The bulk calls skip unknown taskIds, like the real queue; pages follow the order of `taskIds`. */
export function getTasks(ctx: QueueContext, taskIds: readonly string[], page: PageQuery) {
  return read(ctx, async (tx) => {
    const start = page.after === undefined ? 0 : Number.parseInt(page.after, 10) || 0;
    const slice = taskIds.slice(start, start + page.limit);
    const tasks = await tx.getTasks(slice);
    const next = start + page.limit < taskIds.length ? String(start + page.limit) : undefined;
    return { tasks, ...(next !== undefined ? { next } : {}) };
  });
}

export function listTaskGroup(ctx: QueueContext, taskGroupId: string, page: PageQuery) {
  return read(ctx, async (tx) => {
    const found = await tx.listTaskGroup(taskGroupId, page);
    if (found.rows.length === 0 && page.after === undefined) {
      throw notFound(`No task-group with taskGroupId: \`${taskGroupId}\``, { taskGroupId });
    }
    return {
      taskGroupId,
      tasks: found.rows.map(taskAndStatus),
      ...(found.next !== undefined ? { continuationToken: found.next } : {}),
    };
  });
}

export function listDependentTasks(ctx: QueueContext, taskId: string, page: PageQuery) {
  return read(ctx, async (tx) => {
    if (!(await tx.getTask(taskId)))
      throw notFound(`Task with taskId: \`${taskId}\` was not found`, { taskId });
    const found = await tx.listDependents(taskId, page);
    return {
      taskId,
      tasks: found.rows.map(taskAndStatus),
      ...(found.next !== undefined ? { continuationToken: found.next } : {}),
    };
  });
}
