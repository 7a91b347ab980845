// Pure parts of the docker engine's image handling: image sources, tarball formats, task-image names and
// URLs, and the garbage collector's policy.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  freeSpaceBound,
  imagesToRemove,
  type ImageRecord,
} from '../../../../src/engines/docker/image-gc-policy.js';
import { isImageMissing } from '../../../../src/engines/docker/image-pull.js';
import { describeImageSource, imageSourceOf, withTag } from '../../../../src/engines/docker/image-source.js';
import { decompressorFor, detectTarballFormat } from '../../../../src/engines/docker/tarball-format.js';
import { artifactUrl, parseLoadOutput, taskImageTag } from '../../../../src/engines/docker/task-image.js';

describe('image sources', () => {
  it('reads the four spellings of docker-worker’s image', () => {
    assert.deepEqual(imageSourceOf('ubuntu'), { kind: 'registry', name: 'ubuntu:latest' });
    assert.deepEqual(imageSourceOf({ type: 'docker-image', name: 'r.example:5000/a/b' }), {
      kind: 'registry',
      name: 'r.example:5000/a/b:latest',
    });
    assert.deepEqual(imageSourceOf({ type: 'task-image', taskId: 'T', path: 'public/i.tar' }), {
      kind: 'task-image',
      taskId: 'T',
      path: 'public/i.tar',
    });
    const indexed = imageSourceOf({ type: 'indexed-image', namespace: 'a.b', path: 'public/i.tar' });
    assert.equal(describeImageSource(indexed), 'indexed-image public/i.tar of index namespace a.b');
  });

  it('adds :latest only where there is neither tag nor digest', () => {
    assert.equal(withTag('ubuntu:24.04'), 'ubuntu:24.04');
    assert.equal(withTag('localhost:5000/ubuntu'), 'localhost:5000/ubuntu:latest');
    assert.equal(withTag('ubuntu@sha256:abc'), 'ubuntu@sha256:abc');
  });

  it('tells a missing image from a registry that hiccups', () => {
    assert.equal(isImageMissing('manifest unknown: manifest unknown'), true);
    assert.equal(isImageMissing('pull access denied for nope, repository does not exist'), true);
    assert.equal(
      isImageMissing('Get "https://127.0.0.1:9/v2/": dial tcp 127.0.0.1:9: connect: connection refused'),
      false,
    );
  });
});

describe('tarball formats', () => {
  const tarHead = (): Buffer => {
    const head = Buffer.alloc(512);
    head.write('manifest.json');
    head.write('ustar', 257, 'latin1');
    return head;
  };

  it('are told by their first bytes, whatever the name says', () => {
    assert.equal(detectTarballFormat(tarHead()), 'tar');
    assert.equal(detectTarballFormat(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0])), 'zstd');
    assert.equal(detectTarballFormat(Buffer.from([0x04, 0x22, 0x4d, 0x18, 0])), 'lz4');
    assert.equal(detectTarballFormat(Buffer.from([0x1f, 0x8b, 8])), 'gzip');
    assert.equal(detectTarballFormat(Buffer.from('BZh91AY')), 'bzip2');
    assert.equal(detectTarballFormat(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])), 'xz');
    assert.equal(detectTarballFormat(Buffer.from('not an image\n')), 'unknown');
    assert.equal(detectTarballFormat(Buffer.alloc(0)), 'unknown');
  });

  it('zstd and lz4 are decompressed here; docker load reads the others itself', () => {
    assert.deepEqual(decompressorFor('zstd'), ['zstd', '-dc']);
    assert.deepEqual(decompressorFor('lz4'), ['lz4', '-dc']);
    for (const format of ['tar', 'gzip', 'bzip2', 'xz'] as const)
      assert.equal(decompressorFor(format), undefined);
  });
});

describe('task images', () => {
  it('are cached under a tag that names the artifact', () => {
    const tag = taskImageTag('taskA', 'public/image.tar');
    assert.match(tag, /^tc-worker\/task-image:[0-9a-f]{40}$/);
    assert.equal(taskImageTag('taskA', 'public/image.tar'), tag);
    assert.notEqual(taskImageTag('taskB', 'public/image.tar'), tag);
    assert.notEqual(taskImageTag('taskA', 'public/other.tar'), tag);
  });

  it('are downloaded from the queue’s latest-artifact URL', () => {
    assert.equal(
      artifactUrl('https://tc.example.com/', 'T1', 'public/docker image.tar'),
      'https://tc.example.com/api/queue/v1/task/T1/artifacts/public/docker%20image.tar',
    );
  });
});

describe('image garbage collection policy', () => {
  const gib = 1024 ** 3;
  const settings = { minFreeBytes: 10 * gib, minFreePercent: 10, keepImages: ['base:1'] };
  const image = (
    id: string,
    lastUsedMs: number,
    sizeGib: number,
    more: Partial<ImageRecord> = {},
  ): ImageRecord => ({
    id,
    names: [`${id}:latest`],
    sizeBytes: sizeGib * gib,
    lastUsedMs,
    inUse: false,
    ...more,
  });

  it('keeps the larger of the absolute and the relative bound free', () => {
    assert.equal(freeSpaceBound(settings, { freeBytes: 0, totalBytes: 50 * gib }), 10 * gib);
    assert.equal(freeSpaceBound(settings, { freeBytes: 0, totalBytes: 500 * gib }), 50 * gib);
  });

  it('removes nothing while the disk has room', () => {
    assert.deepEqual(
      imagesToRemove([image('a', 1, 5)], { freeBytes: 20 * gib, totalBytes: 100 * gib }, settings),
      [],
    );
  });

  it('removes the least recently used first, only until the bound is met, never what is in use or kept', () => {
    const images = [
      image('newest', 400, 3),
      image('oldest-in-use', 100, 3, { inUse: true }),
      image('old', 200, 3),
      image('kept', 50, 3, { names: ['base:1'] }),
      image('middle', 300, 3),
    ];
    const chosen = imagesToRemove(images, { freeBytes: 5 * gib, totalBytes: 100 * gib }, settings);
    assert.deepEqual(
      chosen.map((record) => record.id),
      ['old', 'middle'],
    );
  });

  it('takes everything it may when even that is not enough', () => {
    const chosen = imagesToRemove(
      [image('a', 1, 1), image('b', 2, 1, { inUse: true })],
      { freeBytes: 0, totalBytes: 100 * gib },
      settings,
    );
    assert.deepEqual(
      chosen.map((record) => record.id),
      ['a'],
    );
  });
});

describe('docker load output', () => {
  const line = (stream: string): string => JSON.stringify({ stream });

  it('gives the loaded names and the names the load took from other images', () => {
    const text = [
      line(
        'The image local/busybox:latest already exists, renaming the old one with ID sha256:old to empty string\n',
      ),
      line('Loaded image: local/busybox:latest\n'),
      line('Loaded image: other:1\n'),
    ].join('\n');
    const report = parseLoadOutput(text);
    assert.ok(!('error' in report));
    assert.equal(report.image, 'local/busybox:latest');
    assert.deepEqual(report.names, ['local/busybox:latest', 'other:1']);
    assert.deepEqual([...report.displaced], [['local/busybox:latest', 'sha256:old']]);
  });

  it('takes an image without names by its id, and reports errors', () => {
    const byId = parseLoadOutput(line('Loaded image ID: sha256:abc\n'));
    assert.ok(!('error' in byId));
    assert.equal(byId.image, 'sha256:abc');
    assert.deepEqual(parseLoadOutput(JSON.stringify({ error: 'unexpected EOF' })), {
      error: 'unexpected EOF',
    });
    assert.ok('error' in parseLoadOutput(''));
  });
});
