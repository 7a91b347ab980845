import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FileTaskLog } from '../../../src/log/task-log.js';
import { silentLog } from '../../../src/log/worker-log.js';
import { createLiveLogEndpoint } from '../../../src/plugins/live-log/live-log-handler.js';
import { HttpWebhookServer } from '../../../src/webhooks/http-webhook-server.js';
import { openLiveReader } from '../../helpers/live-log-reader.js';
import { tempDir } from '../../helpers/task-fixtures.js';

describe('live log endpoint', () => {
  let server: HttpWebhookServer;
  before(async () => {
    server = await HttpWebhookServer.start({ host: '127.0.0.1', port: 0 });
  });
  after(async () => {
    await server.close();
  });

  const setup = async () => {
    const log = new FileTaskLog(join((await tempDir()).path, 'task.log'));
    const endpoint = createLiveLogEndpoint(log, silentLog());
    const hook = server.attach(endpoint.handler);
    return { log, endpoint, hook };
  };

  it('streams from byte 0 while the log grows and ends with the complete log', async () => {
    const { log, hook } = await setup();
    log.write('before\n');
    const reader = await openLiveReader(hook.url);
    assert.equal(reader.response.statusCode, 200);
    assert.equal(reader.response.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(reader.response.headers['access-control-allow-origin'], '*');
    await reader.waitFor('before\n');
    log.write('line 2\n');
    await reader.waitFor('line 2\n');
    log.info('the end');
    await log.close();
    const body = await reader.done;
    assert.deepEqual(body, await readFile(log.path));
    hook.detach();
  });

  it('gives many readers byte-identical logs, and a stalled reader does not hold up the others', async () => {
    const { log, hook } = await setup();
    const readers = await Promise.all(Array.from({ length: 10 }, () => openLiveReader(hook.url)));
    const stalled = await openLiveReader(hook.url);
    stalled.pause();
    const line = `${'x'.repeat(200)}\n`;
    for (let i = 0; i < 20_000; i++) log.write(`${i} ${line}`); // ~4 MB: far beyond socket buffers
    await log.close();
    const expected = await readFile(log.path);
    for (const reader of readers) assert.ok((await reader.done).equals(expected));
    // The stalled reader got less than everything so far and still gets the whole log once it reads on.
    assert.ok(stalled.received().length < expected.length);
    stalled.resume();
    assert.ok((await stalled.done).equals(expected));
    hook.detach();
  });

  it('resumes from Range: bytes=N- with 206, while running and once ended', async () => {
    const { log, hook } = await setup();
    log.write('0123456789\n');
    const first = await openLiveReader(hook.url);
    await first.waitFor('0123456789\n');
    first.destroy();
    const resumed = await openLiveReader(hook.url, { range: 'bytes=5-' });
    assert.equal(resumed.response.statusCode, 206);
    assert.equal(resumed.response.headers['content-range'], 'bytes 5-*/*');
    log.write('more\n');
    await log.close();
    assert.equal((await resumed.done).toString(), '56789\nmore\n');
    const ended = await openLiveReader(hook.url, { range: 'bytes=11-' });
    assert.equal(ended.response.statusCode, 206);
    assert.equal(ended.response.headers['content-range'], 'bytes 11-15/16');
    assert.equal((await ended.done).toString(), 'more\n');
    const past = await fetch(hook.url, { headers: { range: 'bytes=17-' } });
    assert.equal(past.status, 416);
    assert.equal(past.headers.get('content-range'), 'bytes */16');
    const other = await fetch(hook.url, { headers: { range: 'bytes=0-3' } });
    assert.equal(other.status, 200, 'other range forms get the whole log');
    assert.equal(await other.text(), '0123456789\nmore\n');
    hook.detach();
  });

  it('answers HEAD, CORS preflights, and refuses other methods and paths', async () => {
    const { log, hook } = await setup();
    log.write('abc\n');
    const head = await fetch(hook.url, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-type'), 'text/plain; charset=utf-8');
    const preflight = await fetch(hook.url, {
      method: 'OPTIONS',
      headers: { origin: 'https://ui.example.com', 'access-control-request-method': 'GET' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), '*');
    assert.match(preflight.headers.get('access-control-allow-methods') ?? '', /GET/);
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /Range/);
    assert.equal((await fetch(hook.url, { method: 'POST' })).status, 405);
    assert.equal((await fetch(`${hook.url}/other`)).status, 404);
    await log.close();
    const endedHead = await fetch(hook.url, { method: 'HEAD' });
    assert.equal(endedHead.headers.get('content-length'), '4');
    hook.detach();
    assert.equal((await fetch(hook.url)).status, 404);
  });

  it('ends a reader that is still stalled after the grace period', async () => {
    const { log, endpoint, hook } = await setup();
    // 40 MB: more than loopback socket buffers can hold, so the reader is really behind.
    for (let i = 0; i < 200_000; i++) log.write(`${'y'.repeat(200)}\n`);
    const stalled = await openLiveReader(hook.url);
    stalled.pause();
    await log.close();
    assert.equal(endpoint.readers, 1);
    endpoint.expire(50);
    while (endpoint.readers > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    stalled.resume();
    await assert.rejects(stalled.done, 'the response was cut, not ended');
    hook.detach();
  });
});
