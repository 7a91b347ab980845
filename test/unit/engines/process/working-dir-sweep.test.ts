import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { realpathSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  bornSinceRange,
  type BornSince,
  killProcessesWorkingIn,
  processesWorkingIn,
} from '../../../../src/engines/process/working-dir-sweep.js';
import { tempDir } from '../../../helpers/task-fixtures.js';

/** `bornSinceRange` as a test of one PID, as the sweep applies it. */
const bornSinceFilter = (since: BornSince): ((pid: number) => boolean) => {
  const range = bornSinceRange(since);
  return range ? (pid) => pid >= range.first && pid <= range.last : () => true;
};

describe('working-directory sweep', () => {
  it('passes over processes older than the command while the PIDs cannot have wrapped', () => {
    const child = spawn('true');
    const filter = bornSinceFilter({ pid: child.pid!, startedAt: performance.now() });
    assert.equal(filter(child.pid!), true);
    // This test's own process is older than the command.
    assert.equal(filter(process.pid), false);
  });

  it('looks at every process once a whole lap of PIDs may have passed', () => {
    const child = spawn('true');
    const filter = bornSinceFilter({ pid: child.pid!, startedAt: performance.now() - 3_600_000 });
    assert.equal(filter(process.pid), true);
  });

  it('looks at every process when the last PID handed out is below the command’s (they wrapped)', () => {
    const filter = bornSinceFilter({ pid: Number.MAX_SAFE_INTEGER, startedAt: performance.now() });
    assert.equal(filter(process.pid), true);
  });

  it('knows the PIDs born since the command while they cannot have wrapped', () => {
    const child = spawn('true');
    const range = bornSinceRange({ pid: child.pid!, startedAt: performance.now() });
    assert.ok(range);
    assert.equal(range.first, child.pid);
    assert.ok(range.last >= child.pid!);
  });

  it('still finds a setsid child of a command that exited at once', async () => {
    const temp = await tempDir('sweep-');
    const dir = realpathSync(temp.path);
    const startedAt = performance.now();
    const command = spawn('sh', ['-c', 'setsid sleep 30 </dev/null >/dev/null 2>&1 &'], { cwd: dir });
    await once(command, 'exit');
    const bornSince = { pid: command.pid!, startedAt };
    let found: number[] = [];
    for (let i = 0; i < 100 && found.length === 0; i++) {
      found = processesWorkingIn(dir, new Set(), bornSince);
      if (found.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.equal(found.length, 1, 'the detached sleep is found (its PID looked up directly)');
    // A range too wide to look up PID by PID is found by listing /proc instead.
    const wide = { pid: Math.max(2, command.pid! - 10_000), startedAt };
    assert.deepEqual(processesWorkingIn(dir, new Set(), wide), found);
    assert.equal(await killProcessesWorkingIn(dir, new Set(), { bornSince }), true);
    assert.deepEqual(processesWorkingIn(dir, new Set()), []);
    await temp.remove();
  });
});
