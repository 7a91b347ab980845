// One timer set to the next due time (claim expiry or deadline) instead of a polling loop, so a claim expires
// a few milliseconds after its takenUntil. Whoever makes something due earlier calls `hint`.

/** setTimeout's largest delay; longer waits re-arm when it fires. */
const MAX_DELAY = 2 ** 31 - 1;

export interface DueTimerOptions {
  /** Handles everything due at `now` and returns the next due time, if any. */
  fire: (now: number) => Promise<number | undefined>;
  clock: () => number;
  onError: (error: unknown) => void;
}

export class DueTimer {
  private readonly options: DueTimerOptions;
  private timer: NodeJS.Timeout | undefined;
  private armedFor: number | undefined;
  private running: Promise<void> | undefined;
  /** A hint that arrived while firing; re-armed once the run ends. */
  private pendingHint: number | undefined;
  private stopped = false;

  constructor(options: DueTimerOptions) {
    this.options = options;
  }

  /** Something is due at `time` (ms): make sure the timer fires by then. */
  hint(time: number | undefined): void {
    if (time === undefined || this.stopped) return;
    if (this.running) {
      this.pendingHint = Math.min(this.pendingHint ?? Infinity, time);
      return;
    }
    if (this.armedFor !== undefined && this.armedFor <= time) return;
    this.arm(time);
  }

  stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    return this.running ?? Promise.resolve();
  }

  private arm(time: number): void {
    clearTimeout(this.timer);
    this.armedFor = time;
    const delay = Math.min(Math.max(0, time - this.options.clock()), MAX_DELAY);
    this.timer = setTimeout(() => this.onTimer(), delay);
    // The timer alone must not keep a process alive that has nothing else to do.
    this.timer.unref();
  }

  private onTimer(): void {
    this.timer = undefined;
    const armedFor = this.armedFor;
    this.armedFor = undefined;
    if (this.stopped) return;
    if (armedFor !== undefined && armedFor > this.options.clock()) {
      this.arm(armedFor);
      return;
    }
    this.running = this.options
      .fire(this.options.clock())
      .catch((error: unknown) => {
        this.options.onError(error);
        // Retry soon rather than never: the due work is still in the database.
        return this.options.clock() + 1000;
      })
      .then((next) => {
        this.running = undefined;
        const hinted = this.pendingHint;
        this.pendingHint = undefined;
        const time = Math.min(next ?? Infinity, hinted ?? Infinity);
        if (Number.isFinite(time)) this.hint(time);
      });
  }
}
