// How many tasks the worker may run now and how many to ask the queue for. Slots are reserved for the
// claimWork calls in flight, so that several calls at once (one per slot that freed while another call was
// long-polling) can never bring in more claims than the worker has room for.

/** The queue hands out at most 32 tasks per claimWork call. */
export const maxTasksPerClaim = 32;

export class Capacity {
  readonly total: number;
  #running = 0;
  #reserved = 0;

  constructor(total: number) {
    if (!Number.isInteger(total) || total < 1)
      throw new RangeError(`capacity must be an integer >= 1, not ${total}`);
    this.total = total;
  }

  /** Slots held by runs. */
  get running(): number {
    return this.#running;
  }

  /** Slots held for claimWork calls in flight. */
  get reserved(): number {
    return this.#reserved;
  }

  get free(): number {
    return this.total - this.#running - this.#reserved;
  }

  /** How many tasks the next claimWork call asks for (0: wait for a slot first). */
  claimSize(maxPerCall: number = maxTasksPerClaim): number {
    return Math.max(0, Math.min(this.free, maxPerCall));
  }

  /** Holds `count` free slots for a claimWork call. */
  reserve(count: number): void {
    if (!Number.isInteger(count) || count < 1 || count > this.free)
      throw new RangeError(`cannot reserve ${count} of ${this.free} free slots`);
    this.#reserved += count;
  }

  /**
   * A call that reserved `reserved` slots brought `received` claims: that many slots (never more than
   * reserved) now hold runs and the rest are free again. Returns how many claims fit.
   */
  settle(reserved: number, received: number): number {
    if (reserved > this.#reserved) throw new Error('capacity settled more than was reserved');
    const accepted = Math.min(Math.max(0, received), reserved);
    this.#reserved -= reserved;
    this.#running += accepted;
    return accepted;
  }

  /** A run ended. */
  release(): void {
    if (this.#running <= 0) throw new Error('capacity released more often than acquired');
    this.#running -= 1;
  }
}
