// The engine's spawner supply: ready once built, restarted in the background after the spawner died (the
// commands in between use Node's spawn), and stopped with the engine.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { SpawnerSupply } from '../../../../src/engines/shared/spawner-supply.js';
import { silentLog } from '../../../../src/log/worker-log.js';
import { waitUntil } from '../../../helpers/processes.js';
import { tempDir } from '../../../helpers/task-fixtures.js';

const compiler = ['/usr/bin/cc', '/usr/bin/gcc', '/usr/bin/tcc', '/usr/bin/clang'].some((path) =>
  existsSync(path),
);

describe('spawner supply', { skip: compiler ? false : 'no C compiler to build the spawner with' }, () => {
  it('starts a spawner, and a new one after it died', async () => {
    const dir = await tempDir('tcw-supply-');
    const supply = new SpawnerSupply(dir.path, silentLog());
    try {
      assert.equal(await supply.ready(), true);
      const first = supply.current();
      assert.ok(first?.alive && first.pid !== undefined);
      process.kill(first.pid, 'SIGKILL');
      await waitUntil(() => !first.alive, 'the spawner is seen dead');
      // Asked while it is down: none now (the command takes Node's spawn), a new one on the way.
      assert.equal(supply.current(), undefined);
      assert.equal(await supply.ready(), true);
      const second = supply.current();
      assert.ok(second?.alive);
      assert.notEqual(second.pid, first.pid);
    } finally {
      supply.stop();
      await dir.remove();
    }
  });
});
