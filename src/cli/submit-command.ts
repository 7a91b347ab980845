// `tc-worker submit FILE`: creates a task through taskcluster-client and says where to watch it; with
// --wait (or --follow) polls until it resolves and exits 0 completed, 1 failed, 2 exception.
import tc from 'taskcluster-client';
import { describeError } from '../queue/queue-errors.js';
import { QueueRequestError } from '../queue/types.js';
import { toQueueRequestError } from '../queue/queue-errors.js';
import { exitCodes } from './exit-codes.js';
import type { CliIo } from './io.js';
import { artifactListUrl, artifactUrl, backingLogName, taskStatusUrl } from './queue-urls.js';
import {
  TaskFileError,
  defaultTaskQueueId,
  readTaskFile,
  taskNameOf,
  withTaskDefaults,
} from './task-file.js';

export interface SubmitOptions {
  file: string;
  rootUrl?: string | undefined;
  taskQueueId?: string | undefined;
  wait: boolean;
  follow: boolean;
  /** Between status polls, in ms. */
  pollIntervalMs?: number;
}

interface StatusQueue {
  createTask(taskId: string, task: unknown): Promise<unknown>;
  status(taskId: string): Promise<unknown>;
  listArtifacts(taskId: string, runId: number): Promise<unknown>;
}

interface RunStatus {
  runId: number;
  state: string;
  reasonResolved?: string;
  workerGroup?: string;
  workerId?: string;
}

interface Status {
  state: string;
  runs: RunStatus[];
}

const resolvedStates = new Set(['completed', 'failed', 'exception']);

export async function submitCommand(options: SubmitOptions, io: CliIo): Promise<number> {
  const rootUrl = options.rootUrl ?? io.env.TASKCLUSTER_ROOT_URL;
  if (!rootUrl) {
    io.stderr('tc-worker submit needs a queue: pass --root-url URL or set TASKCLUSTER_ROOT_URL\n');
    return exitCodes.usage;
  }
  let task: Record<string, unknown>;
  try {
    task = withTaskDefaults(await readTaskFile(options.file), {
      now: new Date(),
      name: taskNameOf(options.file),
      taskQueueId: options.taskQueueId ?? defaultTaskQueueId,
    });
  } catch (error) {
    if (!(error instanceof TaskFileError)) throw error;
    io.stderr(`${error.message}\n`);
    return exitCodes.dataError;
  }
  const { TASKCLUSTER_CLIENT_ID: clientId, TASKCLUSTER_ACCESS_TOKEN: accessToken } = io.env;
  const certificate = io.env.TASKCLUSTER_CERTIFICATE;
  const credentials =
    clientId && accessToken ? { clientId, accessToken, ...(certificate ? { certificate } : {}) } : undefined;
  const queue = new tc.Queue({ rootUrl, ...(credentials ? { credentials } : {}) }) as unknown as StatusQueue;
  const taskId = tc.slugid();
  return submitTask({ queue, rootUrl, taskId, task, options, io });
}

/** Creates the task and, when asked, follows it to its resolution. Also used by tests with a fake queue. */
export async function submitTask(args: {
  queue: StatusQueue;
  rootUrl: string;
  taskId: string;
  task: Record<string, unknown>;
  options: Pick<SubmitOptions, 'wait' | 'follow' | 'pollIntervalMs'>;
  io: CliIo;
}): Promise<number> {
  const { queue, rootUrl, taskId, task, options, io } = args;
  try {
    await queue.createTask(taskId, task);
  } catch (error) {
    const mapped = toQueueRequestError(error);
    io.stderr(`createTask failed: ${formatError(mapped)}\n`);
    return mapped instanceof QueueRequestError && mapped.statusCode < 500
      ? exitCodes.dataError
      : exitCodes.unavailable;
  }
  const queueName =
    typeof task.taskQueueId === 'string'
      ? task.taskQueueId
      : `${String(task.provisionerId)}/${String(task.workerType)}`;
  io.stdout(`taskId: ${taskId}\n`);
  io.stdout(`queue:  ${queueName}\n`);
  io.stdout(`status: ${taskStatusUrl(rootUrl, taskId)}\n`);
  io.stdout(`log:    ${artifactUrl(rootUrl, taskId, 0, backingLogName)} (once run 0 ends)\n`);
  io.stdout(`artifacts: ${artifactListUrl(rootUrl, taskId, 0)}\n`);
  if (!options.wait && !options.follow) return exitCodes.ok;

  let status: Status;
  try {
    status = await pollUntilResolved(queue, taskId, options.pollIntervalMs ?? 1000, io);
  } catch (error) {
    io.stderr(`cannot follow task ${taskId}: ${formatError(toQueueRequestError(error))}\n`);
    return exitCodes.unavailable;
  }
  const run = status.runs.at(-1);
  const runId = run?.runId ?? 0;
  io.stdout(
    `resolved: ${status.state}${run?.reasonResolved && run.reasonResolved !== status.state ? ` (${run.reasonResolved})` : ''}\n`,
  );
  if (run) {
    io.stdout(`log:    ${artifactUrl(rootUrl, taskId, runId, backingLogName)}\n`);
    await printArtifacts(queue, rootUrl, taskId, runId, io);
  }
  if (options.follow && run) await printLog(artifactUrl(rootUrl, taskId, runId, backingLogName), io);
  return status.state === 'completed'
    ? exitCodes.ok
    : status.state === 'failed'
      ? exitCodes.taskFailed
      : exitCodes.taskException;
}

async function pollUntilResolved(
  queue: StatusQueue,
  taskId: string,
  intervalMs: number,
  io: CliIo,
): Promise<Status> {
  let last = '';
  for (;;) {
    const { status } = (await queue.status(taskId)) as { status: Status };
    const run = status.runs.at(-1);
    const line = run
      ? `run ${run.runId} ${run.state}${run.workerId ? ` on ${run.workerGroup ?? '?'}/${run.workerId}` : ''}`
      : status.state;
    if (line !== last) io.stdout(`state:  ${line}\n`);
    last = line;
    if (resolvedStates.has(status.state)) return status;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

async function printArtifacts(
  queue: StatusQueue,
  rootUrl: string,
  taskId: string,
  runId: number,
  io: CliIo,
): Promise<void> {
  try {
    const { artifacts } = (await queue.listArtifacts(taskId, runId)) as {
      artifacts: Array<{ name: string }>;
    };
    for (const { name } of artifacts) io.stdout(`artifact: ${artifactUrl(rootUrl, taskId, runId, name)}\n`);
  } catch (error) {
    io.stderr(`cannot list artifacts: ${formatError(toQueueRequestError(error))}\n`);
  }
}

async function printLog(url: string, io: CliIo): Promise<void> {
  try {
    const response = await fetch(url);
    if (!response.ok) {
      io.stderr(`cannot fetch the log (${url}): HTTP ${response.status}\n`);
      return;
    }
    io.stdout('--- task log ---\n');
    io.stdout(await response.text());
    io.stdout('--- end of task log ---\n');
  } catch (error) {
    io.stderr(`cannot fetch the log (${url}): ${(error as Error).message}\n`);
  }
}

function formatError(error: unknown): string {
  const { message, statusCode, code } = describeError(error);
  return [statusCode, code, message].filter((part) => part !== undefined).join(' ');
}
