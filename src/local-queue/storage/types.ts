// What the queue's domain logic needs from a database. The SQLite implementation serves one process; a
// PostgreSQL one with several replicas must give the same guarantees: every `transaction` is atomic and
// isolated (serializable for the rows it touches), and `claimPending` never hands one entry to two
// concurrent transactions (Postgres: `SELECT ... FOR UPDATE SKIP LOCKED`).
import type { ClientRecord } from '../auth/clients.js';
import type { ArtifactRecord } from '../domain/artifact-model.js';
import type { ObjectRecord } from '../domain/object-model.js';
import type { TaskRecord } from '../domain/task-model.js';
import type { TaskQueueRecord, WorkerRecord } from '../domain/worker-model.js';

export interface PendingEntry {
  taskQueueId: string;
  taskId: string;
  runId: number;
  /** 0 is `highest`. */
  priorityRank: number;
  /** When the run became pending (ms). */
  inserted: number;
}

export interface ClaimedEntry {
  taskId: string;
  runId: number;
  workerGroup: string;
  workerId: string;
  /** When the run was claimed (ms). */
  claimed: number;
}

export interface DependencyEdge {
  dependentTaskId: string;
  requiredTaskId: string;
  requires: 'all-completed' | 'all-resolved';
  satisfied: boolean;
}

/** A page of rows and the opaque cursor of the next page, if there may be one. */
export interface Page<T> {
  rows: T[];
  next?: string;
}

export interface PageQuery {
  after?: string;
  limit: number;
}

export interface StorageTx {
  getTask(taskId: string): Promise<TaskRecord | undefined>;
  getTasks(taskIds: readonly string[]): Promise<TaskRecord[]>;
  insertTask(task: TaskRecord): Promise<void>;
  /** Writes the mutable part (retriesLeft, runs) and the columns derived from it. */
  updateTask(task: TaskRecord): Promise<void>;
  listTaskGroup(taskGroupId: string, page: PageQuery): Promise<Page<TaskRecord>>;

  addDependencies(edges: readonly DependencyEdge[]): Promise<void>;
  /** Edges whose required task is `taskId` (the tasks waiting on it). */
  dependents(requiredTaskId: string): Promise<DependencyEdge[]>;
  listDependents(requiredTaskId: string, page: PageQuery): Promise<Page<TaskRecord>>;
  satisfyDependency(dependentTaskId: string, requiredTaskId: string): Promise<void>;
  /** True while some edge into `dependentTaskId` is unsatisfied. */
  isBlocked(dependentTaskId: string): Promise<boolean>;

  addPending(entry: PendingEntry): Promise<void>;
  removePending(taskId: string, runId: number): Promise<void>;
  /** Pending entries of a queue, highest priority first, then oldest first. */
  peekPending(taskQueueId: string, limit: number): Promise<PendingEntry[]>;
  listPending(taskQueueId: string, page: PageQuery): Promise<Page<PendingEntry>>;
  countPending(taskQueueId: string): Promise<number>;
  listClaimed(taskQueueId: string, page: PageQuery): Promise<Page<ClaimedEntry>>;
  countClaimed(taskQueueId: string): Promise<number>;

  /** Tasks with an expired claim or a passed deadline at `now`, oldest due first. */
  dueTasks(now: number, limit: number): Promise<string[]>;
  /** The earliest claim expiry or deadline of an unresolved task (ms), if any. */
  nextDueTime(): Promise<number | undefined>;

  getArtifact(taskId: string, runId: number, name: string): Promise<ArtifactRecord | undefined>;
  /** Inserts or replaces the artifact (taskId, runId, name). */
  putArtifact(artifact: ArtifactRecord): Promise<void>;
  listArtifacts(taskId: string, runId: number, page: PageQuery): Promise<Page<ArtifactRecord>>;

  getObject(name: string): Promise<ObjectRecord | undefined>;
  /** Inserts or replaces the object `name`. */
  putObject(object: ObjectRecord): Promise<void>;

  getWorker(taskQueueId: string, workerGroup: string, workerId: string): Promise<WorkerRecord | undefined>;
  putWorker(worker: WorkerRecord): Promise<void>;
  listWorkers(taskQueueId: string, page: PageQuery): Promise<Page<WorkerRecord>>;
  getTaskQueue(taskQueueId: string): Promise<TaskQueueRecord | undefined>;
  putTaskQueue(taskQueue: TaskQueueRecord): Promise<void>;
  listTaskQueues(page: PageQuery): Promise<Page<TaskQueueRecord>>;

  /** Clients with credentials (the root client, those added with `tc-worker queue add-client`). */
  getClient(clientId: string): Promise<ClientRecord | undefined>;
  /** Inserts or replaces the client. */
  putClient(client: ClientRecord): Promise<void>;
  listClients(): Promise<ClientRecord[]>;

  getMeta(key: string): Promise<string | undefined>;
  putMeta(key: string, value: string): Promise<void>;
}

export interface QueueStorage {
  /** Runs `fn` atomically: every write commits together, or (when it throws) none does. */
  transaction<T>(fn: (tx: StorageTx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
