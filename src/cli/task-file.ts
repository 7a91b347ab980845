// Task definitions as users write them for `submit`: YAML or JSON, with the bookkeeping fields filled in.
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { parse } from 'yaml';

/** The task queue `submit` and `demo` use when a task names none. */
export const defaultTaskQueueId = 'tc-worker/local';

export class TaskFileError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TaskFileError';
  }
}

export async function readTaskFile(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new TaskFileError(`cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  let value: unknown;
  try {
    value = extname(path).toLowerCase() === '.json' ? JSON.parse(text) : parse(text);
  } catch (error) {
    throw new TaskFileError(`cannot parse ${path}: ${(error as Error).message}`, { cause: error });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new TaskFileError(`${path} must hold a task definition (a mapping with at least a payload)`);
  return value as Record<string, unknown>;
}

export interface TaskDefaults {
  now: Date;
  name: string;
  taskQueueId: string;
}

const hour = 60 * 60 * 1000;
const day = 24 * hour;

/**
 * Fills what createTask requires and a user rarely cares about: created (now), deadline (+1 h), expires
 * (+7 days), metadata, and the task queue unless the task names one (or its provisionerId and workerType).
 */
export function withTaskDefaults(
  task: Record<string, unknown>,
  defaults: TaskDefaults,
): Record<string, unknown> {
  const created = typeof task.created === 'string' ? new Date(task.created) : defaults.now;
  const deadline =
    typeof task.deadline === 'string' ? task.deadline : new Date(created.getTime() + hour).toISOString();
  const metadata = (
    typeof task.metadata === 'object' && task.metadata !== null ? task.metadata : {}
  ) as Record<string, unknown>;
  const namesQueue =
    task.taskQueueId !== undefined || (task.provisionerId !== undefined && task.workerType !== undefined);
  return {
    ...(namesQueue ? {} : { taskQueueId: defaults.taskQueueId }),
    ...task,
    created: created.toISOString(),
    deadline,
    expires:
      typeof task.expires === 'string' ? task.expires : new Date(created.getTime() + 7 * day).toISOString(),
    metadata: {
      name: defaults.name,
      description: `Submitted with tc-worker submit (${defaults.name})`,
      // A real queue wants an email address and a URL here.
      owner: 'nobody@example.com',
      source: 'https://github.com/taskcluster/taskcluster',
      ...metadata,
    },
  };
}

export function taskNameOf(path: string): string {
  return basename(path, extname(path));
}
