import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TaskCanceledError, WorkerShutdownError } from '../../../src/errors.js';
import type { TaskRunOptions } from '../../../src/task-run/run-task.js';
import {
  FakeQueue,
  FakeRunner,
  capturingLog,
  collect,
  conflict,
  fastClock,
  makeWorker,
  nextEvent,
  serverError,
} from './fakes.js';

describe('worker task loop', () => {
  it('never claims more than its free capacity and claims again as soon as a slot frees', async () => {
    const clock = fastClock();
    const queue = new FakeQueue(clock);
    const runner = new FakeRunner();
    const worker = makeWorker(queue, runner, { capacity: 2, clock });
    const resolved = collect(worker, 'resolved');
    queue.add(5);
    const done = worker.run();
    for (let finished = 0; finished < 5; finished++) {
      const [first] = await runner.waitForLive(Math.min(2, 5 - finished));
      first!.finish({ kind: 'completed' });
      await nextEvent(worker, 'resolved');
    }
    worker.stop();
    const result = await done;
    assert.equal(runner.peak, 2);
    assert.equal(runner.started, 5);
    assert.ok(queue.requests.every((request) => request.tasks >= 1 && request.tasks <= 2));
    assert.deepEqual(queue.requests[0], { workerGroup: 'wg', workerId: 'w1', tasks: 2 });
    assert.equal(resolved.length, 5);
    assert.ok(
      resolved.every((event) => event.report === 'reported' && event.resolution.kind === 'completed'),
    );
    for (const run of queue.runs.values()) assert.deepEqual(run.reports, ['completed']);
    assert.deepEqual(result, { forced: false, tasksRun: 5 });
  });

  it('a slot that frees while a call long-polls gets a call of its own at once', async () => {
    const clock = fastClock();
    const queue = new FakeQueue(clock);
    const runner = new FakeRunner();
    const worker = makeWorker(queue, runner, { capacity: 2, clock });
    queue.add(1);
    const done = worker.run();
    const [first] = await runner.waitForLive(1);
    // One slot runs the task; the other long-polls.
    while (queue.inFlight < 1) await new Promise((resolve) => setTimeout(resolve, 1));
    first!.finish({ kind: 'completed' });
    await nextEvent(worker, 'resolved');
    while (queue.inFlight < 2) await new Promise((resolve) => setTimeout(resolve, 1));
    assert.deepEqual(
      queue.requests.map((request) => request.tasks),
      [2, 1, 1],
    );
    queue.add(2);
    await runner.waitForLive(2);
    assert.equal(runner.peak, 2);
    worker.stop({ graceful: false });
    await done;
  });

  it('asks for at most 32 tasks per call', async () => {
    const clock = fastClock();
    const queue = new FakeQueue(clock);
    const runner = new FakeRunner();
    const worker = makeWorker(queue, runner, { capacity: 100, clock });
    const done = worker.run();
    queue.add(40);
    await runner.waitForLive(40);
    assert.equal(queue.requests[0]!.tasks, 32);
    assert.equal(queue.requests[1]!.tasks, 32);
    assert.ok(queue.requests.every((request) => request.tasks <= 32));
    worker.stop({ graceful: false });
    await done;
  });

  it('passes the run its claim, an abortable signal and artifact calls only', async () => {
    const clock = fastClock();
    const queue = new FakeQueue(clock);
    const runner = new FakeRunner();
    const worker = makeWorker(queue, runner, { clock, workDir: '/work', keepTaskDirs: true });
    const [claim] = queue.add();
    const done = worker.run();
    const [live] = await runner.waitForLive(1);
    const options: TaskRunOptions = live!.options;
    assert.equal(options.taskId, claim!.status.taskId);
    assert.equal(options.runId, 0);
    assert.equal(options.workDir, '/work');
    assert.equal(options.keepTaskDir, true);
    assert.equal(options.signal.aborted, false);
    assert.deepEqual(Object.keys(options.artifacts).sort(), ['createArtifact', 'finishArtifact']);
    live!.finish({ kind: 'failed', reason: 'exit code 1' });
    await nextEvent(worker, 'resolved');
    assert.deepEqual(queue.runs.get(claim!.status.taskId)!.reports, ['failed']);
    worker.stop();
    await done;
  });

  it('reports each kind of resolution; canceled is not reported', async () => {
    const clock = fastClock();
    const queue = new FakeQueue(clock);
    const runner = new FakeRunner();
    const worker = makeWorker(queue, runner, { clock, capacity: 3 });
    const claims = queue.add(3);
    const done = worker.run();
    const live = await runner.waitForLive(3);
    const byId = new Map(live.map((run) => [run.options.taskId, run]));
    const resolved = collect(worker, 'resolved');
    byId
      .get(claims[0]!.status.taskId)!
      .finish({ kind: 'exception', reason: 'malformed-payload', message: 'x' });
    byId.get(claims[1]!.status.taskId)!.finish({ kind: 'canceled', message: 'x' });
    byId.get(claims[2]!.status.taskId)!.finish({ kind: 'completed' });
    while (resolved.length < 3) await nextEvent(worker, 'resolved');
    assert.deepEqual(
      claims.map((claim) => queue.runs.get(claim.status.taskId)!.reports),
      [['exception/malformed-payload'], [], ['completed']],
    );
    worker.stop();
    await done;
  });

  it('a reclaim answering 409 aborts the run with TaskCanceledError and reports nothing', async () => {
    const clock = fastClock(100);
    const queue = new FakeQueue(clock, 20);
    queue.onRun = (run) => run.reclaimReplies.push(() => Promise.reject(conflict()));
    const runner = new FakeRunner();
    const worker = makeWorker(queue, runner, { clock });
    const [claim] = queue.add();
    const done = worker.run();
    const [live] = await runner.waitForLive(1);
    const event = await nextEvent(worker, 'resolved');
    assert.ok(live!.options.signal.reason instanceof TaskCanceledError);
    assert.equal(event.resolution.kind, 'canceled');
    assert.equal(event.report, 'not-reported');
    assert.deepEqual(queue.runs.get(claim!.status.taskId)!.reports, []);
    // The worker goes on claiming.
    assert.equal(worker.state, 'running');
    worker.stop();
    await done;
  });

  it('reclaims while the run goes on and swaps nothing into the run', async () => {
    const clock = fastClock(100);
    const queue = new FakeQueue(clock, 20);
    const runner = new FakeRunner();
    const worker = makeWorker(queue, runner, { clock });
    const [claim] = queue.add();
    const done = worker.run();
    const [live] = await runner.waitForLive(1);
    await nextEvent(worker, 'reclaimed');
    await nextEvent(worker, 'reclaimed');
    assert.equal(live!.options.signal.aborted, false);
    live!.finish({ kind: 'completed' });
    await nextEvent(worker, 'resolved');
    const run = queue.runs.get(claim!.status.taskId)!;
    const reclaims = run.reclaims;
    assert.ok(reclaims >= 2);
    assert.deepEqual(run.reports, ['completed']);
    worker.stop();
    await done;
    assert.equal(run.reclaims, reclaims, 'no reclaim after the run ended');
  });

  it('a run that throws becomes exception/internal-error and the worker carries on', async () => {
    const clock = fastClock();
    const queue = new FakeQueue(clock);
    const runner = {
      runTask: (): Promise<never> => Promise.reject(new Error('bug in the run')),
    };
    const worker = makeWorker(queue, runner, { clock });
    const [first, second] = queue.add(2);
    const done = worker.run();
    await nextEvent(worker, 'resolved');
    const event = await nextEvent(worker, 'resolved');
    assert.equal(event.resolution.kind, 'exception');
    for (const claim of [first!, second!])
      assert.deepEqual(queue.runs.get(claim.status.taskId)!.reports, ['exception/internal-error']);
    worker.stop();
    await done;
  });

  it('retries reports that fail transiently', async () => {
    const clock = fastClock(10_000);
    const queue = new FakeQueue(clock);
    queue.onRun = (run) =>
      run.reportReplies.push(
        () => Promise.reject(serverError()),
        () => Promise.reject(serverError()),
      );
    const runner = new FakeRunner();
    runner.autoFinish = { kind: 'completed' };
    const worker = makeWorker(queue, runner, { clock });
    const [claim] = queue.add();
    const done = worker.run();
    const event = await nextEvent(worker, 'resolved');
    assert.equal(event.report, 'reported');
    assert.deepEqual(queue.runs.get(claim!.status.taskId)!.reports, ['completed']);
    worker.stop();
    await done;
  });

  it('claims nothing while the engine is unavailable, backing off, and claims again once it is back', async () => {
    const clock = fastClock(10_000);
    const queue = new FakeQueue(clock);
    const answers = [false, false, false];
    // How many claimWork calls had gone out at each question.
    const requestsWhenAsked: number[] = [];
    const runner = new FakeRunner();
    runner.autoFinish = { kind: 'completed' };
    const worker = makeWorker(queue, runner, {
      clock,
      engine: {
        available: () => {
          requestsWhenAsked.push(queue.requests.length);
          return Promise.resolve(answers.shift() ?? true);
        },
      },
    });
    const changes = collect(worker, 'engineAvailability');
    queue.add();
    const done = worker.run();
    await nextEvent(worker, 'resolved');
    // Three refusals and the answer that let the first claimWork go: none went out before.
    assert.deepEqual(requestsWhenAsked.slice(0, 4), [0, 0, 0, 0]);
    assert.equal(queue.requests.length >= 1, true);
    assert.deepEqual(changes, [{ available: false }, { available: true }], 'each change once');
    worker.stop();
    await done;
  });

  it('backs off after claimWork errors and recovers', async () => {
    const clock = fastClock(10_000);
    const queue = new FakeQueue(clock);
    queue.claimErrors.push(serverError(), new Error('ECONNRESET'));
    const runner = new FakeRunner();
    runner.autoFinish = { kind: 'completed' };
    const worker = makeWorker(queue, runner, { clock });
    const errors = collect(worker, 'claimError');
    queue.add();
    const done = worker.run();
    await nextEvent(worker, 'resolved');
    assert.equal(errors.length, 2);
    assert.ok(errors[1]!.retryInMs > errors[0]!.retryInMs, 'the back-off grows');
    worker.stop();
    await done;
  });
});

describe('worker shutdown', () => {
  it('a graceful stop ends an idle worker at once, aborting the long-poll', async () => {
    const clock = fastClock();
    const queue = new FakeQueue(clock);
    const { log, lines } = capturingLog();
    const worker = makeWorker(queue, new FakeRunner(), { clock, log });
    const states = collect(worker, 'state');
    const done = worker.run();
    while (queue.inFlight === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    worker.stop();
    assert.deepEqual(await done, { forced: false, tasksRun: 0 });
    assert.equal(queue.inFlight, 0);
    assert.deepEqual(
      states.map(({ to }) => to),
      ['running', 'draining', 'stopped'],
    );
    assert.equal(lines.filter((line) => line.msg === 'worker state changed').length, 3);
  });

  it('graceful stop lets running tasks finish; a second stop aborts them as worker-shutdown', async () => {
    const clock = fastClock();
    const queue = new FakeQueue(clock);
    const runner = new FakeRunner();
    const worker = makeWorker(queue, runner, { clock, capacity: 2 });
    const states = collect(worker, 'state');
    const [finishing, aborted] = queue.add(2);
    const done = worker.run();
    const live = await runner.waitForLive(2);
    worker.stop();
    assert.equal(worker.state, 'draining');
    const first = live.find((run) => run.options.taskId === finishing!.status.taskId)!;
    assert.equal(first.options.signal.aborted, false);
    first.finish({ kind: 'completed' });
    await nextEvent(worker, 'resolved');
    queue.add(); // not claimed any more
    worker.stop();
    const second = live.find((run) => run.options.taskId === aborted!.status.taskId)!;
    assert.ok(second.options.signal.reason instanceof WorkerShutdownError);
    const result = await done;
    assert.deepEqual(result, { forced: true, tasksRun: 2 });
    assert.deepEqual(queue.runs.get(finishing!.status.taskId)!.reports, ['completed']);
    assert.deepEqual(queue.runs.get(aborted!.status.taskId)!.reports, ['exception/worker-shutdown']);
    assert.equal(queue.pending.length, 1);
    assert.deepEqual(
      states.map(({ to }) => to),
      ['running', 'draining', 'aborting', 'stopped'],
    );
  });

  it('aborts running tasks when the grace period is over', async () => {
    const clock = fastClock(1000);
    const queue = new FakeQueue(clock);
    const runner = new FakeRunner();
    const worker = makeWorker(queue, runner, { clock, shutdownGracePeriod: 30 });
    const [claim] = queue.add();
    const done = worker.run();
    await runner.waitForLive(1);
    worker.stop();
    const result = await done;
    assert.equal(result.forced, true);
    assert.deepEqual(queue.runs.get(claim!.status.taskId)!.reports, ['exception/worker-shutdown']);
  });

  it('a forced stop aborts at once', async () => {
    const clock = fastClock();
    const queue = new FakeQueue(clock);
    const runner = new FakeRunner();
    const worker = makeWorker(queue, runner, { clock });
    queue.add();
    const done = worker.run();
    await runner.waitForLive(1);
    worker.stop({ graceful: false });
    assert.equal((await done).forced, true);
    assert.equal(worker.state, 'stopped');
  });
});
