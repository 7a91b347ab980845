// The due timer and the pending notifier.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DueTimer } from '../../../src/local-queue/domain/due-timer.js';
import { InProcessNotifier } from '../../../src/local-queue/domain/pending-notifier.js';

describe('DueTimer', () => {
  test('fires at the earliest hinted time and re-arms for the next one', async () => {
    const fired: number[] = [];
    let next: number | undefined;
    const timer = new DueTimer({
      clock: () => Date.now(),
      onError: (error) => assert.fail(String(error)),
      fire: (now) => {
        fired.push(now);
        const result = next;
        next = undefined;
        return Promise.resolve(result);
      },
    });
    const start = Date.now();
    timer.hint(start + 10000);
    timer.hint(start + 50);
    next = start + 120;
    await new Promise((resolve) => setTimeout(resolve, 400));
    await timer.stop();
    assert.equal(fired.length, 2);
    assert.ok(fired[0]! >= start + 50);
    assert.ok(fired[1]! >= start + 120);
  });

  test('keeps going after a failing run', async () => {
    let calls = 0;
    const errors: unknown[] = [];
    const timer = new DueTimer({
      clock: () => Date.now(),
      onError: (error) => errors.push(error),
      fire: () => (++calls === 1 ? Promise.reject(new Error('boom')) : Promise.resolve(undefined)),
    });
    timer.hint(Date.now());
    await new Promise((resolve) => setTimeout(resolve, 1300));
    await timer.stop();
    assert.equal(errors.length, 1);
    assert.equal(calls, 2, 'retried after the failure');
  });
});

describe('InProcessNotifier', () => {
  test('wakes the subscribers of one queue only, and everyone on close', async () => {
    const notifier = new InProcessNotifier();
    const woken: string[] = [];
    const a = notifier.subscribe('p/a');
    const b = notifier.subscribe('p/b');
    void a.woken.then(() => woken.push('a'));
    void b.woken.then(() => woken.push('b'));
    notifier.notify('p/a');
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(woken, ['a']);
    const canceled = notifier.subscribe('p/c');
    canceled.cancel();
    notifier.close();
    await b.woken;
    await notifier.subscribe('p/d').woken;
    assert.deepEqual(woken, ['a', 'b']);
  });
});
