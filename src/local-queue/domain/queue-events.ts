// Domain events, the in-process equivalent of the real queue's pulse exchanges, for a dashboard to follow.
// They are emitted after the transaction that caused them commits.
import { EventEmitter } from 'node:events';
import type { ArtifactView } from './artifact-model.js';
import type { TaskStatus } from './task-model.js';

export interface TaskEvent {
  status: TaskStatus;
  runId?: number;
  workerGroup?: string;
  workerId?: string;
}

export interface ArtifactCreatedEvent {
  status: TaskStatus;
  runId: number;
  artifact: ArtifactView;
  workerGroup?: string;
  workerId?: string;
}

export interface QueueEventMap {
  'task-defined': [TaskEvent];
  'task-pending': [TaskEvent];
  'task-running': [TaskEvent];
  'task-completed': [TaskEvent];
  'task-failed': [TaskEvent];
  'task-exception': [TaskEvent];
  'artifact-created': [ArtifactCreatedEvent];
}

export type QueueEventName = keyof QueueEventMap;

export type QueueEvent = {
  [K in QueueEventName]: { name: K; payload: QueueEventMap[K][0] };
}[QueueEventName];

export class QueueEvents extends EventEmitter<QueueEventMap> {}
