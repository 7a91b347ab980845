import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { QueueRequestError, type TaskStatus } from '../../../src/queue/types.js';
import { reportResolution } from '../../../src/worker/report-resolution.js';
import { FakeRunQueue, conflict, fastClock, makeClaim, serverError } from './fakes.js';

const clock = fastClock(10_000);
const options = { clock, log: pino({ level: 'silent' }), random: () => 0.5 };
const run = (): FakeRunQueue => new FakeRunQueue(makeClaim(clock), clock, 1200);

describe('reporting a resolution', () => {
  it('maps each resolution to its call; canceled is never reported', async () => {
    const cases = [
      [{ kind: 'completed' }, ['completed'], 'reported'],
      [{ kind: 'failed', reason: 'exit 1' }, ['failed'], 'reported'],
      [
        { kind: 'exception', reason: 'malformed-payload', message: 'x' },
        ['exception/malformed-payload'],
        'reported',
      ],
      [{ kind: 'canceled', message: 'x' }, [], 'not-reported'],
    ] as const;
    for (const [resolution, calls, outcome] of cases) {
      const queue = run();
      assert.equal(await reportResolution(queue, resolution, options), outcome);
      assert.deepEqual(queue.reports, calls);
    }
  });

  it('swallows a 409', async () => {
    const queue = run();
    queue.reportReplies.push(() => Promise.reject(conflict()));
    assert.equal(await reportResolution(queue, { kind: 'completed' }, options), 'conflict');
  });

  it('retries transient errors', async () => {
    const queue = run();
    queue.reportReplies.push(
      () => Promise.reject(serverError()),
      () => Promise.reject(new Error('socket hang up')),
      () => Promise.resolve({} as TaskStatus),
    );
    assert.equal(await reportResolution(queue, { kind: 'failed', reason: 'x' }, options), 'reported');
    assert.deepEqual(queue.reports, ['failed']);
    assert.equal(queue.reportReplies.length, 0);
  });

  it('gives up on a final error and after too many transient ones', async () => {
    const forbidden = run();
    forbidden.reportReplies.push(
      () => Promise.reject(new QueueRequestError(403, 'InsufficientScopes', 'no')),
      () => Promise.resolve({} as TaskStatus),
    );
    assert.equal(await reportResolution(forbidden, { kind: 'completed' }, options), 'gave-up');
    assert.equal(forbidden.reportReplies.length, 1, 'a 403 is not retried');

    const flaky = run();
    for (let i = 0; i < 10; i++) flaky.reportReplies.push(() => Promise.reject(serverError()));
    assert.equal(
      await reportResolution(flaky, { kind: 'completed' }, { ...options, maxAttempts: 3 }),
      'gave-up',
    );
    assert.equal(flaky.reportReplies.length, 7);
  });
});
