// FileTaskLog keeps a short log in memory as well, so that its upload reads nothing back from disk.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { inMemoryGzipLimit } from '../../../src/artifact-upload/upload-body-constants.js';
import { FileTaskLog } from '../../../src/log/task-log.js';
import { tempDir } from '../../helpers/task-fixtures.js';

describe('FileTaskLog contents kept in memory', () => {
  it('are the bytes of the file, once the log is closed', async () => {
    const path = join((await tempDir()).path, 'task.log');
    const log = new FileTaskLog(path);
    log.write('output without newline');
    log.info('a worker line');
    log.write(new Uint8Array([0xe2, 0x82, 0xac, 0x0a]));
    assert.equal(log.closedContents(), undefined, 'not before the log is closed');
    await log.close();
    const kept = log.closedContents();
    assert.ok(kept);
    assert.deepEqual(kept, await readFile(path));
  });

  it('are not kept for a log over the in-memory limit (the upload reads the file)', async () => {
    const path = join((await tempDir()).path, 'task.log');
    const log = new FileTaskLog(path);
    const chunk = Buffer.alloc(64 * 1024, 'x');
    for (let written = 0; written <= inMemoryGzipLimit; written += chunk.length) log.write(chunk);
    await log.close();
    assert.equal(log.closedContents(), undefined);
    assert.ok(log.size > inMemoryGzipLimit);
  });

  it('are final as soon as closing begins, before the file is complete; writes after that are dropped', async () => {
    const path = join((await tempDir()).path, 'task.log');
    const log = new FileTaskLog(path);
    log.info('the last line');
    const closing = log.close();
    log.write('too late\n');
    const kept = log.closedContents();
    assert.ok(kept, 'available without waiting for the file');
    assert.equal(log.ended, false, 'live-log readers wait until the file holds every byte');
    assert.equal(log.close(), closing, 'every caller waits for the same closing');
    await closing;
    assert.equal(log.ended, true);
    assert.equal(log.flushedSize, kept.length);
    assert.deepEqual(kept, await readFile(path));
  });

  it('close resolves, and keeps the copy, when the file cannot be written', async () => {
    const log = new FileTaskLog(join((await tempDir()).path, 'missing-directory', 'task.log'));
    log.info('kept in memory');
    await log.close();
    assert.match(log.closedContents()?.toString() ?? '', /kept in memory/);
    assert.equal(log.ended, true);
  });

  it('do not change when the caller reuses the buffer it wrote', async () => {
    const log = new FileTaskLog(join((await tempDir()).path, 'task.log'));
    const buffer = Buffer.from('abc\n');
    log.write(buffer);
    buffer.write('xyz\n');
    await log.close();
    assert.equal(log.closedContents()?.toString(), 'abc\n');
  });
});
