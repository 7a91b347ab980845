// A machine without what the sandbox engine needs: creating the engine fails, saying what is missing and how
// to install it.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkHost, SandboxUnavailableError } from '../../../../src/engines/sandbox/host-requirements.js';
import { createSandboxEngine } from '../../../../src/engines/sandbox/sandbox-engine.js';
import { silentLog } from '../../../../src/log/worker-log.js';

describe('host requirements', () => {
  it('without cgroups: a clear error that names them and the install script', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'tcw-no-cgroups-'));
    try {
      await assert.rejects(checkHost(empty), (error) => {
        assert.ok(error instanceof SandboxUnavailableError);
        assert.ok(
          error.problems.some((problem) => /cgroup v1 controllers memory, pids, cpu, freezer/.test(problem)),
        );
        assert.match(error.message, /scripts\/services\/install-sandbox\.sh/);
        assert.match(error.message, /apt-get install bubblewrap/);
        return true;
      });
      await assert.rejects(
        createSandboxEngine({ cgroupRoot: empty, stateDir: join(empty, 'state') }, silentLog()),
        SandboxUnavailableError,
      );
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
