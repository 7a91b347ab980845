// The scopes the sandbox engine checks (hasScope is shared with the docker engine).
export { hasScope } from '../shared/has-scope.js';

/** `<provisionerId>/<workerType>` of the task, as scopes name it. */
export function taskQueueIdOf(task: {
  readonly taskQueueId?: string;
  readonly provisionerId?: string;
  readonly workerType?: string;
}): string {
  return task.taskQueueId ?? `${task.provisionerId ?? ''}/${task.workerType ?? ''}`;
}

/** The scope a task needs to be added to an OS group (generic-worker's). */
export function osGroupScope(taskQueueId: string, group: string): string {
  return `generic-worker:os-group:${taskQueueId}/${group}`;
}

/** The scope a task needs for the host's network, on a worker that allows it (`sandbox.allowNetwork`). */
export function networkScope(taskQueueId: string): string {
  return `tc-worker:sandbox:network:${taskQueueId}`;
}
