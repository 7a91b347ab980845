// Workers and task queues as the queue records them when workers call claimWork.

export interface RecentTask {
  taskId: string;
  runId: number;
}

export interface WorkerRecord {
  taskQueueId: string;
  workerGroup: string;
  workerId: string;
  firstClaim: string;
  lastDateActive: string;
  expires: string;
  quarantineUntil: string;
  quarantineInfo: string;
  recentTasks: RecentTask[];
}

export interface TaskQueueRecord {
  taskQueueId: string;
  expires: string;
  lastDateActive: string;
  description: string;
  stability: 'experimental' | 'stable' | 'deprecated';
}

/** getWorker keeps the last 20 claimed runs, like the real queue. */
export const RECENT_TASKS_KEPT = 20;
