// The worker's Taskcluster calls on the wire: URL, Hawk signature (checked with hawk's own server side, the
// way a Taskcluster service checks it), the certificate of temporary credentials, retries and errors.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import hawk from 'hawk';
import { ServiceClient } from '../../../src/queue/service-client.js';
import { QueueRequestError } from '../../../src/queue/types.js';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void | Promise<void>;

let handler: Handler = (_req, _body, res) => void res.end();
let rootUrl = '';
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk: Buffer) => (body += chunk.toString()));
  req.on('end', () => void handler(req, body, res));
});

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

const fast = { retries: 2, delayFactor: 1, maxDelay: 5 };

describe('service client', () => {
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    rootUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  it('signs with Hawk (sha256) and sends JSON to <rootUrl>/api/<service>/<version><path>', async () => {
    let seen: { path: string; id: string; ext: string | undefined; body: unknown } | undefined;
    handler = async (req, body, res) => {
      const { credentials, artifacts } = await hawk.server.authenticate(req, (id) => ({
        id,
        key: 'the-token',
        algorithm: 'sha256',
      }));
      seen = { path: req.url!, id: credentials.id, ext: artifacts.ext, body: JSON.parse(body) };
      json(res, 200, { ok: true });
    };
    const client = new ServiceClient({
      rootUrl: `${rootUrl}/`,
      service: 'queue',
      version: 'v1',
      credentials: { clientId: 'worker/w1', accessToken: 'the-token' },
    });
    assert.deepEqual(await client.call('POST', '/claim-work/a%2Fb', { tasks: 1 }), { ok: true });
    assert.deepEqual(seen, {
      path: '/api/queue/v1/claim-work/a%2Fb',
      id: 'worker/w1',
      ext: undefined,
      body: { tasks: 1 },
    });
  });

  it('proves temporary credentials with their certificate in ext', async () => {
    const certificate = { version: 1, scopes: ['queue:x'], start: 1, expiry: 2, seed: 's', signature: 'z' };
    let ext: unknown;
    handler = async (req, _body, res) => {
      const { artifacts } = await hawk.server.authenticate(req, (id) => ({
        id,
        key: 'temp-token',
        algorithm: 'sha256',
      }));
      ext = JSON.parse(Buffer.from(artifacts.ext ?? '', 'base64').toString('utf8'));
      json(res, 200, {});
    };
    const client = new ServiceClient({
      rootUrl,
      service: 'queue',
      version: 'v1',
      credentials: {
        clientId: 'task-client/T/0/on/g/w/until/1',
        accessToken: 'temp-token',
        certificate: JSON.stringify(certificate),
      },
    });
    await client.call('POST', '/task/T/runs/0/completed');
    assert.deepEqual(ext, { certificate });
  });

  it('sends no Authorization without credentials and answers undefined for an empty body', async () => {
    let authorization: string | undefined = 'unset';
    handler = (req, _body, res) => {
      authorization = req.headers.authorization;
      res.writeHead(200).end();
    };
    const client = new ServiceClient({ rootUrl, service: 'queue', version: 'v1' });
    assert.equal(await client.call('GET', '/ping'), undefined);
    assert.equal(authorization, undefined);
  });

  it('retries 5xx answers and network errors, then succeeds', async () => {
    let calls = 0;
    handler = (req, _body, res) => {
      calls += 1;
      if (calls === 1) json(res, 503, { code: 'ServiceUnavailable', message: 'busy' });
      else if (calls === 2) req.socket.destroy();
      else json(res, 200, { calls });
    };
    const client = new ServiceClient({ rootUrl, service: 'queue', version: 'v1', tuning: fast });
    assert.deepEqual(await client.call('POST', '/x'), { calls: 3 });
  });

  it('gives up after the retries with the last error', async () => {
    let calls = 0;
    handler = (_req, _body, res) => {
      calls += 1;
      json(res, 500, { code: 'InternalServerError', message: 'broken\nrequest details' });
    };
    const client = new ServiceClient({ rootUrl, service: 'queue', version: 'v1', tuning: fast });
    await assert.rejects(client.call('POST', '/x'), (error: unknown) => {
      assert.ok(error instanceof QueueRequestError);
      assert.equal(error.statusCode, 500);
      assert.equal(error.code, 'InternalServerError');
      assert.match(error.message, /^broken/);
      return true;
    });
    assert.equal(calls, 3);
  });

  it('does not retry 4xx answers, and keeps their code and message', async () => {
    let calls = 0;
    handler = (_req, _body, res) => {
      calls += 1;
      json(res, 409, { code: 'RequestConflict', message: 'run is resolved' });
    };
    const client = new ServiceClient({ rootUrl, service: 'queue', version: 'v1', tuning: fast });
    await assert.rejects(client.call('POST', '/x'), (error: unknown) => {
      assert.ok(error instanceof QueueRequestError);
      assert.equal(error.isConflict, true);
      assert.equal(error.code, 'RequestConflict');
      assert.equal(error.message, 'run is resolved');
      return true;
    });
    assert.equal(calls, 1);
  });

  it('names an answer without a Taskcluster body by its status', async () => {
    handler = (_req, _body, res) => void res.writeHead(401).end('nope');
    const client = new ServiceClient({ rootUrl, service: 'queue', version: 'v1', tuning: fast });
    await assert.rejects(client.call('GET', '/x'), (error: unknown) => {
      assert.ok(error instanceof QueueRequestError);
      assert.equal(error.statusCode, 401);
      assert.equal(error.code, 'UnknownError');
      assert.equal(error.message, 'Authentication Error');
      return true;
    });
  });

  it('gives up on an attempt that gets no answer within the timeout, and retries it', async () => {
    let calls = 0;
    handler = (_req, _body, res) => {
      calls += 1;
      if (calls > 1) json(res, 200, { late: false });
      // The first request is left hanging.
    };
    const client = new ServiceClient({
      rootUrl,
      service: 'queue',
      version: 'v1',
      tuning: { ...fast, timeout: 100 },
    });
    assert.deepEqual(await client.call('GET', '/x'), { late: false });
    assert.equal(calls, 2);
  });

  it('refuses a certificate that is not JSON', () => {
    assert.throws(
      () =>
        new ServiceClient({
          rootUrl,
          service: 'queue',
          version: 'v1',
          credentials: { clientId: 'c', accessToken: 't', certificate: '{nope' },
        }),
      /certificate/,
    );
  });
  it('signs a GET URL with a bewit that Hawk accepts, carrying the temporary credentials’ certificate, until it expires', async () => {
    let seen: { id: string; ext: string | undefined } | undefined;
    handler = async (req, _body, res) => {
      try {
        const { credentials, attributes } = await hawk.uri.authenticate(req, (id) => ({
          id,
          key: 'temp-token',
          algorithm: 'sha256',
        }));
        seen = { id: credentials.id, ext: attributes.ext };
        json(res, 200, { ok: true });
      } catch (error) {
        json(res, 401, { message: String(error) });
      }
    };
    const certificate = { version: 1, scopes: ['queue:get-artifact:private/*'], seed: 's', signature: 'x' };
    const client = new ServiceClient({
      rootUrl,
      service: 'queue',
      version: 'v1',
      credentials: {
        clientId: 'task-client/t/0',
        accessToken: 'temp-token',
        certificate: JSON.stringify(certificate),
      },
    });
    const url = client.signedUrl('/task/T/artifacts/private/image.tar', 60);
    assert.match(
      url,
      /^http:\/\/127\.0\.0\.1:\d+\/api\/queue\/v1\/task\/T\/artifacts\/private\/image\.tar\?bewit=/,
    );
    assert.equal((await fetch(url)).status, 200);
    assert.equal(seen?.id, 'task-client/t/0');
    assert.deepEqual(JSON.parse(Buffer.from(seen?.ext ?? '', 'base64').toString()), { certificate });
    // Expired: a bewit made with a ttl in the past is refused.
    assert.equal((await fetch(client.signedUrl('/task/T/artifacts/private/image.tar', -10))).status, 401);
    // Without credentials the URL is the plain one.
    const anonymous = new ServiceClient({ rootUrl, service: 'queue', version: 'v1' });
    assert.equal(
      anonymous.signedUrl('/task/T/artifacts/public/x', 60),
      `${rootUrl}/api/queue/v1/task/T/artifacts/public/x`,
    );
  });
});
