// Task calls: create, read, schedule, rerun, cancel, task groups and dependents.
import type { CreateTaskRequest } from '../../generated/queue/create-task-request.js';
import type { TasksRequest } from '../../generated/queue/tasks-request.js';
import type { QueueContext } from '../domain/context.js';
import { statusOf } from '../domain/task-model.js';
import { cancelTask, createTask, rerunTask, scheduleTask } from '../domain/task-operations.js';
import { getStatus, getTask, getTasks, listDependentTasks, listTaskGroup } from '../domain/task-views.js';
import type { ScopeTemplate } from '../auth/scope-templates.js';
import type { ApiRoute } from './api-route.js';
import { pageQuery, taskIdParam, withContinuation } from './params.js';
import { createTaskScopeParams, existingTaskScopeParams, withBody } from './scope-params.js';

/** schedule, rerun and cancel: the task's own scope, its project's, or the legacy pair. */
const taskActionScopes = (action: string): ScopeTemplate => ({
  AnyOf: [
    `queue:${action}:<schedulerId>/<taskGroupId>/<taskId>`,
    `queue:${action}-in-project:<projectId>`,
    { AllOf: [`queue:${action}`, 'assume:scheduler-id:<schedulerId>/<taskGroupId>'] },
  ],
});

export function taskRoutes(ctx: QueueContext): ApiRoute[] {
  return [
    {
      method: 'PUT',
      paths: ['/task/:taskId'],
      name: 'createTask',
      input: 'queue/create-task-request',
      // The caller must hold every scope and route it gives the task, besides the right to create it.
      scopes: {
        AllOf: [
          { for: 'scope', in: 'scopes', each: '<scope>' },
          { for: 'route', in: 'routes', each: 'queue:route:<route>' },
          'queue:create-task:project:<projectId>',
          'queue:scheduler-id:<schedulerId>',
          {
            AnyOf: [
              {
                for: 'priority',
                in: 'priorities',
                each: 'queue:create-task:<priority>:<provisionerId>/<workerType>',
              },
            ],
          },
        ],
      },
      scopeParams: (req) => createTaskScopeParams(ctx, req),
      handler: async (req) => ({
        status: await createTask(ctx, taskIdParam(req), req.body as CreateTaskRequest),
      }),
    },
    {
      method: 'GET',
      paths: ['/task/:taskId'],
      name: 'task',
      scopes: 'queue:get-task:<taskId>',
      handler: (req) => getTask(ctx, taskIdParam(req)),
    },
    {
      method: 'GET',
      paths: ['/task/:taskId/status'],
      name: 'status',
      scopes: 'queue:status:<taskId>',
      handler: async (req) => ({ status: await getStatus(ctx, taskIdParam(req)) }),
    },
    {
      method: 'POST',
      paths: ['/tasks'],
      name: 'tasks',
      input: 'queue/tasks-request',
      scopes: { AllOf: [{ for: 'taskId', in: 'taskIds', each: 'queue:get-task:<taskId>' }] },
      scopeParams: (req) => withBody(req),
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
      scopes: { AllOf: [{ for: 'taskId', in: 'taskIds', each: 'queue:status:<taskId>' }] },
      scopeParams: (req) => withBody(req),
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
      scopes: taskActionScopes('schedule-task'),
      scopeParams: (req) => existingTaskScopeParams(ctx, req),
      handler: async (req) => ({ status: await scheduleTask(ctx, taskIdParam(req)) }),
    },
    {
      method: 'POST',
      paths: ['/task/:taskId/rerun'],
      name: 'rerunTask',
      scopes: taskActionScopes('rerun-task'),
      scopeParams: (req) => existingTaskScopeParams(ctx, req),
      handler: async (req) => ({ status: await rerunTask(ctx, taskIdParam(req)) }),
    },
    {
      method: 'POST',
      paths: ['/task/:taskId/cancel'],
      name: 'cancelTask',
      scopes: taskActionScopes('cancel-task'),
      scopeParams: (req) => existingTaskScopeParams(ctx, req),
      handler: async (req) => ({ status: await cancelTask(ctx, taskIdParam(req)) }),
    },
    {
      method: 'GET',
      paths: ['/task-group/:taskGroupId/list'],
      name: 'listTaskGroup',
      scopes: 'queue:list-task-group:<taskGroupId>',
      handler: (req) => listTaskGroup(ctx, taskIdParam(req, 'taskGroupId'), pageQuery(req)),
    },
    {
      method: 'GET',
      paths: ['/task/:taskId/dependents'],
      name: 'listDependentTasks',
      scopes: 'queue:list-dependent-tasks:<taskId>',
      handler: (req) => listDependentTasks(ctx, taskIdParam(req), pageQuery(req)),
    },
  ];
}
