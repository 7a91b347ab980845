// The worker: claims up to its capacity, runs each claim with runTask while a reclaimer keeps the claim alive,
// reports the resolution, and shuts down in two phases (drain, then abort as worker-shutdown).
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { WorkerShutdownError, toResolution, type Resolution } from '../errors.js';
import type { Engine } from '../engines/types.js';
import type { Plugin, RunCredentials, WorkerIdentity } from '../plugins/types.js';
import { describeError } from '../queue/queue-errors.js';
import { parseQueueTime } from '../queue/timestamps.js';
import type { RunArtifacts, RunQueue, TaskClaim, WorkerQueue } from '../queue/types.js';
import type { TaskRunOptions } from '../task-run/run-task.js';
import { backoffDelay } from './backoff.js';
import { Capacity } from './capacity.js';
import { systemClock, type Clock } from './clock.js';
import { Reclaimer } from './reclaimer.js';
import { orderedArtifacts } from './ordered-artifacts.js';
import { reportResolution, type ReportOutcome } from './report-resolution.js';
import type { WorkerEvents } from './worker-events.js';
import { WorkerStateMachine, type WorkerState } from './worker-state.js';

export interface WorkerSettings {
  readonly taskQueueId: string;
  readonly workerGroup: string;
  readonly workerId: string;
  readonly capacity: number;
  readonly workDir: string;
  readonly keepTaskDirs: boolean;
  /** Seconds running tasks may go on after a graceful stop. */
  readonly shutdownGracePeriod: number;
}

export interface WorkerOptions {
  readonly settings: WorkerSettings;
  readonly identity: WorkerIdentity;
  readonly queue: WorkerQueue;
  readonly engine: Engine;
  readonly plugins: readonly Plugin[];
  readonly validatePayload: (payload: unknown) => string[];
  readonly runTask: (options: TaskRunOptions) => Promise<Resolution>;
  readonly log: Logger;
  readonly clock?: Clock;
  readonly random?: () => number;
  /**
   * An empty claimWork answer that came back faster than this (ms) is followed by a pause of the rest, so a
   * queue that does not long-poll cannot make the loop spin. A real queue holds the request for ~20 s.
   */
  readonly minEmptyPollMs?: number;
  /** claimWork calls in flight at once, at most (default 4). */
  readonly maxConcurrentClaims?: number;
}

export interface WorkerResult {
  /** True when running tasks had to be aborted (second stop, forced stop or the grace period ran out). */
  readonly forced: boolean;
  readonly tasksRun: number;
}

export class Worker extends EventEmitter<WorkerEvents> {
  readonly #options: WorkerOptions;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #capacity: Capacity;
  readonly #state: WorkerStateMachine;
  /** Stops claiming (and any back-off sleep). */
  readonly #claiming = new AbortController();
  /** Aborts every run with a WorkerShutdownError. */
  readonly #shutdown = new AbortController();
  /** Cancels the grace-period timer once the worker stopped. */
  readonly #grace = new AbortController();
  readonly #runs = new Set<Promise<void>>();
  #wake: (() => void) | undefined;
  #running = false;
  #forced = false;
  #tasksRun = 0;
  #claimErrors = 0;
  /** Consecutive answers `false` of the engine's `available`; 0 while it is able. */
  #engineDown = 0;
  #engineCheck: Promise<boolean> | undefined;

  constructor(options: WorkerOptions) {
    super();
    this.#options = options;
    this.#log = options.log;
    this.#clock = options.clock ?? systemClock;
    this.#capacity = new Capacity(options.settings.capacity);
    this.#state = new WorkerStateMachine(options.log, (from, to) => this.#emit('state', { from, to }));
  }

  get state(): WorkerState {
    return this.#state.state;
  }

  /** Runs in progress. */
  get activeRuns(): number {
    return this.#capacity.running;
  }

  /** Claims and runs tasks until stopped; resolves once every run is reported. Call once. */
  async run(): Promise<WorkerResult> {
    if (this.#running) throw new Error('Worker.run() may be called once');
    this.#running = true;
    const { settings } = this.#options;
    if (this.#state.state === 'starting')
      this.#state.moveTo('running', { taskQueueId: settings.taskQueueId, capacity: settings.capacity });
    let fatal: unknown;
    try {
      await this.#claimLoop();
    } catch (error) {
      // A bug in the loop itself: stop everything rather than claim blindly.
      fatal = error;
      this.#log.fatal({ err: error }, 'claim loop failed');
      this.#abortRuns('claim loop failed');
    }
    while (this.#runs.size > 0) await Promise.all([...this.#runs]);
    this.#grace.abort();
    this.#state.moveTo('stopped', { tasksRun: this.#tasksRun, forced: this.#forced });
    if (fatal !== undefined)
      throw fatal instanceof Error ? fatal : new Error('claim loop failed', { cause: fatal });
    return { forced: this.#forced, tasksRun: this.#tasksRun };
  }

  /**
   * The first graceful stop stops claiming and lets running tasks finish within the grace period; a second
   * stop, or `graceful: false`, aborts them (they resolve exception/worker-shutdown).
   */
  stop(options: { graceful: boolean } = { graceful: true }): void {
    const state = this.#state.state;
    if (state === 'stopped' || state === 'aborting') return;
    if (!options.graceful || state === 'draining') {
      this.#abortRuns(state === 'draining' ? 'second stop' : 'forced stop');
      return;
    }
    const graceSeconds = this.#options.settings.shutdownGracePeriod;
    this.#state.moveTo('draining', { activeRuns: this.activeRuns, gracePeriodSeconds: graceSeconds });
    this.#claiming.abort();
    this.#wakeUp();
    void this.#clock.sleep(graceSeconds * 1000, this.#grace.signal).then(() => {
      if (!this.#grace.signal.aborted && this.#state.state === 'draining')
        this.#abortRuns('shutdown grace period is over');
    });
  }

  #abortRuns(why: string): void {
    if (!this.#state.canMoveTo('aborting')) return;
    this.#forced = true;
    this.#state.moveTo('aborting', { why, activeRuns: this.activeRuns });
    this.#claiming.abort();
    this.#shutdown.abort(new WorkerShutdownError(`the worker is shutting down (${why})`));
    this.#wakeUp();
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /**
   * Keeps claimWork calls going for every free slot: when a slot frees while another call long-polls, it
   * gets a call of its own rather than waiting up to 20 s for that one to return.
   */
  async #claimLoop(): Promise<void> {
    const signal = this.#claiming.signal;
    const maxPolls = this.#options.maxConcurrentClaims ?? 4;
    const polls = new Set<Promise<void>>();
    while (!signal.aborted) {
      const tasks = this.#capacity.claimSize();
      if (tasks > 0 && polls.size < maxPolls) {
        this.#capacity.reserve(tasks);
        const poll: Promise<void> = this.#poll(tasks).finally(() => {
          polls.delete(poll);
          this.#wakeUp();
        });
        polls.add(poll);
        continue;
      }
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
    // Aborted polls answer at once.
    await Promise.all([...polls]);
  }

  /**
   * False (after backing off) while the engine says it cannot run tasks: claiming then would only resolve
   * each claimed task exception/resource-unavailable at once. Concurrent polls share one check.
   */
  async #engineReady(signal: AbortSignal): Promise<boolean> {
    if (!this.#options.engine.available) return true;
    this.#engineCheck ??= this.#checkEngine(signal).finally(() => (this.#engineCheck = undefined));
    if (await this.#engineCheck) return true;
    const retryInMs = backoffDelay(
      this.#engineDown - 1,
      { initialMs: 1000, maxMs: 30_000 },
      this.#options.random,
    );
    await this.#clock.sleep(retryInMs, signal);
    return false;
  }

  /** Asks the engine; logs (and emits) each change of state once. */
  async #checkEngine(signal: AbortSignal): Promise<boolean> {
    const { engine } = this.#options;
    let available: boolean;
    try {
      available = (await engine.available?.(signal)) ?? true;
    } catch (error) {
      if (!signal.aborted) this.#log.error({ err: error }, 'engine availability check failed');
      available = false;
    }
    if (available) {
      if (this.#engineDown > 0) {
        this.#log.info({ engine: engine.name }, 'engine available again; claiming');
        this.#emit('engineAvailability', { available: true });
      }
      this.#engineDown = 0;
    } else {
      if (this.#engineDown === 0 && !signal.aborted) {
        this.#log.warn({ engine: engine.name }, 'engine unavailable; not claiming until it is back');
        this.#emit('engineAvailability', { available: false });
      }
      this.#engineDown += 1;
    }
    return available;
  }

  /** One claimWork call for `tasks` reserved slots; never rejects. */
  async #poll(tasks: number): Promise<void> {
    const { settings, queue } = this.#options;
    const signal = this.#claiming.signal;
    // The slots stay reserved while the engine is away, so the loop does not ask again at once.
    if (!(await this.#engineReady(signal))) {
      this.#capacity.settle(tasks, 0);
      return;
    }
    const started = this.#clock.now();
    let claims: TaskClaim[];
    try {
      claims = await queue.claimWork(
        settings.taskQueueId,
        { workerGroup: settings.workerGroup, workerId: settings.workerId, tasks },
        { signal },
      );
      this.#claimErrors = 0;
    } catch (error) {
      const retryInMs = backoffDelay(
        this.#claimErrors++,
        { initialMs: 1000, maxMs: 60_000 },
        this.#options.random,
      );
      this.#log.warn({ error: describeError(error), retryInMs }, 'claimWork failed');
      this.#emit('claimError', { error, retryInMs });
      // The slots stay reserved while backing off, so the loop does not retry them at once.
      await this.#clock.sleep(retryInMs, signal);
      this.#capacity.settle(tasks, 0);
      return;
    }
    const claimDurationMs = this.#clock.now() - started;
    if (claims.length === 0) {
      const minEmptyPollMs = this.#options.minEmptyPollMs ?? 1000;
      if (claimDurationMs < minEmptyPollMs) await this.#clock.sleep(minEmptyPollMs - claimDurationMs, signal);
      this.#capacity.settle(tasks, 0);
      return;
    }
    const accepted = this.#capacity.settle(tasks, claims.length);
    claims.forEach((claim, index) => {
      // The queue never hands out more than asked; if it did, give the extra runs straight back.
      if (index >= accepted) this.#track(this.#returnClaim(claim));
      else this.#startRun(claim, claimDurationMs);
    });
  }

  /** Runs a claim whose slot is already taken. */
  #startRun(claim: TaskClaim, claimDurationMs: number): void {
    this.#tasksRun += 1;
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      this.#capacity.release();
      this.#wakeUp();
    };
    this.#track(this.#runClaim(claim, claimDurationMs, release).finally(release));
  }

  #track(run: Promise<void>): void {
    const tracked: Promise<void> = run
      .catch((error: unknown) => this.#log.error({ err: error }, 'run bookkeeping failed'))
      .finally(() => this.#runs.delete(tracked));
    this.#runs.add(tracked);
  }

  async #returnClaim(claim: TaskClaim): Promise<void> {
    const log = this.#log.child({ taskId: claim.status.taskId, runId: claim.runId });
    log.error({ capacity: this.#capacity.total }, 'claim beyond capacity; returning it');
    const resolution: Resolution = {
      kind: 'exception',
      reason: 'worker-shutdown',
      message: 'claimed beyond capacity',
    };
    await reportResolution(this.#options.queue.forRun(claim), resolution, { clock: this.#clock, log });
  }

  /** `release` frees the run's slot: called once the task's processes are gone, right after the report is sent. */
  async #runClaim(claim: TaskClaim, claimDurationMs: number, release: () => void): Promise<void> {
    const { settings, identity } = this.#options;
    const taskId = claim.status.taskId;
    const runId = claim.runId;
    const ref = { taskId, runId };
    const log = this.#log.child(ref);
    const claimedAt = this.#clock.now();
    log.info({ takenUntil: claim.takenUntil, claimDurationMs }, 'task claimed');
    this.#emit('claimed', { ...ref, takenUntil: claim.takenUntil, claimDurationMs });

    // Without a client for the run nothing can be reported; the queue expires the claim.
    const runQueue: RunQueue = this.#options.queue.forRun(claim);
    const cancel = new AbortController();
    const signal = AbortSignal.any([this.#shutdown.signal, cancel.signal]);
    let reclaimer: Reclaimer | undefined;
    let resolution: Resolution;
    let cleanUp: (() => Promise<void>) | undefined;
    // Plugins that act for the task (the taskcluster proxy) follow the credentials each reclaim renews.
    const renewed = new Set<() => void>();
    const credentials: RunCredentials = {
      current: () => runQueue.credentials(),
      onRenewed: (listener) => {
        renewed.add(listener);
        return () => renewed.delete(listener);
      },
    };
    try {
      reclaimer = new Reclaimer({
        reclaimTask: () => runQueue.reclaimTask(),
        takenUntil: parseQueueTime(claim.takenUntil),
        clock: this.#clock,
        log,
        random: this.#options.random ?? Math.random,
        onCancel: (error) => cancel.abort(error),
        onReclaimed: (takenUntil) => {
          this.#emit('reclaimed', { ...ref, takenUntil: new Date(takenUntil).toISOString() });
          for (const listener of renewed) listener();
        },
      });
      reclaimer.start();
      // Plugins get the artifact calls only, never the reports.
      const artifacts: RunArtifacts = orderedArtifacts({
        createArtifact: (name, request) => runQueue.createArtifact(name, request),
        finishArtifact: (name, uploadId) => runQueue.finishArtifact(name, uploadId),
      });
      this.#emit('started', ref);
      resolution = await this.#options.runTask({
        taskId,
        runId,
        task: claim.task,
        engine: this.#options.engine,
        plugins: this.#options.plugins,
        validatePayload: this.#options.validatePayload,
        workDir: settings.workDir,
        keepTaskDir: settings.keepTaskDirs,
        artifacts,
        // Only the signing of download URLs: the engine never gets the run's credentials themselves.
        downloads: { downloadUrl: (fromTask, name) => runQueue.downloadUrl(fromTask, name) },
        credentials,
        worker: identity,
        // runTask binds {taskId, runId} itself.
        workerLog: this.#log,
        signal,
        deferCleanup: (work) => (cleanUp = work),
      });
    } catch (error) {
      log.error({ err: error }, 'task run threw');
      resolution = toResolution(error);
    } finally {
      await reclaimer?.stop();
    }
    // The queue no longer lets us hold the run: whatever the run made of it, reporting would be refused.
    if (cancel.signal.aborted && resolution.kind !== 'canceled')
      resolution = toResolution(cancel.signal.reason);
    const ranUntil = this.#clock.now();
    // The task is over (processes gone, artifacts uploaded). The report goes out first, so the queue records
    // this run as resolved before it hands this worker the next one (a capacity-1 worker never holds two
    // runs, even for a moment); the claim that release() wakes follows at once instead of waiting for the
    // report's answer.
    const reporting = this.#report(runQueue, resolution, log);
    release();
    // Removing the run's directory (synchronous when it is small) waits until both requests are written,
    // and then fills the time the queue takes to answer them.
    if (cleanUp) {
      const work = cleanUp;
      this.#track(new Promise((resolve) => setImmediate(resolve)).then(work));
    }
    const report = await reporting;
    const reportedAt = this.#clock.now();
    const timings = {
      runDurationMs: ranUntil - claimedAt,
      reportDurationMs: reportedAt - ranUntil,
      totalDurationMs: reportedAt - claimedAt,
    };
    log.info({ resolution: describeResolution(resolution), report, ...timings }, 'task resolved');
    this.#emit('resolved', { ...ref, resolution, report, ...timings });
  }

  async #report(runQueue: RunQueue, resolution: Resolution, log: Logger): Promise<ReportOutcome> {
    try {
      return await reportResolution(runQueue, resolution, {
        clock: this.#clock,
        log,
        random: this.#options.random ?? Math.random,
      });
    } catch (error) {
      log.error({ err: error }, 'reporting failed unexpectedly');
      return 'gave-up';
    }
  }

  // A listener that throws must not break the loop or a run.
  #emit<K extends keyof WorkerEvents>(event: K, ...args: WorkerEvents[K]): void {
    try {
      (this.emit as (event: K, ...args: WorkerEvents[K]) => boolean)(event, ...args);
    } catch (error) {
      this.#log.error({ err: error, event }, 'worker event listener threw');
    }
  }
}

function describeResolution(resolution: Resolution): Record<string, string> {
  switch (resolution.kind) {
    case 'completed':
      return { kind: 'completed' };
    case 'failed':
      return { kind: 'failed', reason: resolution.reason };
    case 'exception':
      return { kind: 'exception', reason: resolution.reason, message: resolution.message };
    case 'canceled':
      return { kind: 'canceled', message: resolution.message };
  }
}
