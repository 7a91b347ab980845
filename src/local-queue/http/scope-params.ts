// Scope parameters that are not in the URL: read from the body (createTask, claimWork, uploads) or from
// the task a call is about (its schedulerId, taskGroupId and projectId), the way the real queue fills them.
import type { CreateTaskRequest } from '../../generated/queue/create-task-request.js';
import { getTask } from '../domain/task-views.js';
import type { QueueContext } from '../domain/context.js';
import { normalizeTaskDefinition } from '../domain/task-definition.js';
import { PRIORITY_LEVELS, priorityRank } from '../domain/task-model.js';
import type { ScopeParams } from '../auth/scope-templates.js';
import type { ApiRequest } from './api-route.js';
import { taskIdParam } from './params.js';

/** createTask: the defaults filled in, and every priority at least as high as the task's. */
export function createTaskScopeParams(ctx: QueueContext, req: ApiRequest): ScopeParams {
  const definition = normalizeTaskDefinition(taskIdParam(req), req.body as CreateTaskRequest, ctx.clock());
  return {
    ...definition,
    priorities: PRIORITY_LEVELS.slice(0, priorityRank(definition.priority) + 1),
  };
}

/** Calls about an existing task: 404 for a missing one, as the real queue answers before checking scopes. */
export async function existingTaskScopeParams(ctx: QueueContext, req: ApiRequest): Promise<ScopeParams> {
  const taskId = taskIdParam(req);
  const { schedulerId, taskGroupId, projectId } = await getTask(ctx, taskId);
  return { taskId, schedulerId, taskGroupId, projectId };
}

/** URL parameters plus the body's top-level fields (claimWork's workerGroup/workerId, uploads' projectId). */
export const withBody = (req: ApiRequest, extra: ScopeParams = {}): ScopeParams => ({
  ...(typeof req.body === 'object' && req.body !== null ? (req.body as Record<string, unknown>) : {}),
  ...req.params,
  ...extra,
});
