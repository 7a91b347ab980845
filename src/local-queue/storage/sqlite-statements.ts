// The SQL behind StorageTx for SQLite. Each statement runs synchronously; `promisify` gives them the
// promise-returning StorageTx type so that a PostgreSQL storage fits the same interface.
import type { ArtifactRecord, StorageType } from '../domain/artifact-model.js';
import { activeDeadline, claimExpiry, lastRun, taskState, type TaskRecord } from '../domain/task-model.js';
import type { TaskQueueRecord, WorkerRecord } from '../domain/worker-model.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { clientStatements } from './sqlite-client-statements.js';
import { objectStatements } from './sqlite-object-statements.js';
import type { ClaimedEntry, DependencyEdge, Page, PageQuery, PendingEntry, StorageTx } from './types.js';

/** Runs prepared statements on the one connection. */
export interface SqlRunner {
  all<R = Row>(sql: string, ...params: unknown[]): R[];
  get<R = Row>(sql: string, ...params: unknown[]): R | undefined;
  run(sql: string, ...params: unknown[]): void;
}

export type Row = Record<string, unknown>;

interface TaskRow {
  task_id: string;
  definition: string;
  retries_left: number;
  runs: string;
}

const taskFromRow = (row: TaskRow): TaskRecord => ({
  taskId: row.task_id,
  definition: JSON.parse(row.definition) as TaskRecord['definition'],
  retriesLeft: row.retries_left,
  runs: JSON.parse(row.runs) as TaskRecord['runs'],
});

interface ArtifactRow {
  task_id: string;
  run_id: number;
  name: string;
  storage_type: string;
  content_type: string;
  details: string;
  present: number;
  expires: string;
}

const artifactFromRow = (row: ArtifactRow): ArtifactRecord => ({
  taskId: row.task_id,
  runId: row.run_id,
  name: row.name,
  storageType: row.storage_type as StorageType,
  contentType: row.content_type,
  details: JSON.parse(row.details) as Record<string, unknown>,
  present: row.present === 1,
  expires: row.expires,
});

/** Splits `limit + 1` fetched rows into a page and a cursor built from the last row kept. */
const pageOf = <R, T>(rows: R[], limit: number, map: (row: R) => T, key: (row: R) => (string | number)[]) => {
  const kept = rows.slice(0, limit);
  const last = kept[kept.length - 1];
  const page: Page<T> = { rows: kept.map(map) };
  if (rows.length > limit && last !== undefined) page.next = encodeCursor(key(last));
  return page;
};

export type Sync<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => R : never;
};

const promisify = <T extends object>(sync: Sync<T>): T => {
  const wrapped: Record<string, unknown> = {};
  for (const [key, fn] of Object.entries(sync as Record<string, (...args: unknown[]) => unknown>)) {
    wrapped[key] = (...args: unknown[]) => {
      try {
        return Promise.resolve(fn(...args));
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    };
  }
  return wrapped as T;
};

/** The derived columns written next to a task's JSON, so SQL can find due, pending and claimed work. */
const taskColumns = (task: TaskRecord): unknown[] => {
  const expiry = claimExpiry(task);
  const run = lastRun(task);
  const claimedAt = expiry !== undefined && run?.started !== undefined ? Date.parse(run.started) : null;
  return [
    JSON.stringify(task.definition),
    task.retriesLeft,
    JSON.stringify(task.runs),
    taskState(task),
    expiry ?? null,
    claimedAt,
    activeDeadline(task) ?? null,
  ];
};

export function sqliteStatements(sql: SqlRunner): StorageTx {
  return promisify(syncStatements(sql));
}

function syncStatements(sql: SqlRunner): Sync<StorageTx> {
  const after = (query: PageQuery, arity: number) =>
    query.after === undefined ? undefined : decodeCursor(query.after, arity);
  return {
    getTask: (taskId) => {
      const row = sql.get<TaskRow>('SELECT * FROM tasks WHERE task_id = ?', taskId);
      return row ? taskFromRow(row) : undefined;
    },
    getTasks: (taskIds) => {
      if (taskIds.length === 0) return [];
      const rows = sql.all<TaskRow>(
        'SELECT t.* FROM json_each(?) AS j JOIN tasks AS t ON t.task_id = j.value ORDER BY j.key',
        JSON.stringify(taskIds),
      );
      return rows.map(taskFromRow);
    },
    insertTask: (task) => {
      sql.run(
        `INSERT INTO tasks (task_id, task_group_id, task_queue_id, definition, retries_left, runs, state,
           claim_expiry, claimed_at, active_deadline) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        task.taskId,
        task.definition.taskGroupId,
        task.definition.taskQueueId,
        ...taskColumns(task),
      );
    },
    updateTask: (task) => {
      const [, retriesLeft, runs, state, expiry, claimedAt, deadline] = taskColumns(task);
      sql.run(
        `UPDATE tasks SET retries_left = ?, runs = ?, state = ?, claim_expiry = ?, claimed_at = ?,
           active_deadline = ? WHERE task_id = ?`,
        retriesLeft,
        runs,
        state,
        expiry,
        claimedAt,
        deadline,
        task.taskId,
      );
    },
    listTaskGroup: (taskGroupId, query) => {
      const [last] = after(query, 1) ?? [''];
      const rows = sql.all<TaskRow>(
        'SELECT * FROM tasks WHERE task_group_id = ? AND task_id > ? ORDER BY task_id LIMIT ?',
        taskGroupId,
        last,
        query.limit + 1,
      );
      return pageOf(rows, query.limit, taskFromRow, (row) => [row.task_id]);
    },

    addDependencies: (edges) => {
      for (const edge of edges) {
        sql.run(
          `INSERT OR IGNORE INTO dependencies (dependent_task_id, required_task_id, requires, satisfied)
             VALUES (?, ?, ?, ?)`,
          edge.dependentTaskId,
          edge.requiredTaskId,
          edge.requires,
          edge.satisfied ? 1 : 0,
        );
      }
    },
    dependents: (requiredTaskId) =>
      sql
        .all<Row>(
          'SELECT * FROM dependencies WHERE required_task_id = ? ORDER BY dependent_task_id',
          requiredTaskId,
        )
        .map((row): DependencyEdge => ({
          dependentTaskId: row.dependent_task_id as string,
          requiredTaskId: row.required_task_id as string,
          requires: row.requires as DependencyEdge['requires'],
          satisfied: row.satisfied === 1,
        })),
    listDependents: (requiredTaskId, query) => {
      const [last] = after(query, 1) ?? [''];
      const rows = sql.all<TaskRow>(
        `SELECT t.* FROM dependencies AS d JOIN tasks AS t ON t.task_id = d.dependent_task_id
           WHERE d.required_task_id = ? AND d.dependent_task_id > ? ORDER BY d.dependent_task_id LIMIT ?`,
        requiredTaskId,
        last,
        query.limit + 1,
      );
      return pageOf(rows, query.limit, taskFromRow, (row) => [row.task_id]);
    },
    satisfyDependency: (dependentTaskId, requiredTaskId) => {
      sql.run(
        'UPDATE dependencies SET satisfied = 1 WHERE dependent_task_id = ? AND required_task_id = ?',
        dependentTaskId,
        requiredTaskId,
      );
    },
    isBlocked: (dependentTaskId) =>
      sql.get(
        'SELECT 1 FROM dependencies WHERE dependent_task_id = ? AND satisfied = 0 LIMIT 1',
        dependentTaskId,
      ) !== undefined,

    addPending: (entry) => {
      sql.run(
        `INSERT OR IGNORE INTO pending (task_queue_id, task_id, run_id, priority_rank, inserted)
           VALUES (?, ?, ?, ?, ?)`,
        entry.taskQueueId,
        entry.taskId,
        entry.runId,
        entry.priorityRank,
        entry.inserted,
      );
    },
    removePending: (taskId, runId) => {
      sql.run('DELETE FROM pending WHERE task_id = ? AND run_id = ?', taskId, runId);
    },
    peekPending: (taskQueueId, limit) =>
      sql
        .all<Row>(
          'SELECT * FROM pending WHERE task_queue_id = ? ORDER BY priority_rank, seq LIMIT ?',
          taskQueueId,
          limit,
        )
        .map(pendingFromRow),
    listPending: (taskQueueId, query) => {
      const [last] = after(query, 1) ?? [0];
      const rows = sql.all<Row>(
        'SELECT * FROM pending WHERE task_queue_id = ? AND seq > ? ORDER BY seq LIMIT ?',
        taskQueueId,
        last,
        query.limit + 1,
      );
      return pageOf(rows, query.limit, pendingFromRow, (row) => [row.seq as number]);
    },
    countPending: (taskQueueId) =>
      sql.get<{ n: number }>('SELECT count(*) AS n FROM pending WHERE task_queue_id = ?', taskQueueId)?.n ??
      0,
    listClaimed: (taskQueueId, query) => {
      const [claimedAfter, idAfter] = after(query, 2) ?? [-1, ''];
      const rows = sql.all<TaskRow & { claimed_at: number }>(
        `SELECT * FROM tasks WHERE task_queue_id = ? AND claim_expiry IS NOT NULL
           AND (claimed_at, task_id) > (?, ?) ORDER BY claimed_at, task_id LIMIT ?`,
        taskQueueId,
        claimedAfter,
        idAfter,
        query.limit + 1,
      );
      return pageOf(rows, query.limit, claimedFromRow, (row) => [row.claimed_at, row.task_id]);
    },
    countClaimed: (taskQueueId) =>
      sql.get<{ n: number }>(
        'SELECT count(*) AS n FROM tasks WHERE task_queue_id = ? AND claim_expiry IS NOT NULL',
        taskQueueId,
      )?.n ?? 0,

    dueTasks: (now, limit) =>
      sql
        .all<{ task_id: string }>(
          `SELECT task_id FROM (
             SELECT task_id, claim_expiry AS due FROM tasks WHERE claim_expiry IS NOT NULL AND claim_expiry <= ?
             UNION ALL
             SELECT task_id, active_deadline AS due FROM tasks
               WHERE active_deadline IS NOT NULL AND active_deadline <= ?
           ) GROUP BY task_id ORDER BY min(due) LIMIT ?`,
          now,
          now,
          limit,
        )
        .map((row) => row.task_id),
    nextDueTime: () => {
      const row = sql.get<{ a: number | null; b: number | null }>(
        `SELECT (SELECT min(claim_expiry) FROM tasks WHERE claim_expiry IS NOT NULL) AS a,
                (SELECT min(active_deadline) FROM tasks WHERE active_deadline IS NOT NULL) AS b`,
      );
      const times = [row?.a, row?.b].filter((t): t is number => typeof t === 'number');
      return times.length === 0 ? undefined : Math.min(...times);
    },

    getArtifact: (taskId, runId, name) => {
      const row = sql.get<ArtifactRow>(
        'SELECT * FROM artifacts WHERE task_id = ? AND run_id = ? AND name = ?',
        taskId,
        runId,
        name,
      );
      return row ? artifactFromRow(row) : undefined;
    },
    putArtifact: (a) => {
      sql.run(
        `INSERT OR REPLACE INTO artifacts (task_id, run_id, name, storage_type, content_type, details, present,
           expires) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        a.taskId,
        a.runId,
        a.name,
        a.storageType,
        a.contentType,
        JSON.stringify(a.details),
        a.present ? 1 : 0,
        a.expires,
      );
    },
    listArtifacts: (taskId, runId, query) => {
      const [last] = after(query, 1) ?? [''];
      const rows = sql.all<ArtifactRow>(
        `SELECT * FROM artifacts WHERE task_id = ? AND run_id = ? AND present = 1 AND name > ?
           ORDER BY name LIMIT ?`,
        taskId,
        runId,
        last,
        query.limit + 1,
      );
      return pageOf(rows, query.limit, artifactFromRow, (row) => [row.name]);
    },

    ...objectStatements(sql),
    ...clientStatements(sql),

    getWorker: (taskQueueId, workerGroup, workerId) => {
      const row = sql.get<{ data: string }>(
        'SELECT data FROM workers WHERE task_queue_id = ? AND worker_group = ? AND worker_id = ?',
        taskQueueId,
        workerGroup,
        workerId,
      );
      return row ? (JSON.parse(row.data) as WorkerRecord) : undefined;
    },
    putWorker: (worker) => {
      sql.run(
        'INSERT OR REPLACE INTO workers (task_queue_id, worker_group, worker_id, data) VALUES (?, ?, ?, ?)',
        worker.taskQueueId,
        worker.workerGroup,
        worker.workerId,
        JSON.stringify(worker),
      );
    },
    listWorkers: (taskQueueId, query) => {
      const [group, id] = after(query, 2) ?? ['', ''];
      const rows = sql.all<{ worker_group: string; worker_id: string; data: string }>(
        `SELECT * FROM workers WHERE task_queue_id = ? AND (worker_group, worker_id) > (?, ?)
           ORDER BY worker_group, worker_id LIMIT ?`,
        taskQueueId,
        group,
        id,
        query.limit + 1,
      );
      return pageOf(
        rows,
        query.limit,
        (row) => JSON.parse(row.data) as WorkerRecord,
        (row) => [row.worker_group, row.worker_id],
      );
    },
    getTaskQueue: (taskQueueId) => {
      const row = sql.get<{ data: string }>(
        'SELECT data FROM task_queues WHERE task_queue_id = ?',
        taskQueueId,
      );
      return row ? (JSON.parse(row.data) as TaskQueueRecord) : undefined;
    },
    putTaskQueue: (taskQueue) => {
      sql.run(
        'INSERT OR REPLACE INTO task_queues (task_queue_id, data) VALUES (?, ?)',
        taskQueue.taskQueueId,
        JSON.stringify(taskQueue),
      );
    },
    listTaskQueues: (query) => {
      const [last] = after(query, 1) ?? [''];
      const rows = sql.all<{ task_queue_id: string; data: string }>(
        'SELECT * FROM task_queues WHERE task_queue_id > ? ORDER BY task_queue_id LIMIT ?',
        last,
        query.limit + 1,
      );
      return pageOf(
        rows,
        query.limit,
        (row) => JSON.parse(row.data) as TaskQueueRecord,
        (row) => [row.task_queue_id],
      );
    },

    getMeta: (key) => sql.get<{ value: string }>('SELECT value FROM meta WHERE key = ?', key)?.value,
    putMeta: (key, value) => {
      sql.run('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)', key, value);
    },
  };
}

const pendingFromRow = (row: Row): PendingEntry => ({
  taskQueueId: row.task_queue_id as string,
  taskId: row.task_id as string,
  runId: row.run_id as number,
  priorityRank: row.priority_rank as number,
  inserted: row.inserted as number,
});

const claimedFromRow = (row: TaskRow & { claimed_at: number }): ClaimedEntry => {
  const task = taskFromRow(row);
  const run = lastRun(task);
  return {
    taskId: task.taskId,
    runId: run?.runId ?? 0,
    workerGroup: run?.workerGroup ?? '',
    workerId: run?.workerId ?? '',
    claimed: row.claimed_at,
  };
};
