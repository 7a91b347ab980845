// Wakes long-polling claimWork calls the moment a run becomes pending on their task queue. In process for
// now; with several replicas a PostgreSQL LISTEN/NOTIFY channel per task queue implements the same interface.

export interface Subscription {
  /** Resolves on the next notification for the queue (or when the notifier closes). */
  readonly woken: Promise<void>;
  cancel(): void;
}

export interface PendingNotifier {
  /** Subscribe before looking for work, so a notification between the look and the wait is not lost. */
  subscribe(taskQueueId: string): Subscription;
  notify(taskQueueId: string): void;
  /** Wakes every subscriber; later subscriptions resolve at once. */
  close(): void;
}

export class InProcessNotifier implements PendingNotifier {
  private readonly waiters = new Map<string, Set<() => void>>();
  private closed = false;

  subscribe(taskQueueId: string): Subscription {
    let wake!: () => void;
    const woken = new Promise<void>((resolve) => (wake = resolve));
    if (this.closed) {
      wake();
      return { woken, cancel: () => undefined };
    }
    let set = this.waiters.get(taskQueueId);
    if (!set) {
      set = new Set();
      this.waiters.set(taskQueueId, set);
    }
    set.add(wake);
    const cancel = (): void => {
      const current = this.waiters.get(taskQueueId);
      current?.delete(wake);
      if (current?.size === 0) this.waiters.delete(taskQueueId);
    };
    return { woken, cancel };
  }

  notify(taskQueueId: string): void {
    const set = this.waiters.get(taskQueueId);
    if (!set) return;
    this.waiters.delete(taskQueueId);
    for (const wake of set) wake();
  }

  close(): void {
    this.closed = true;
    for (const set of this.waiters.values()) for (const wake of set) wake();
    this.waiters.clear();
  }
}
