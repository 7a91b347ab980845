import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { TaskCanceledError } from '../../../src/errors.js';
import type { ReclaimResponse } from '../../../src/queue/types.js';
import { Reclaimer } from '../../../src/worker/reclaimer.js';
import { conflict, fastClock, serverError } from './fakes.js';

const log = pino({ level: 'silent' });

/** A reclaimer over a 20 s claim, in a clock 100x faster than real time. */
function setup(reply: (attempt: number) => Promise<ReclaimResponse>) {
  const clock = fastClock(100);
  let attempts = 0;
  const reclaimed: number[] = [];
  let resolveCancel: (error: TaskCanceledError) => void = () => undefined;
  const canceled = new Promise<TaskCanceledError>((resolve) => (resolveCancel = resolve));
  const reclaimer = new Reclaimer({
    reclaimTask: () => reply(attempts++),
    takenUntil: clock.now() + 20_000,
    clock,
    log,
    random: () => 0.5,
    onCancel: (error) => resolveCancel(error),
    onReclaimed: (takenUntil) => reclaimed.push(takenUntil),
  });
  const ok = (): Promise<ReclaimResponse> =>
    Promise.resolve({ takenUntil: new Date(clock.now() + 20_000).toISOString() } as ReclaimResponse);
  return { clock, reclaimer, reclaimed, canceled, ok, attempts: () => attempts };
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('reclaimer', () => {
  it('keeps reclaiming before takenUntil and follows the new takenUntil', async () => {
    const t = setup(() => t.ok());
    t.reclaimer.start();
    await until(() => t.reclaimed.length >= 3);
    await t.reclaimer.stop();
    const count = t.attempts();
    assert.ok(t.reclaimed[2]! > t.reclaimed[0]!);
    assert.equal(t.reclaimer.takenUntil, t.reclaimed.at(-1));
    // Stopped means stopped.
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(t.attempts(), count);
  });

  it('cancels the run when the reclaim answers 409', async () => {
    const t = setup(() => Promise.reject(conflict()));
    t.reclaimer.start();
    const error = await t.canceled;
    assert.ok(error instanceof TaskCanceledError);
    assert.match(error.message, /refused the reclaim/);
    await t.reclaimer.stop();
    assert.equal(t.attempts(), 1);
  });

  it('retries transient errors and carries on when a retry succeeds', async () => {
    const t = setup((attempt) => (attempt < 2 ? Promise.reject(serverError()) : t.ok()));
    t.reclaimer.start();
    await until(() => t.reclaimed.length >= 1);
    await t.reclaimer.stop();
    assert.equal(t.attempts(), 3);
  });

  it('retries network errors until the claim lapses, then cancels the run', async () => {
    const t = setup(() => Promise.reject(new Error('ECONNREFUSED')));
    t.reclaimer.start();
    const error = await t.canceled;
    assert.match(error.message, /claim expired/);
    assert.ok(t.attempts() > 1, `only ${t.attempts()} attempts`);
    assert.ok(t.clock.now() >= t.reclaimer.takenUntil);
    await t.reclaimer.stop();
  });

  it('cancels the run when a reclaim hangs past takenUntil', async () => {
    const t = setup(() => new Promise<ReclaimResponse>(() => undefined));
    t.reclaimer.start();
    const error = await t.canceled;
    assert.match(error.message, /claim expired/);
    await t.reclaimer.stop();
  });
});
