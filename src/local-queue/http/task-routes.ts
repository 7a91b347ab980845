// Task calls: create, read, schedule, rerun, cancel, task groups and dependents.
import type { CreateTaskRequest } from '../../generated/queue/create-task-request.js';
import type { TasksRequest } from '../../generated/queue/tasks-request.js';
import type { QueueContext } from '../domain/context.js';
import { statusOf } from '../domain/task-model.js';
import { cancelTask, createTask, rerunTask, scheduleTask } from '../domain/task-operations.js';
import { getStatus, getTask, getTasks, listDependentTasks, listTaskGroup } from '../domain/task-views.js';
import type { ApiRoute } from './api-route.js';
import { pageQuery, taskIdParam, withContinuation } from './params.js';

export function taskRoutes(ctx: QueueContext): ApiRoute[] {
  return [
    {
      method: 'PUT',
      paths: ['/task/:taskId'],
      name: 'createTask',
      input: 'queue/create-task-request',
      scopes: ['queue:create-task:project:<projectId>', 'queue:scheduler-id:<schedulerId>'],
      handler: async (req) => ({
        status: await createTask(ctx, taskIdParam(req), req.body as CreateTaskRequest),
      }),
    },
    {
      method: 'GET',
      paths: ['/task/:taskId'],
      name: 'task',
      handler: (req) => getTask(ctx, taskIdParam(req)),
    },
    {
      method: 'GET',
      paths: ['/task/:taskId/status'],
      name: 'status',
      handler: async (req) => ({ status: await getStatus(ctx, taskIdParam(req)) }),
    },
    {
      method: 'POST',
      paths: ['/tasks'],
      name: 'tasks',
      input: 'queue/tasks-request',
      handler: async (req) => {
        const { tasks, next } = await getTasks(ctx, (req.body as TasksRequest).taskIds, pageQuery(req));
        return withContinuation(
          { tasks: tasks.map((t) => ({ taskId: t.taskId, task: t.definition })) },
          next,
        );
      },
    },
    {
      method: 'POST',
      paths: ['/tasks/status'],
      name: 'statuses',
      input: 'queue/tasks-request',
      handler: async (req) => {
        const { tasks, next } = await getTasks(ctx, (req.body as TasksRequest).taskIds, pageQuery(req));
        return withContinuation(
          { statuses: tasks.map((t) => ({ taskId: t.taskId, status: statusOf(t) })) },
          next,
        );
      },
    },
    {
      method: 'POST',
      paths: ['/task/:taskId/schedule'],
      name: 'scheduleTask',
      scopes: ['queue:schedule-task:<schedulerId>/<taskGroupId>/<taskId>'],
      handler: async (req) => ({ status: await scheduleTask(ctx, taskIdParam(req)) }),
    },
    {
      method: 'POST',
      paths: ['/task/:taskId/rerun'],
      name: 'rerunTask',
      scopes: ['queue:rerun-task:<schedulerId>/<taskGroupId>/<taskId>'],
      handler: async (req) => ({ status: await rerunTask(ctx, taskIdParam(req)) }),
    },
    {
      method: 'POST',
      paths: ['/task/:taskId/cancel'],
      name: 'cancelTask',
      scopes: ['queue:cancel-task:<schedulerId>/<taskGroupId>/<taskId>'],
      handler: async (req) => ({ status: await cancelTask(ctx, taskIdParam(req)) }),
    },
    {
      method: 'GET',
      paths: ['/task-group/:taskGroupId/list'],
      name: 'listTaskGroup',
      handler: (req) => listTaskGroup(ctx, taskIdParam(req, 'taskGroupId'), pageQuery(req)),
    },
    {
      method: 'GET',
      paths: ['/task/:taskId/dependents'],
      name: 'listDependentTasks',
      handler: (req) => listDependentTasks(ctx, taskIdParam(req), pageQuery(req)),
    },
  ];
}
