// What a transaction wants done once it has committed: events to emit, task queues whose long-polls to wake,
// and due times for the timer. Collected during the transaction so a rollback leaves no trace.
import type { QueueEvent, QueueEventMap, QueueEventName } from './queue-events.js';

export class Effects {
  readonly events: QueueEvent[] = [];
  readonly pendingQueues = new Set<string>();
  readonly dueTimes: number[] = [];

  emit<K extends QueueEventName>(name: K, payload: QueueEventMap[K][0]): void {
    this.events.push({ name, payload } as QueueEvent);
  }

  wake(taskQueueId: string): void {
    this.pendingQueues.add(taskQueueId);
  }

  due(time: number): void {
    this.dueTimes.push(time);
  }
}
