// The artifacts plugin for docker-worker format payloads (the docker engine): a map from names to paths in
// the container, through a real task run against the fake engine. Unlike generic-worker, a missing artifact
// becomes an error artifact without failing the task.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createArtifactsPlugin } from '../../../src/plugins/artifacts/artifacts-plugin.js';
import type { StoredArtifact } from '../../helpers/fake-run-artifacts.js';
import { runWithPlugins } from '../../helpers/plugin-harness.js';

const artifactsPlugin = createArtifactsPlugin({ retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 } });
const files = { '/out/report.txt': 'report', '/out/dir/a.txt': 'a', '/out/dir/sub/b.txt': 'b' };

const run = (artifacts: unknown, exitCode = 0) =>
  runWithPlugins({
    plugins: [artifactsPlugin],
    payload: { artifacts },
    engine: { files, exitCode },
    payloadFormat: 'docker-worker',
  });

const reasonOf = (stored: StoredArtifact | undefined): string | undefined =>
  stored?.request.storageType === 'error' ? stored.request.reason : undefined;

describe('artifacts plugin: docker-worker format', () => {
  it('publishes files and directories by name; a missing one is an error artifact and the task completes', async () => {
    const { resolution, artifacts, log } = await run({
      'public/report.txt': { type: 'file', path: '/out/report.txt' },
      'public/dir': { type: 'directory', path: '/out/dir' },
      'public/missing.txt': { type: 'file', path: '/out/missing.txt' },
    });
    assert.deepEqual(resolution, { kind: 'completed' }, log);
    assert.equal(artifacts.artifacts.get('public/report.txt')?.body?.toString(), 'report');
    assert.equal(artifacts.artifacts.get('public/dir/a.txt')?.body?.toString(), 'a');
    assert.equal(artifacts.artifacts.get('public/dir/sub/b.txt')?.body?.toString(), 'b');
    assert.equal(reasonOf(artifacts.artifacts.get('public/missing.txt')), 'file-missing-on-worker');
  });

  it('names the map key in the problems of a malformed payload', async () => {
    const { resolution, log } = await run({
      'public/late.txt': { type: 'file', path: '/out/report.txt', expires: '2000-01-01T00:00:00.000Z' },
    });
    assert.equal(resolution.kind === 'exception' && resolution.reason, 'malformed-payload');
    assert.match(log, /payload\.artifacts\["public\/late\.txt"\]\.expires .* is before the task deadline/);
  });

  it('refuses the generic-worker list', async () => {
    const { resolution, log } = await run([{ type: 'file', path: 'out/report.txt' }]);
    assert.equal(resolution.kind === 'exception' && resolution.reason, 'malformed-payload');
    assert.match(log, /payload\.artifacts/);
  });
});
