// Worker metadata calls: task queue counts and listings, workers, provisioners and worker types (the last
// two derived from the task queues seen, as the real queue now does).
import { notFound } from '../errors.js';
import type { PageQuery, StorageTx } from '../storage/types.js';
import { decodeCursor, encodeCursor } from '../storage/cursor.js';
import { mutate, read, type QueueContext } from './context.js';
import { splitTaskQueueId, type TaskRecord } from './task-model.js';
import type { TaskQueueRecord, WorkerRecord } from './worker-model.js';

const withToken = (next: string | undefined) => (next !== undefined ? { continuationToken: next } : {});

export function taskQueueCounts(ctx: QueueContext, taskQueueId: string) {
  return read(ctx, async (tx) => ({
    ...splitTaskQueueId(taskQueueId),
    taskQueueId,
    pendingTasks: await tx.countPending(taskQueueId),
    claimedTasks: await tx.countClaimed(taskQueueId),
  }));
}

/** The deprecated pendingTasks call. */
export function pendingTasks(ctx: QueueContext, taskQueueId: string) {
  return read(ctx, async (tx) => ({
    ...splitTaskQueueId(taskQueueId),
    taskQueueId,
    pendingTasks: await tx.countPending(taskQueueId),
  }));
}

/** A page of listed runs joined with their tasks (a run whose task vanished meanwhile is left out). */
async function withTasks<R extends { taskId: string }, V>(
  tx: StorageTx,
  rows: readonly R[],
  view: (row: R, task: TaskRecord) => V,
): Promise<V[]> {
  const tasks = await tx.getTasks(rows.map((row) => row.taskId));
  const byId = new Map(tasks.map((task) => [task.taskId, task]));
  return rows.flatMap((row) => {
    const task = byId.get(row.taskId);
    return task ? [view(row, task)] : [];
  });
}

export function listPendingTasks(ctx: QueueContext, taskQueueId: string, page: PageQuery) {
  return read(ctx, async (tx) => {
    const found = await tx.listPending(taskQueueId, page);
    return {
      tasks: await withTasks(tx, found.rows, (row, task) => ({
        taskId: row.taskId,
        runId: row.runId,
        task: task.definition,
        inserted: new Date(row.inserted).toJSON(),
      })),
      ...withToken(found.next),
    };
  });
}

export function listClaimedTasks(ctx: QueueContext, taskQueueId: string, page: PageQuery) {
  return read(ctx, async (tx) => {
    const found = await tx.listClaimed(taskQueueId, page);
    return {
      tasks: await withTasks(tx, found.rows, (row, task) => ({
        taskId: row.taskId,
        runId: row.runId,
        workerGroup: row.workerGroup,
        workerId: row.workerId,
        claimed: new Date(row.claimed).toJSON(),
        task: task.definition,
      })),
      ...withToken(found.next),
    };
  });
}

/** getWorker's answer, in the field order of getWorker.response.json. */
const workerView = (worker: WorkerRecord) => ({
  taskQueueId: worker.taskQueueId,
  workerGroup: worker.workerGroup,
  workerId: worker.workerId,
  quarantineUntil: worker.quarantineUntil,
  expires: worker.expires,
  firstClaim: worker.firstClaim,
  recentTasks: worker.recentTasks,
  lastDateActive: worker.lastDateActive,
  ...splitTaskQueueId(worker.taskQueueId),
});

const workerNotFound = (taskQueueId: string, workerGroup: string, workerId: string) => {
  const { provisionerId, workerType } = splitTaskQueueId(taskQueueId);
  return notFound(
    `Worker with workerId \`${workerId}\`, workerGroup \`${workerGroup}\`,worker-type \`${workerType}\` and ` +
      `provisionerId \`${provisionerId}\` not found. Are you sure it was created?`,
  );
};

export function getWorker(ctx: QueueContext, taskQueueId: string, workerGroup: string, workerId: string) {
  return read(ctx, async (tx, now) => {
    const worker = await tx.getWorker(taskQueueId, workerGroup, workerId);
    const expired = worker && Date.parse(worker.expires) < now && Date.parse(worker.quarantineUntil) < now;
    if (!worker || expired || !(await tx.getTaskQueue(taskQueueId))) {
      throw workerNotFound(taskQueueId, workerGroup, workerId);
    }
    return workerView(worker);
  });
}

export function quarantineWorker(
  ctx: QueueContext,
  taskQueueId: string,
  workerGroup: string,
  workerId: string,
  quarantine: { quarantineUntil: string; quarantineInfo?: string },
) {
  return mutate(ctx, async (tx) => {
    const worker = await tx.getWorker(taskQueueId, workerGroup, workerId);
    if (!worker) throw workerNotFound(taskQueueId, workerGroup, workerId);
    const updated: WorkerRecord = {
      ...worker,
      quarantineUntil: new Date(quarantine.quarantineUntil).toJSON(),
      quarantineInfo: quarantine.quarantineInfo ?? worker.quarantineInfo,
    };
    await tx.putWorker(updated);
    return workerView(updated);
  });
}

export function listWorkers(
  ctx: QueueContext,
  taskQueueId: string,
  page: PageQuery,
  quarantined: boolean | undefined,
) {
  return read(ctx, async (tx, now) => {
    const found = await tx.listWorkers(taskQueueId, page);
    const workers = found.rows
      .filter((worker) => {
        const isQuarantined = Date.parse(worker.quarantineUntil) >= now;
        if (quarantined !== undefined && quarantined !== isQuarantined) return false;
        return Date.parse(worker.expires) >= now || isQuarantined;
      })
      .map((worker) => ({
        workerGroup: worker.workerGroup,
        workerId: worker.workerId,
        firstClaim: worker.firstClaim,
        lastDateActive: worker.lastDateActive,
        ...(worker.recentTasks.length > 0
          ? { latestTask: worker.recentTasks[worker.recentTasks.length - 1] }
          : {}),
        ...(Date.parse(worker.quarantineUntil) > now ? { quarantineUntil: worker.quarantineUntil } : {}),
      }));
    return { workers, ...withToken(found.next) };
  });
}

const taskQueueView = (q: TaskQueueRecord) => ({
  taskQueueId: q.taskQueueId,
  stability: q.stability,
  description: q.description,
  expires: q.expires,
  lastDateActive: q.lastDateActive,
});

export function listTaskQueues(ctx: QueueContext, page: PageQuery) {
  return read(ctx, async (tx) => {
    const found = await tx.listTaskQueues(page);
    return { taskQueues: found.rows.map(taskQueueView), ...withToken(found.next) };
  });
}

export function getTaskQueue(ctx: QueueContext, taskQueueId: string) {
  return read(ctx, async (tx) => {
    const queue = await tx.getTaskQueue(taskQueueId);
    if (!queue) {
      throw notFound(`Task queue with \`${taskQueueId}\` not found. Are you sure it was created?`, {
        taskQueueId,
      });
    }
    return taskQueueView(queue);
  });
}

/** Every task queue (few in an embedded queue), for the listings grouped by provisioner. */
async function allTaskQueues(ctx: QueueContext): Promise<TaskQueueRecord[]> {
  return read(ctx, async (tx) => {
    const all: TaskQueueRecord[] = [];
    let after: string | undefined;
    do {
      const page = await tx.listTaskQueues({ limit: 1000, ...(after !== undefined ? { after } : {}) });
      all.push(...page.rows);
      after = page.next;
    } while (after !== undefined);
    return all;
  });
}

/** Pages an in-memory list by position. */
function pageList<T>(items: T[], page: PageQuery): { rows: T[]; next?: string } {
  const start = page.after === undefined ? 0 : Number(decodeCursor(page.after, 1)[0]);
  const rows = items.slice(start, start + page.limit);
  return start + page.limit < items.length ? { rows, next: encodeCursor([start + page.limit]) } : { rows };
}

const newest = (queues: TaskQueueRecord[], field: 'expires' | 'lastDateActive'): string =>
  queues
    .map((q) => q[field])
    .sort()
    .at(-1) ?? new Date(0).toJSON();

export async function listProvisioners(ctx: QueueContext, page: PageQuery) {
  const queues = await allTaskQueues(ctx);
  const ids = [...new Set(queues.map((q) => splitTaskQueueId(q.taskQueueId).provisionerId))].sort();
  const found = pageList(ids, page);
  return {
    provisioners: found.rows.map((provisionerId) => provisionerView(provisionerId, queues)),
    ...withToken(found.next),
  };
}

function provisionerView(provisionerId: string, queues: TaskQueueRecord[]) {
  const mine = queues.filter((q) => splitTaskQueueId(q.taskQueueId).provisionerId === provisionerId);
  return {
    provisionerId,
    stability: 'experimental',
    description: '',
    expires: newest(mine, 'expires'),
    lastDateActive: newest(mine, 'lastDateActive'),
    actions: [],
  };
}

export async function getProvisioner(ctx: QueueContext, provisionerId: string) {
  const queues = await allTaskQueues(ctx);
  if (!queues.some((q) => splitTaskQueueId(q.taskQueueId).provisionerId === provisionerId)) {
    throw notFound(`Provisioner \`${provisionerId}\` not found. Are you sure it was created?`, {
      provisionerId,
    });
  }
  return provisionerView(provisionerId, queues);
}

const workerTypeView = (q: TaskQueueRecord) => ({
  ...splitTaskQueueId(q.taskQueueId),
  stability: q.stability,
  description: q.description,
  expires: q.expires,
  lastDateActive: q.lastDateActive,
});

export async function listWorkerTypes(ctx: QueueContext, provisionerId: string, page: PageQuery) {
  const queues = (await allTaskQueues(ctx)).filter(
    (q) => splitTaskQueueId(q.taskQueueId).provisionerId === provisionerId,
  );
  const found = pageList(queues, page);
  return { workerTypes: found.rows.map(workerTypeView), ...withToken(found.next) };
}

export function getWorkerType(ctx: QueueContext, taskQueueId: string) {
  return read(ctx, async (tx) => {
    const queue = await tx.getTaskQueue(taskQueueId);
    if (!queue) {
      const { provisionerId, workerType } = splitTaskQueueId(taskQueueId);
      throw notFound(
        `Worker-type \`${workerType}\` with Provisioner \`${provisionerId}\` not found. Are you sure it was created?`,
      );
    }
    return { ...workerTypeView(queue), actions: [] };
  });
}
