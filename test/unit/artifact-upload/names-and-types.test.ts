// Artifact names, content types and default encodings, and the upload settings of a worker config.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { artifactNameProblem } from '../../../src/artifact-upload/artifact-name.js';
import { contentTypeFor, defaultContentEncoding } from '../../../src/artifact-upload/content-type.js';
import { defaultUploadSettings, uploadSettingsFrom } from '../../../src/artifact-upload/upload-settings.js';
import { checkConfig } from '../../../src/config/load-config.js';
import { processEngine } from '../../../src/engines/process/process-engine.js';
import { artifactsPlugin } from '../../../src/plugins/artifacts/artifacts-plugin.js';
import { taskLogPlugin } from '../../../src/plugins/task-log/task-log-plugin.js';

describe('artifact names', () => {
  it('accepts ordinary names', () => {
    for (const name of [
      'public/logs/live.log',
      'a',
      'private/x y/z.tar.gz',
      'public/ünïcode/名前.txt',
      '.hidden/a..b',
    ])
      assert.equal(artifactNameProblem(name), undefined, name);
  });

  it('refuses names that could address something else or that a log line could not show', () => {
    const cases: Array<[string, RegExp]> = [
      ['', /empty/],
      ['/etc/passwd', /starts with "\/"/],
      ['public//x', /empty segment/],
      ['public/x/', /empty segment/],
      ['public/../x', /"\.\." segment/],
      ['..', /"\.\." segment/],
      ['public/./x', /"\." segment/],
      ['public/x\nforged line', /control character U\+000A/],
      ['public/\u0000', /control character U\+0000/],
      ['public/\u007f', /control character U\+007F/],
      ['public/\u009b', /control character U\+009B/],
      ['a'.repeat(1025), /1025 characters long \(at most 1024\)/],
    ];
    for (const [name, problem] of cases)
      assert.match(artifactNameProblem(name) ?? 'valid', problem, JSON.stringify(name));
    assert.equal(artifactNameProblem('a'.repeat(1024)), undefined);
  });
});

describe('content types and encodings', () => {
  it('guesses the content type by extension, case-insensitively', () => {
    const expected: Record<string, string> = {
      'a/b.log': 'text/plain; charset=utf-8',
      'B.TXT': 'text/plain; charset=utf-8',
      'x.json': 'application/json',
      'x.jsonl': 'application/jsonl',
      'x.html': 'text/html; charset=utf-8',
      'x.htm': 'text/html; charset=utf-8',
      'x.css': 'text/css; charset=utf-8',
      'x.js': 'text/javascript; charset=utf-8',
      'x.mjs': 'text/javascript; charset=utf-8',
      'x.xml': 'application/xml',
      'x.svg': 'image/svg+xml',
      'x.png': 'image/png',
      'x.jpg': 'image/jpeg',
      'x.jpeg': 'image/jpeg',
      'x.gif': 'image/gif',
      'x.webp': 'image/webp',
      'x.pdf': 'application/pdf',
      'x.zip': 'application/zip',
      'x.tar.gz': 'application/gzip',
      'x.tgz': 'application/gzip',
      'x.tar': 'application/x-tar',
      'x.xz': 'application/x-xz',
      'x.zst': 'application/zstd',
      'x.bz2': 'application/x-bzip2',
      'x.wasm': 'application/wasm',
      'x.md': 'text/markdown; charset=utf-8',
      'x.csv': 'text/csv; charset=utf-8',
      'x.yml': 'application/yaml',
      'x.yaml': 'application/yaml',
      noext: 'application/octet-stream',
      'x.unknownext': 'application/octet-stream',
      'dir.d/file': 'application/octet-stream',
    };
    for (const [name, type] of Object.entries(expected)) assert.equal(contentTypeFor(name), type, name);
  });

  it('gzips by default, except kinds that are compressed already', () => {
    for (const name of [
      'a.tar.gz',
      'a.tgz',
      'a.zip',
      'a.png',
      'a.jpg',
      'a.whl',
      'a.zst',
      'a.xz',
      'a.bz2',
      'a.woff2',
      'a.7z',
      'a.wasm',
      'A.GZ',
    ])
      assert.equal(defaultContentEncoding(name), 'identity', name);
    for (const name of ['a.txt', 'a.log', 'a.json', 'a.tar', 'a.svg', 'a.html', 'noext'])
      assert.equal(defaultContentEncoding(name), 'gzip', name);
  });
});

describe('upload settings', () => {
  const base = {
    rootUrl: 'https://tc.example.com',
    credentials: { clientId: 'c', accessToken: 't' },
    taskQueueId: 'p/w',
    workerGroup: 'g',
    workerId: 'w',
    workDir: '/tmp/x',
  };
  const load = (extra: Record<string, unknown>) =>
    checkConfig({ ...base, ...extra }, 'test.yml', {
      engines: [processEngine],
      plugins: [taskLogPlugin, artifactsPlugin],
    });

  it('the config schema fills the defaults: s3, 10 at a time, gzip level 1', () => {
    const config = load({});
    assert.deepEqual(config.artifacts, { storageType: 's3', uploadConcurrency: 10, gzipLevel: 1 });
    assert.deepEqual(uploadSettingsFrom(config), defaultUploadSettings);
    const custom = load({ artifacts: { storageType: 'object', uploadConcurrency: 3, gzipLevel: 6 } });
    assert.deepEqual(uploadSettingsFrom(custom), {
      storageType: 'object',
      uploadConcurrency: 3,
      gzipLevel: 6,
    });
  });

  it('refuses unknown keys and values out of range', () => {
    assert.throws(
      () => load({ artifacts: { storageType: 'azure', uploadConcurrency: 0, gzipLevel: 10, extra: 1 } }),
      (error: Error) => {
        for (const field of ['storageType', 'uploadConcurrency', 'gzipLevel', 'extra'])
          assert.match(error.message, new RegExp(field));
        return true;
      },
    );
  });

  it('reads a config without the part (artifacts plugin disabled) as the defaults', () => {
    assert.deepEqual(uploadSettingsFrom({}), defaultUploadSettings);
    assert.deepEqual(uploadSettingsFrom({ artifacts: { uploadConcurrency: 'many' } }), defaultUploadSettings);
  });
});
