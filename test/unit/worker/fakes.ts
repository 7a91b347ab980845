// Fakes for the worker's unit tests: a queue that long-polls like the real one, scriptable run clients, a
// runTask whose runs the test finishes (or that end when aborted), a fast clock and a log that keeps lines.
import { pino, type Logger } from 'pino';
import { toResolution, type Resolution } from '../../../src/errors.js';
import type { Engine } from '../../../src/engines/types.js';
import type { WorkerIdentity } from '../../../src/plugins/types.js';
import {
  QueueRequestError,
  type ClaimWorkRequest,
  type CreateArtifactResponse,
  type ExceptionReasonForQueue,
  type ReclaimResponse,
  type RunQueue,
  type TaskClaim,
  type TaskStatus,
  type WorkerQueue,
} from '../../../src/queue/types.js';
import type { TaskRunOptions } from '../../../src/task-run/run-task.js';
import type { Clock } from '../../../src/worker/clock.js';
import type { WorkerEvents } from '../../../src/worker/worker-events.js';
import { Worker, type WorkerOptions, type WorkerSettings } from '../../../src/worker/worker.js';

/** Time runs `factor` times faster than real time: a 1 s back-off takes 1 ms. */
export function fastClock(factor = 1000): Clock {
  const start = Date.now();
  return {
    now: () => start + (Date.now() - start) * factor,
    sleep: (ms, signal) =>
      new Promise<void>((resolve) => {
        if (signal?.aborted) return resolve();
        const done = (): void => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, Math.max(0, ms / factor));
        signal?.addEventListener('abort', done, { once: true });
      }),
  };
}

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export function capturingLog(): { log: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line) as LogLine) });
  return { log, lines };
}

export const conflict = (): QueueRequestError =>
  new QueueRequestError(409, 'RequestConflict', 'Run 0 is resolved or not running');
export const serverError = (): QueueRequestError =>
  new QueueRequestError(500, 'InternalServerError', 'Internal Server Error');

let counter = 0;
export function makeClaim(clock: Clock, claimSeconds = 1200, taskId?: string): TaskClaim {
  counter += 1;
  const id = taskId ?? `task${String(counter).padStart(18, '0')}`;
  const status = { taskId: id } as unknown as TaskStatus;
  return {
    status,
    runId: 0,
    workerGroup: 'wg',
    workerId: 'w1',
    // The real queue writes this one with +00:00.
    takenUntil: new Date(clock.now() + claimSeconds * 1000).toISOString().replace('Z', '+00:00'),
    task: { payload: {} } as unknown as TaskClaim['task'],
    credentials: { clientId: `task-client/${id}/0`, accessToken: 'secret', certificate: '{}' },
  };
}

type Reply<T> = () => Promise<T>;

export class FakeRunQueue implements RunQueue {
  readonly taskId: string;
  readonly runId: number;
  readonly reports: string[] = [];
  reclaims = 0;
  /** Scripted answers, consumed in order; the default answers are successes. */
  readonly reclaimReplies: Array<Reply<ReclaimResponse>> = [];
  readonly reportReplies: Array<Reply<TaskStatus>> = [];
  readonly #clock: Clock;
  readonly #claimSeconds: number;

  constructor(claim: TaskClaim, clock: Clock, claimSeconds: number) {
    this.taskId = claim.status.taskId;
    this.runId = claim.runId;
    this.#clock = clock;
    this.#claimSeconds = claimSeconds;
  }

  credentials(): { clientId: string; accessToken: string } {
    return { clientId: `task-client/${this.taskId}/${this.runId}`, accessToken: 'secret' };
  }

  downloadUrl(taskId: string, name: string): string {
    return `https://tc.example.com/api/queue/v1/task/${taskId}/artifacts/${name}?bewit=fake`;
  }

  reclaimTask(): Promise<ReclaimResponse> {
    this.reclaims += 1;
    const reply = this.reclaimReplies.shift();
    if (reply) return reply();
    return Promise.resolve({
      takenUntil: new Date(this.#clock.now() + this.#claimSeconds * 1000).toISOString(),
    } as ReclaimResponse);
  }

  #report(what: string): Promise<TaskStatus> {
    const reply = this.reportReplies.shift();
    const answer = reply ? reply() : Promise.resolve({} as TaskStatus);
    return answer.then((status) => {
      this.reports.push(what);
      return status;
    });
  }

  reportCompleted(): Promise<TaskStatus> {
    return this.#report('completed');
  }
  reportFailed(): Promise<TaskStatus> {
    return this.#report('failed');
  }
  reportException(reason: ExceptionReasonForQueue): Promise<TaskStatus> {
    return this.#report(`exception/${reason}`);
  }
  createArtifact(): Promise<CreateArtifactResponse> {
    return Promise.resolve({ storageType: 'reference' } as CreateArtifactResponse);
  }
  finishArtifact(): Promise<void> {
    return Promise.resolve();
  }
}

/** Long-polls like the real queue: answers at once when tasks are pending, else when one arrives or on abort. */
export class FakeQueue implements WorkerQueue {
  readonly pending: TaskClaim[] = [];
  readonly requests: ClaimWorkRequest[] = [];
  readonly runs = new Map<string, FakeRunQueue>();
  /** Errors the next claimWork calls throw, in order. */
  readonly claimErrors: Error[] = [];
  /** Called when a FakeRunQueue is made, to script it. */
  onRun: (run: FakeRunQueue) => void = () => undefined;
  inFlight = 0;
  #waiters: Array<() => void> = [];
  readonly #clock: Clock;
  readonly #claimSeconds: number;

  constructor(clock: Clock, claimSeconds = 1200) {
    this.#clock = clock;
    this.#claimSeconds = claimSeconds;
  }

  add(count = 1): TaskClaim[] {
    const claims = Array.from({ length: count }, () => makeClaim(this.#clock, this.#claimSeconds));
    this.pending.push(...claims);
    for (const wake of this.#waiters.splice(0)) wake();
    return claims;
  }

  async claimWork(_taskQueueId: string, request: ClaimWorkRequest, options: { signal: AbortSignal }) {
    this.requests.push({ ...request });
    const error = this.claimErrors.shift();
    if (error !== undefined) throw error;
    this.inFlight += 1;
    try {
      while (this.pending.length === 0 && !options.signal.aborted) {
        await new Promise<void>((resolve) => {
          this.#waiters.push(resolve);
          options.signal.addEventListener('abort', () => resolve(), { once: true });
        });
      }
      if (options.signal.aborted) return [];
      return this.pending.splice(0, request.tasks);
    } finally {
      this.inFlight -= 1;
    }
  }

  forRun(claim: TaskClaim): RunQueue {
    const run = new FakeRunQueue(claim, this.#clock, this.#claimSeconds);
    this.runs.set(run.taskId, run);
    this.onRun(run);
    return run;
  }
}

interface LiveRun {
  options: TaskRunOptions;
  finish(resolution: Resolution): void;
}

/** A runTask whose runs end when the test finishes them, or when their signal aborts. */
export class FakeRunner {
  readonly live = new Map<string, LiveRun>();
  started = 0;
  peak = 0;
  /** Resolution for runs that end by themselves; undefined: runs wait for finish() or abort. */
  autoFinish: Resolution | undefined;
  #waiters: Array<() => void> = [];

  readonly runTask = (options: TaskRunOptions): Promise<Resolution> => {
    this.started += 1;
    return new Promise<Resolution>((resolve) => {
      const end = (resolution: Resolution): void => {
        this.live.delete(options.taskId);
        resolve(resolution);
      };
      this.live.set(options.taskId, { options, finish: end });
      this.peak = Math.max(this.peak, this.live.size);
      for (const wake of this.#waiters.splice(0)) wake();
      options.signal.addEventListener('abort', () => end(toResolution(options.signal.reason)), {
        once: true,
      });
      if (this.autoFinish) {
        const resolution = this.autoFinish;
        setTimeout(() => end(resolution), 1);
      }
    });
  };

  /** Resolves once `count` runs are live at once. */
  async waitForLive(count: number): Promise<LiveRun[]> {
    while (this.live.size < count) await new Promise<void>((resolve) => this.#waiters.push(resolve));
    return [...this.live.values()];
  }
}

export const identity: WorkerIdentity = {
  rootUrl: 'http://queue.invalid',
  taskQueueId: 'prov/wt',
  workerGroup: 'wg',
  workerId: 'w1',
  maxTaskRunTime: 3600,
};

export function makeWorker(
  queue: WorkerQueue,
  runner: Pick<FakeRunner, 'runTask'>,
  overrides: Partial<WorkerSettings> & { clock?: Clock; log?: Logger; engine?: Partial<Engine> } = {},
): Worker {
  const { clock, log, engine, ...settings } = overrides;
  const options: WorkerOptions = {
    settings: {
      taskQueueId: 'prov/wt',
      workerGroup: 'wg',
      workerId: 'w1',
      capacity: 1,
      workDir: '/nonexistent',
      keepTaskDirs: false,
      shutdownGracePeriod: 300,
      ...settings,
    },
    identity,
    queue,
    engine: { name: 'fake', payloadSchema: {}, ...engine } as unknown as Engine,
    plugins: [],
    validatePayload: () => [],
    runTask: runner.runTask,
    log: log ?? pino({ level: 'silent' }),
    ...(clock ? { clock } : {}),
    random: () => 0.5,
  };
  return new Worker(options);
}

/** Resolves with the next `event` the worker emits. */
export function nextEvent<K extends keyof WorkerEvents>(
  worker: Worker,
  event: K,
): Promise<WorkerEvents[K][0]> {
  return new Promise((resolve) => {
    const once = worker.once.bind(worker) as (
      event: K,
      listener: (arg: WorkerEvents[K][0]) => void,
    ) => Worker;
    once(event, resolve);
  });
}

/** Every `event` the worker emits from now on. */
export function collect<K extends keyof WorkerEvents>(worker: Worker, event: K): Array<WorkerEvents[K][0]> {
  const seen: Array<WorkerEvents[K][0]> = [];
  const on = worker.on.bind(worker) as (event: K, listener: (arg: WorkerEvents[K][0]) => void) => Worker;
  on(event, (arg) => seen.push(arg));
  return seen;
}
