// Task definitions, worker identities and directories for task-run, plugin and engine tests.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TaskDefinition } from '../../src/generated/queue/task-definition.js';
import type { WorkerIdentity } from '../../src/plugins/types.js';
import type { EngineTaskContext } from '../../src/engines/types.js';
import type { TaskLog } from '../../src/log/task-log.js';
import { silentLog } from '../../src/log/worker-log.js';
import { MemoryTaskLog } from './memory-task-log.js';

export const testWorker: WorkerIdentity = {
  rootUrl: 'https://tc.example.com',
  taskQueueId: 'test-prov/test-wt',
  workerGroup: 'test-group',
  workerId: 'test-worker',
  maxTaskRunTime: 3600,
};

export function makeTask(payload: unknown, overrides: Partial<TaskDefinition> = {}): TaskDefinition {
  const now = Date.now();
  return {
    provisionerId: 'test-prov',
    workerType: 'test-wt',
    taskQueueId: 'test-prov/test-wt',
    schedulerId: '-',
    projectId: 'none',
    taskGroupId: 'TjzryjyfQkihuo5gJr5L1w',
    dependencies: [],
    requires: 'all-completed',
    routes: [],
    priority: 'lowest',
    retries: 5,
    created: new Date(now).toISOString(),
    deadline: new Date(now + 60 * 60 * 1000).toISOString(),
    expires: new Date(now + 24 * 60 * 60 * 1000).toISOString(),
    scopes: [],
    payload: payload as object,
    metadata: {
      name: 'test',
      description: 'test',
      owner: 'nobody@example.com',
      source: 'https://example.com',
    },
    tags: {},
    extra: {},
    ...overrides,
  };
}

let counter = 0;
/** A unique 22-character task id for a test. */
export function newTaskId(): string {
  return `testTask${String(process.pid).padStart(7, '0')}${String(counter++).padStart(7, '0')}`.slice(0, 22);
}

/** A temporary directory, removed by the returned function. */
export async function tempDir(
  prefix = 'tc-worker-test-',
): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/**
 * What an engine gets for one task (EngineTaskContext) in engine tests: the payload as the task's, a task
 * log in memory, no worker log output, a signal nobody aborts unless given one.
 */
export function engineContext(options: {
  taskDir: string;
  payload: Record<string, unknown>;
  task?: Partial<TaskDefinition>;
  log?: TaskLog;
  signal?: AbortSignal;
  keepTaskDir?: boolean;
}): EngineTaskContext {
  return {
    taskId: newTaskId(),
    runId: 0,
    task: makeTask(options.payload, options.task),
    payload: options.payload,
    taskDir: options.taskDir,
    keepTaskDir: options.keepTaskDir ?? false,
    log: options.log ?? new MemoryTaskLog(),
    workerLog: silentLog(),
    signal: options.signal ?? new AbortController().signal,
  };
}
