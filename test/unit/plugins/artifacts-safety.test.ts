// The artifacts plugin with the process engine and real files: nothing outside the task directory, nothing
// the task user could not read, no FIFO or device that hangs the worker, and no crash, whatever the task
// leaves behind. The tests run as root: "another user's file" is one chowned to an unused uid, mode 0600.
import assert from 'node:assert/strict';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createProcessEngine } from '../../../src/engines/process/process-engine.js';
import type { Resolution } from '../../../src/errors.js';
import { createArtifactsPlugin } from '../../../src/plugins/artifacts/artifacts-plugin.js';
import type { StoredArtifact } from '../../helpers/fake-run-artifacts.js';
import { runWithPlugins } from '../../helpers/plugin-harness.js';
import { tempDir } from '../../helpers/task-fixtures.js';

const artifactsPlugin = createArtifactsPlugin({ retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 2 } });
const otherUid = 54321;
const isRoot = process.getuid?.() === 0;

const reasonOf = (stored: StoredArtifact | undefined): string | undefined =>
  stored?.request.storageType === 'error'
    ? stored.request.reason
    : `not an error artifact: ${stored?.request.storageType}`;
const messageOf = (stored: StoredArtifact | undefined): string =>
  stored?.request.storageType === 'error' ? stored.request.message : '';

describe('artifacts plugin: safety with the process engine', () => {
  let outside: { path: string; remove: () => Promise<void> };
  before(async () => {
    // Somewhere else on the host: another task's files, the worker's config.
    outside = await tempDir('tc-worker-outside-');
    await writeFile(join(outside.path, 'secret.txt'), 'secret of someone else');
    await mkdir(join(outside.path, 'dir'));
    await writeFile(join(outside.path, 'dir', 'inner.txt'), 'inner secret');
    await writeFile(join(outside.path, 'root-only.txt'), 'root only');
    await chmod(join(outside.path, 'root-only.txt'), 0o600);
  });
  after(() => outside.remove());

  const sh = (script: string) => ({ command: [['sh', '-c', script]] });
  const runTask = (script: string, artifacts: unknown[]) =>
    runWithPlugins({
      plugins: [artifactsPlugin],
      payload: { ...sh(script), artifacts },
      engine: createProcessEngine(),
      hookTimeoutMs: 20_000,
    });

  it('refuses paths that leave the task directory, lexically or through symbolic links', async () => {
    const { resolution, artifacts } = await runTask(
      [
        'mkdir out',
        'echo inside > out/a.txt',
        `ln -s ${outside.path}/secret.txt out/secret-link`,
        `ln -s ${outside.path}/root-only.txt out/root-link`,
        `ln -s ${outside.path}/dir out/dir-link`,
        `ln -s ${outside.path} escape`,
      ].join(' && '),
      [
        { type: 'directory', path: 'out', name: 'public/out' },
        { type: 'file', path: '../../../../../../etc/passwd', name: 'public/dotdot' },
        { type: 'file', path: '/etc/hostname', name: 'public/absolute' },
        { type: 'file', path: 'out/dir-link/inner.txt', name: 'public/through-dir-link' },
        { type: 'directory', path: 'escape', name: 'public/escape' },
        { type: 'file', path: 'escape/../escape/secret.txt', name: 'public/escape-file' },
      ],
    );
    assert.equal(resolution.kind, 'failed');
    assert.equal(artifacts.text('public/out/a.txt'), 'inside\n');
    for (const name of [
      'public/out/secret-link',
      'public/out/root-link',
      'public/dotdot',
      'public/absolute',
      'public/through-dir-link',
      'public/escape',
      'public/escape-file',
    ]) {
      const stored = artifacts.artifacts.get(name);
      assert.equal(reasonOf(stored), 'file-not-readable-on-worker', name);
      assert.doesNotMatch(messageOf(stored), /secret of someone else|root only/);
    }
    // A link to a directory is not followed: its files are not even listed.
    assert.equal(artifacts.artifacts.get('public/out/dir-link/inner.txt'), undefined);
    for (const stored of artifacts.artifacts.values())
      assert.doesNotMatch(stored.body?.toString() ?? '', /secret|root only/, stored.name);
  });

  it(
    'refuses files inside the task directory that the task user could not read',
    { skip: !isRoot && 'needs root to chown' },
    async () => {
      // The task runs as root here (the worker's user): it hands some of its files to another user.
      const { resolution, artifacts } = await runTask(
        [
          'mkdir -p out/private',
          'echo readable > out/ok.txt',
          'echo mine > out/theirs.txt',
          'echo hidden > out/private/in-private.txt',
          'ln -s theirs.txt out/link-to-theirs',
          `chown ${otherUid}:${otherUid} out/theirs.txt out/private`,
          'chmod 600 out/theirs.txt',
          'chmod 700 out/private',
        ].join(' && '),
        [
          { type: 'directory', path: 'out', name: 'public/out' },
          { type: 'file', path: 'out/theirs.txt', name: 'public/theirs.txt', optional: true },
        ],
      );
      assert.equal(resolution.kind, 'failed');
      assert.equal(artifacts.text('public/out/ok.txt'), 'readable\n');
      for (const name of [
        'public/out/theirs.txt',
        'public/out/link-to-theirs',
        'public/theirs.txt',
        'public/out/private/in-private.txt',
      ]) {
        const stored = artifacts.artifacts.get(name);
        assert.equal(reasonOf(stored), 'file-not-readable-on-worker', name);
        assert.match(messageOf(stored), /not readable by the task user/, name);
      }
      assert.match(messageOf(artifacts.artifacts.get('public/theirs.txt')), /mode 0600, owner 54321:54321/);
    },
  );

  it('never blocks on a FIFO or a device, and says what they are', async () => {
    const started = Date.now();
    const { resolution, artifacts, log } = await runTask(
      [
        'mkdir out',
        'mkfifo out/fifo',
        'echo ok > out/ok.txt',
        ...(isRoot ? ['mknod out/zero c 1 5'] : []),
      ].join(' && '),
      [
        { type: 'directory', path: 'out', name: 'public/out' },
        { type: 'file', path: 'out/fifo', name: 'public/fifo' },
        ...(isRoot ? [{ type: 'file', path: 'out/zero', name: 'public/zero' }] : []),
      ],
    );
    assert.ok(Date.now() - started < 10_000);
    assert.equal(resolution.kind, 'failed');
    assert.equal(artifacts.text('public/out/ok.txt'), 'ok\n');
    assert.equal(
      artifacts.artifacts.get('public/out/fifo'),
      undefined,
      'a directory lists regular files only',
    );
    assert.equal(reasonOf(artifacts.artifacts.get('public/fifo')), 'invalid-resource-on-worker');
    assert.match(log, /public\/fifo not published: out\/fifo is not a regular file \(a FIFO\)/);
    if (isRoot) {
      assert.equal(reasonOf(artifacts.artifacts.get('public/zero')), 'invalid-resource-on-worker');
      assert.match(log, /out\/zero is not a regular file \(a device\)/);
    }
  });

  it('a task that leaves a mess resolves, and the worker goes on', async () => {
    const mess: Array<Promise<Resolution>> = [];
    for (let i = 0; i < 3; i++)
      mess.push(
        runTask(
          'mkdir -p out/loop && ln -s . out/loop/self && ln -s a out/b && ln -s b out/a && mkfifo out/f',
          [
            { type: 'directory', path: 'out', name: 'public/out' },
            { type: 'file', path: 'out/a', name: 'public/a' },
            { type: 'file', path: 'out/loop/self/self/self', name: 'public/self' },
          ],
        ).then((run) => run.resolution),
      );
    for (const resolution of await Promise.all(mess)) assert.equal(resolution.kind, 'failed');
  });
});
