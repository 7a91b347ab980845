import assert from 'node:assert/strict';
import { once } from 'node:events';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { HttpWebhookServer } from '../../../src/webhooks/http-webhook-server.js';
import { webhookSettingsFrom } from '../../../src/webhooks/webhook-settings.js';

/** Sends an upgrade request; resolves with the status line the server answered, or the upgraded socket. */
function upgrade(url: string): Promise<{ status: number; socket?: Socket }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { connection: 'Upgrade', upgrade: 'test-proto' } });
    req.on('upgrade', (response, socket) => resolve({ status: response.statusCode ?? 0, socket }));
    req.on('response', (response) => {
      response.resume();
      resolve({ status: response.statusCode ?? 0 });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('webhook server', () => {
  let server: HttpWebhookServer;
  before(async () => {
    server = await HttpWebhookServer.start(webhookSettingsFrom({}));
  });
  after(async () => {
    await server.close();
  });

  it('listens on loopback and a free port by default', () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(server.port, 0);
  });

  it('serves an attached hook under an unguessable path, with its sub-path, and 404 after detach', async () => {
    const seen: string[] = [];
    const hook = server.attach((req, res, subPath) => {
      seen.push(`${req.method} ${subPath}`);
      res.end('hello');
    });
    const id = hook.url.slice(`${server.url}/hooks/`.length);
    assert.match(id, /^[A-Za-z0-9_-]{24,}$/); // >= 144 bits of base64url
    assert.equal(await (await fetch(hook.url)).text(), 'hello');
    assert.equal((await fetch(`${hook.url}/socket`)).status, 200);
    assert.deepEqual(seen, ['GET ', 'GET /socket']);
    hook.detach();
    hook.detach(); // idempotent
    assert.equal((await fetch(hook.url)).status, 404);
    assert.equal((await fetch(`${server.url}/hooks/`)).status, 404);
    assert.equal((await fetch(`${server.url}/`)).status, 404);
  });

  it('gives every hook a different path', () => {
    const urls = new Set(Array.from({ length: 100 }, () => server.attach(() => undefined)));
    assert.equal(new Set([...urls].map((hook) => hook.url)).size, 100);
    for (const hook of urls) hook.detach();
  });

  it('routes upgrades to the hook and refuses unknown ones with 404', async () => {
    const hook = server.attach((_req, res) => res.end(), {
      upgrade: (_req, socket, _head, subPath) => {
        socket.end(
          `HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: test-proto\r\nX-Sub: ${subPath}\r\n\r\n`,
        );
      },
    });
    const ok = await upgrade(`${hook.url}/ws`);
    assert.equal(ok.status, 101);
    ok.socket?.destroy();
    assert.equal((await upgrade(`${server.url}/hooks/nope`)).status, 404);
    const plain = server.attach((_req, res) => res.end());
    assert.equal((await upgrade(plain.url)).status, 404, 'a hook without an upgrade handler refuses');
    hook.detach();
    assert.equal((await upgrade(hook.url)).status, 404);
    plain.detach();
  });

  it('destroys the socket of a refused upgrade', async () => {
    const { port } = server;
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
    socket.write(
      'GET /hooks/unknown HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
    );
    await once(socket, 'close');
    assert.match(text, /^HTTP\/1\.1 404 /);
  });

  it('closes streams that are still open when it closes', async () => {
    const other = await HttpWebhookServer.start({ host: '127.0.0.1', port: 0 });
    const hook = other.attach((_req, res) => {
      res.writeHead(200);
      res.write('start');
    });
    const response = await fetch(hook.url);
    const reader = response.body!.getReader();
    await reader.read();
    await other.close();
    await assert.rejects(async () => {
      for (;;) if ((await reader.read()).done) throw new Error('ended');
    });
  });
});

describe('webhook server behind a proxy', () => {
  it('publishes URLs under publicUrl and accepts requests with or without its path', async () => {
    const server = await HttpWebhookServer.start({
      host: '127.0.0.1',
      port: 0,
      publicUrl: 'https://worker-1.example.com/tc/',
    });
    try {
      const hook = server.attach((_req, res) => res.end('ok'));
      assert.match(hook.url, /^https:\/\/worker-1\.example\.com\/tc\/hooks\/[A-Za-z0-9_-]{24}$/);
      const path = new URL(hook.url).pathname;
      const local = `http://127.0.0.1:${server.port}`;
      assert.equal(await (await fetch(`${local}${path}`)).text(), 'ok');
      assert.equal(await (await fetch(`${local}${path.slice('/tc'.length)}`)).text(), 'ok');
    } finally {
      await server.close();
    }
  });
});
