import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Capacity, maxTasksPerClaim } from '../../../src/worker/capacity.js';

describe('capacity', () => {
  it('asks for the free slots, at most 32 per call', () => {
    assert.equal(new Capacity(1).claimSize(), 1);
    assert.equal(new Capacity(5).claimSize(), 5);
    assert.equal(new Capacity(100).claimSize(), maxTasksPerClaim);
    assert.equal(maxTasksPerClaim, 32);
  });

  it('reserves slots for calls in flight, so parallel calls never over-claim', () => {
    const capacity = new Capacity(3);
    capacity.reserve(capacity.claimSize());
    assert.equal(capacity.claimSize(), 0);
    assert.equal(capacity.settle(3, 1), 1);
    assert.deepEqual([capacity.running, capacity.reserved, capacity.free], [1, 0, 2]);
    capacity.reserve(2);
    capacity.release();
    // The slot that just freed gets its own call while the first one still long-polls.
    assert.equal(capacity.claimSize(), 1);
    capacity.reserve(1);
    assert.equal(capacity.settle(1, 1), 1);
    assert.equal(capacity.settle(2, 2), 2);
    assert.deepEqual([capacity.running, capacity.reserved, capacity.free], [3, 0, 0]);
  });

  it('accepts no more claims than were reserved', () => {
    const capacity = new Capacity(4);
    capacity.reserve(2);
    assert.equal(capacity.settle(2, 5), 2);
    assert.equal(capacity.running, 2);
    assert.equal(capacity.free, 2);
  });

  it('an empty answer or an error frees the reservation', () => {
    const capacity = new Capacity(2);
    capacity.reserve(2);
    assert.equal(capacity.settle(2, 0), 0);
    assert.equal(capacity.free, 2);
  });

  it('refuses impossible bookkeeping', () => {
    const capacity = new Capacity(2);
    assert.throws(() => capacity.reserve(3), RangeError);
    assert.throws(() => capacity.reserve(0), RangeError);
    assert.throws(() => capacity.settle(1, 0), /more than was reserved/);
    assert.throws(() => capacity.release(), /more often than acquired/);
    assert.throws(() => new Capacity(0), RangeError);
    assert.throws(() => new Capacity(1.5), RangeError);
  });
});
