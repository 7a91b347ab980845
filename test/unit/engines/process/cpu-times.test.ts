// CPU time of reaped children, read from the main thread's stat file: the same process-wide totals as
// /proc/self/stat, growing by what a finished child used.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { childCpuTimes } from '../../../../src/engines/process/cpu-times.js';
import { procStatFields } from '../../../../src/engines/shared/proc-stat.js';

describe('children’s CPU time', () => {
  it('is the process-wide total of reaped children, and grows by what a child used', () => {
    const before = childCpuTimes();
    assert.ok(before, 'readable on Linux');
    // About 0.1 s of CPU in a child, well above the 10 ms clock tick.
    spawnSync('sh', ['-c', 'i=0; while [ $i -lt 150000 ]; do i=$((i+1)); done']);
    const after = childCpuTimes();
    assert.ok(after);
    const used = after.userSeconds + after.kernelSeconds - before.userSeconds - before.kernelSeconds;
    assert.ok(used >= 0.02, `the child's CPU time is counted (${used} s)`);
    const whole = procStatFields(readFileSync('/proc/self/stat', 'latin1'));
    assert.equal(after.userSeconds, Number(whole[13]) / 100, 'the same cutime as /proc/self/stat');
  });
});
