// The artifacts plugin at scale: a 2 GiB file streamed with bounded memory and hashed on the way, a
// thousand files with the configured concurrency, and an abort in the middle of it all.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { uploadRecordOf } from '../../../src/artifact-upload/upload-record.js';
import { createProcessEngine } from '../../../src/engines/process/process-engine.js';
import { WorkerShutdownError } from '../../../src/errors.js';
import { createArtifactsPlugin } from '../../../src/plugins/artifacts/artifacts-plugin.js';
import { maxRunTimePlugin } from '../../../src/plugins/max-run-time/max-run-time-plugin.js';
import type { Plugin } from '../../../src/plugins/types.js';
import { FakeRunArtifacts } from '../../helpers/fake-run-artifacts.js';
import { runWithPlugins } from '../../helpers/plugin-harness.js';

const artifactsPlugin = createArtifactsPlugin({ retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 } });
const MiB = 1024 * 1024;

describe('artifacts plugin: large uploads', () => {
  it('streams a 2 GiB sparse file with bounded memory; storage sees every byte and the SHA-256 matches', async () => {
    const artifacts = await FakeRunArtifacts.start();
    artifacts.sink.keepBodies = false;
    const size = 2 * 1024 * MiB;
    // `truncate -s 2G big.bin; printf head | dd conv=notrunc; printf tail | dd seek=$((2*1024**3-4))`,
    // then `sha256sum big.bin`: computed outside the worker's code.
    const expected = 'b36fa7e6416d19b9ca1a56b172f513c3a8bae99f4a14c21ddc25bc91306940fd';
    const script = [
      'truncate -s 2G big.bin',
      'printf head | dd of=big.bin conv=notrunc status=none',
      `printf tail | dd of=big.bin bs=1 seek=${size - 4} conv=notrunc status=none`,
    ].join(' && ');
    let peakRss = 0;
    const baseRss = process.memoryUsage.rss();
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 20);
    try {
      const { resolution, log } = await runWithPlugins({
        plugins: [artifactsPlugin],
        payload: {
          command: [['sh', '-c', script]],
          artifacts: [{ type: 'file', path: 'big.bin', name: 'public/big.bin', contentEncoding: 'identity' }],
        },
        engine: createProcessEngine(),
        artifacts,
      });
      assert.deepEqual(resolution, { kind: 'completed' });
      const stored = artifacts.artifacts.get('public/big.bin');
      assert.equal(stored?.sentSize, size);
      assert.equal(stored?.sentSha256, expected);
      assert.equal(stored?.headers?.['content-length'], String(size));
      assert.equal(uploadRecordOf(artifacts).get('public/big.bin')?.sha256, expected);
      assert.match(log, /Uploading public\/big\.bin \(2147483648 bytes\)/);
      assert.match(
        log,
        /Uploaded public\/big\.bin from big\.bin \(2147483648 bytes, application\/octet-stream\)/,
      );
    } finally {
      clearInterval(sampler);
      await artifacts.close();
    }
    // Test process and storage both: a buffered upload would need 2 GiB.
    const growth = (peakRss - baseRss) / MiB;
    assert.ok(growth < 200, `memory grew by ${growth.toFixed(0)} MiB`);
  });
});

describe('artifacts plugin: many files', () => {
  const thousand = Object.fromEntries(
    Array.from({ length: 1000 }, (_, i) => [`many/sub${i % 10}/file-${i}.txt`, `content of file ${i}\n`]),
  );

  for (const [label, config, limit] of [
    ['uploadConcurrency 4', { artifacts: { uploadConcurrency: 4 } }, 4],
    ['the default of 10', {}, 10],
  ] as const) {
    it(`uploads 1000 files of one directory at most ${label} at a time`, async () => {
      const artifacts = await FakeRunArtifacts.start();
      artifacts.putDelayMs = 2;
      try {
        const { resolution } = await runWithPlugins({
          plugins: [artifactsPlugin],
          payload: { artifacts: [{ type: 'directory', path: 'many', name: 'public/many' }] },
          engine: { files: thousand },
          artifacts,
          config,
        });
        assert.deepEqual(resolution, { kind: 'completed' });
        assert.equal(artifacts.artifacts.size, 1000);
        assert.equal(artifacts.text('public/many/sub7/file-997.txt'), 'content of file 997\n');
        assert.ok(artifacts.sink.peak <= limit, `peak ${artifacts.sink.peak}`);
        assert.equal(artifacts.sink.peak, limit, 'and it does use them all');
        assert.equal(uploadRecordOf(artifacts).entries().length, 1000);
      } finally {
        await artifacts.close();
      }
    });
  }

  it('stops at once when the run is aborted in the middle of the uploads', async () => {
    const artifacts = await FakeRunArtifacts.start();
    artifacts.putDelayMs = 5;
    const controller = new AbortController();
    let puts = 0;
    const aborter: Plugin = {
      name: 'aborter',
      forTask: () => ({
        stopped: () => {
          const timer = setInterval(() => {
            if (artifacts.putCount - puts < 50) return;
            clearInterval(timer);
            controller.abort(new WorkerShutdownError());
          }, 1);
          puts = artifacts.putCount;
        },
      }),
    };
    try {
      const { resolution } = await runWithPlugins({
        plugins: [artifactsPlugin, aborter],
        payload: { artifacts: [{ type: 'directory', path: 'many', name: 'public/many' }] },
        engine: { files: thousand },
        artifacts,
        signal: controller.signal,
      });
      assert.equal(resolution.kind === 'exception' && resolution.reason, 'worker-shutdown');
      await new Promise((resolve) => setTimeout(resolve, 50));
      const after = artifacts.putCount;
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(artifacts.putCount, after, 'no upload starts after the abort');
      assert.ok(after < 200, `${after} uploads`);
    } finally {
      await artifacts.close();
    }
  });
});

describe('artifacts plugin: uploads and the max run time', () => {
  it('does not count uploads in maxRunTime', async () => {
    const artifacts = await FakeRunArtifacts.start();
    // Each upload takes longer than the whole max run time.
    artifacts.putDelayMs = 1300;
    try {
      const { resolution, log } = await runWithPlugins({
        plugins: [maxRunTimePlugin, artifactsPlugin],
        payload: {
          maxRunTime: 1,
          artifacts: [
            { type: 'file', path: 'a.txt' },
            { type: 'file', path: 'b.txt' },
          ],
        },
        engine: { files: { 'a.txt': 'a', 'b.txt': 'b' } },
        artifacts,
        config: { artifacts: { uploadConcurrency: 1 } },
      });
      assert.deepEqual(resolution, { kind: 'completed' });
      assert.doesNotMatch(log, /max run time exceeded/);
      assert.equal(artifacts.text('b.txt'), 'b');
    } finally {
      await artifacts.close();
    }
  });
});
