import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelay } from '../../../src/worker/backoff.js';
import { reclaimDelay, reclaimRetryDelay } from '../../../src/worker/reclaim-timing.js';

describe('reclaim timing', () => {
  it('reclaims after a third of the remaining time, for short and long claims alike', () => {
    assert.equal(reclaimDelay(20_000), 6666);
    assert.equal(reclaimDelay(20 * 60_000), 400_000);
    assert.equal(reclaimDelay(3000), 1000);
  });

  it('reclaims at once when the claim is already (nearly) over', () => {
    assert.equal(reclaimDelay(0), 0);
    assert.equal(reclaimDelay(-5000), 0);
  });

  it('retries with growing delays that always leave room before the claim lapses', () => {
    const mid = (): number => 0.5; // no jitter
    assert.equal(reclaimRetryDelay(0, 20 * 60_000, mid), 1000);
    assert.equal(reclaimRetryDelay(3, 20 * 60_000, mid), 8000);
    assert.equal(reclaimRetryDelay(20, 20 * 60_000, mid), 60_000);
    // A 20 s claim with 9 s left: never more than 3 s.
    assert.equal(reclaimRetryDelay(5, 9000, mid), 3000);
    assert.equal(reclaimRetryDelay(0, -1, mid), 0);
  });

  it('back-off jitter stays within its spread and under the maximum', () => {
    const options = { initialMs: 1000, maxMs: 10_000, jitter: 0.25 };
    assert.equal(
      backoffDelay(0, options, () => 0),
      750,
    );
    assert.equal(
      backoffDelay(0, options, () => 0.999999),
      1250,
    );
    assert.equal(
      backoffDelay(10, options, () => 0.999999),
      10_000,
    );
  });
});
