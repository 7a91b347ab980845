// The stored shape of a task and the pure rules derived from it (state, status view, priority rank).
import type { TaskDefinition } from '../../generated/queue/task-definition.js';
import type { TaskRun } from '../../generated/queue/run.js';
import type { TaskStatus } from '../../generated/queue/task-status.js';

export type { TaskDefinition, TaskRun, TaskStatus };

export type TaskState = TaskStatus['state'];
export type RunState = TaskRun['state'];
export type ReasonCreated = TaskRun['reasonCreated'];
export type ReasonResolved = NonNullable<TaskRun['reasonResolved']>;

/** One task as the storage keeps it: the definition never changes, the rest is the run history. */
export interface TaskRecord {
  taskId: string;
  definition: TaskDefinition;
  retriesLeft: number;
  runs: TaskRun[];
}

/** Priorities from highest to lowest; the index is the claim order rank. `normal` is stored as `lowest`. */
export const PRIORITY_LEVELS = [
  'highest',
  'very-high',
  'high',
  'medium',
  'low',
  'very-low',
  'lowest',
] as const;

export const priorityRank = (priority: TaskDefinition['priority']): number => {
  const rank = PRIORITY_LEVELS.indexOf(priority === 'normal' ? 'lowest' : priority);
  return rank < 0 ? PRIORITY_LEVELS.length - 1 : rank;
};

/** The real queue refuses to add runs beyond this many. */
export const MAX_RUNS = 50;

export const lastRun = (task: TaskRecord): TaskRun | undefined => task.runs[task.runs.length - 1];

/** A task follows its last run; with no run it is `unscheduled`. */
export const taskState = (task: TaskRecord): TaskState => lastRun(task)?.state ?? 'unscheduled';

export const isResolvedState = (state: TaskState): state is 'completed' | 'failed' | 'exception' =>
  state === 'completed' || state === 'failed' || state === 'exception';

/** When the running run's claim expires (ms), if the last run is running. */
export const claimExpiry = (task: TaskRecord): number | undefined => {
  const run = lastRun(task);
  return run?.state === 'running' && run.takenUntil !== undefined ? Date.parse(run.takenUntil) : undefined;
};

/** When the deadline resolver must look at the task (ms), if it is not resolved yet. */
export const activeDeadline = (task: TaskRecord): number | undefined =>
  isResolvedState(taskState(task)) ? undefined : Date.parse(task.definition.deadline);

/** Runs as the real queue writes them: fixed key order, absent keys left out. */
const runView = (run: TaskRun): TaskRun => ({
  runId: run.runId,
  state: run.state,
  reasonCreated: run.reasonCreated,
  ...(run.reasonResolved !== undefined ? { reasonResolved: run.reasonResolved } : {}),
  ...(run.workerGroup !== undefined ? { workerGroup: run.workerGroup } : {}),
  ...(run.workerId !== undefined ? { workerId: run.workerId } : {}),
  ...(run.takenUntil !== undefined ? { takenUntil: run.takenUntil } : {}),
  scheduled: run.scheduled,
  ...(run.started !== undefined ? { started: run.started } : {}),
  ...(run.resolved !== undefined ? { resolved: run.resolved } : {}),
});

/** The `status` structure every task call answers with, in the real queue's field order. */
export const statusOf = (task: TaskRecord): TaskStatus => {
  const d = task.definition;
  return {
    taskId: task.taskId,
    provisionerId: d.provisionerId,
    workerType: d.workerType,
    taskQueueId: d.taskQueueId,
    schedulerId: d.schedulerId,
    projectId: d.projectId,
    taskGroupId: d.taskGroupId,
    priority: d.priority,
    deadline: d.deadline,
    expires: d.expires,
    retriesLeft: task.retriesLeft,
    state: taskState(task),
    runs: task.runs.map(runView),
  };
};

export const splitTaskQueueId = (taskQueueId: string): { provisionerId: string; workerType: string } => {
  const slash = taskQueueId.indexOf('/');
  return { provisionerId: taskQueueId.slice(0, slash), workerType: taskQueueId.slice(slash + 1) };
};

export const joinTaskQueueId = (provisionerId: string, workerType: string): string =>
  `${provisionerId}/${workerType}`;
