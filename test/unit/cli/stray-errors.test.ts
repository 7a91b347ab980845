// The real process io keeps a worker alive through errors nothing caught, and reports them instead.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const ioModule = fileURLToPath(new URL('../../../src/cli/io.ts', import.meta.url));

describe('processIo().onStrayError', () => {
  it('reports an unhandled rejection and an uncaught exception, and the process goes on', () => {
    const script = `
      import { processIo } from ${JSON.stringify(ioModule)};
      processIo().onStrayError((error, kind) => console.log('caught', kind, error.message));
      void Promise.reject(new Error('nobody awaited me'));
      setTimeout(() => { throw new Error('thrown from a timer'); }, 10);
      setTimeout(() => console.log('still running'), 50);
    `;
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /caught unhandledRejection nobody awaited me/);
    assert.match(result.stdout, /caught uncaughtException thrown from a timer/);
    assert.match(result.stdout, /still running/);
  });
});
