// Turns a createTask body into the stored definition the way the real queue does: identifiers resolved
// both ways, defaults filled, timestamps checked and rewritten in the stored precision.
import type { CreateTaskRequest } from '../../generated/queue/create-task-request.js';
import { inputError } from '../errors.js';
import { addYears, DAY, iso, MINUTE, parseIso } from '../time.js';
import { joinTaskQueueId, splitTaskQueueId, type TaskDefinition } from './task-model.js';

/** The real queue's tolerance for clock drift between caller and queue. */
const DRIFT = 15 * MINUTE;
const MAX_DEADLINE = 5 * DAY;

export function normalizeTaskDefinition(
  taskId: string,
  body: CreateTaskRequest,
  now: number,
): TaskDefinition {
  let { provisionerId, workerType, taskQueueId } = body;
  if (provisionerId !== undefined && workerType !== undefined) {
    const joined = joinTaskQueueId(provisionerId, workerType);
    if (taskQueueId !== undefined && taskQueueId !== joined) {
      throw inputError('taskQueueId must match "provisionerId/workerType"', {
        provisionerId,
        workerType,
        taskQueueId,
      });
    }
    taskQueueId = joined;
  } else if (taskQueueId !== undefined) {
    ({ provisionerId, workerType } = splitTaskQueueId(taskQueueId));
  } else {
    throw inputError('at least a provisionerId and a workerType or a taskQueueId must be provided');
  }

  const created = parseIso(body.created);
  const deadline = parseIso(body.deadline);
  if (created < now - DRIFT) throw inputError('`created` cannot be in the past (max 15min drift)');
  if (created > now + DRIFT) throw inputError('`created` cannot be in the future (max 15min drift)');
  if (created > deadline) throw inputError('`deadline` cannot be later than `created`');
  if (deadline < now) throw inputError('`deadline` cannot be in the past');
  if (deadline - now > MAX_DEADLINE + DRIFT) {
    throw inputError('`deadline` cannot be more than 5 days into the future');
  }
  const expires = body.expires === undefined ? addYears(deadline, 1) : parseIso(body.expires);
  if (deadline > expires) throw inputError('`expires` cannot be before `deadline`');

  const scopes = body.scopes ?? [];
  if (scopes.some((scope) => scope.endsWith('**'))) throw inputError('scopes must not end with `**`');

  // Key order is the real queue's (task.response.json), so definitions read the same as from a real one.
  return {
    provisionerId,
    workerType,
    taskQueueId,
    schedulerId: body.schedulerId ?? '-',
    projectId: body.projectId ?? 'none',
    taskGroupId: body.taskGroupId ?? taskId,
    dependencies: body.dependencies ?? [],
    requires: body.requires ?? 'all-completed',
    routes: body.routes ?? [],
    priority: body.priority === undefined || body.priority === 'normal' ? 'lowest' : body.priority,
    retries: body.retries ?? 5,
    created: iso(created),
    deadline: iso(deadline),
    expires: iso(expires),
    scopes,
    payload: body.payload,
    metadata: {
      name: body.metadata.name,
      owner: body.metadata.owner,
      source: body.metadata.source,
      description: body.metadata.description,
    },
    tags: body.tags ?? {},
    extra: body.extra ?? {},
  };
}
