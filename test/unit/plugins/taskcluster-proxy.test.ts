// The taskcluster proxy on the wire: what it forwards where, signed with which credentials (checked with
// hawk's own server side, as a Taskcluster service checks them), and what it refuses.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import hawk from 'hawk';
import { silentLog } from '../../../src/log/worker-log.js';
import { TaskclusterProxy } from '../../../src/plugins/taskcluster-proxy/proxy-server.js';
import type { Credentials } from '../../../src/queue/types.js';
import { taskclusterProxyPlugin } from '../../../src/plugins/taskcluster-proxy/taskcluster-proxy-plugin.js';
import type { RunCredentials } from '../../../src/plugins/types.js';
import { FakeEngine, type FakeEngineOptions } from '../../helpers/fake-engine.js';
import { runWithPlugins } from '../../helpers/plugin-harness.js';

interface Seen {
  method: string;
  url: string;
  clientId: string;
  ext: string | undefined;
  body: string;
  contentType: string | undefined;
}

const keys: Record<string, string> = { 'task-client/first': 'key-one', 'task-client/second': 'key-two' };
let seen: Seen[] = [];
const upstream = createServer((req: IncomingMessage, res: ServerResponse) => {
  let body = '';
  req.on('data', (chunk: Buffer) => (body += chunk.toString()));
  req.on('end', () => {
    void (async () => {
      try {
        const { credentials, artifacts } = await hawk.server.authenticate(req, (id) =>
          keys[id] ? { id, key: keys[id], algorithm: 'sha256' } : undefined,
        );
        seen.push({
          method: req.method!,
          url: req.url!,
          clientId: credentials.id,
          ext: artifacts.ext,
          body,
          contentType: req.headers['content-type'],
        });
        res.writeHead(200, { 'content-type': 'application/json', 'x-upstream': 'yes' });
        res.end(JSON.stringify({ ok: true }));
      } catch (error) {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: String(error) }));
      }
    })();
  });
});

describe('taskcluster proxy', () => {
  let rootUrl = '';
  let credentials: Credentials = { clientId: 'task-client/first', accessToken: 'key-one' };
  let proxy: TaskclusterProxy;

  before(async () => {
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    rootUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    proxy = await TaskclusterProxy.start({
      rootUrl,
      credentials: () => credentials,
      host: '127.0.0.1',
      log: silentLog(),
    });
  });
  after(async () => {
    await proxy.close();
    upstream.closeAllConnections();
    upstream.close();
  });

  it('forwards /api/<service>/<version>/... to the root URL, signed with the run’s credentials, query and body kept', async () => {
    seen = [];
    const certificate = { version: 1, scopes: ['queue:get-artifact:private/*'], seed: 's', signature: 'x' };
    credentials = {
      clientId: 'task-client/first',
      accessToken: 'key-one',
      certificate: JSON.stringify(certificate),
    };
    const response = await fetch(`${proxy.url}/api/queue/v1/task/T/artifacts?limit=2`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Hawk id="forged"' },
      body: JSON.stringify({ hello: 'queue' }),
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-upstream'), 'yes');
    assert.deepEqual(await response.json(), { ok: true });
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.method, 'POST');
    assert.equal(seen[0]!.url, '/api/queue/v1/task/T/artifacts?limit=2');
    assert.equal(seen[0]!.clientId, 'task-client/first', 'the task’s own Authorization header is replaced');
    assert.deepEqual(JSON.parse(Buffer.from(seen[0]!.ext!, 'base64').toString()), { certificate });
    assert.equal(seen[0]!.body, '{"hello":"queue"}');
    assert.equal(seen[0]!.contentType, 'application/json');
  });

  it('accepts the older /<service>/<version>/... form, and signs with renewed credentials from then on', async () => {
    seen = [];
    credentials = { clientId: 'task-client/first', accessToken: 'key-one' };
    assert.equal((await fetch(`${proxy.url}/queue/v1/ping`)).status, 200);
    credentials = { clientId: 'task-client/second', accessToken: 'key-two' };
    assert.equal((await fetch(`${proxy.url}/api/queue/v1/ping`)).status, 200);
    assert.deepEqual(
      seen.map((s) => [s.url, s.clientId]),
      [
        ['/api/queue/v1/ping', 'task-client/first'],
        ['/api/queue/v1/ping', 'task-client/second'],
      ],
    );
  });

  it('sends the credentials’ authorizedScopes with the certificate, narrowing what the call may do', async () => {
    seen = [];
    const certificate = { version: 1, scopes: ['*'], seed: 's', signature: 'x' };
    credentials = {
      clientId: 'task-client/first',
      accessToken: 'key-one',
      certificate: JSON.stringify(certificate),
      authorizedScopes: ['queue:get-artifact:private/*', 'queue:create-artifact:T/0'],
    };
    assert.equal((await fetch(`${proxy.url}/api/queue/v1/ping`)).status, 200);
    assert.deepEqual(JSON.parse(Buffer.from(seen[0]!.ext!, 'base64').toString()), {
      certificate,
      authorizedScopes: ['queue:get-artifact:private/*', 'queue:create-artifact:T/0'],
    });
  });

  it('answers 404 without the URL’s secret, or for a path that names no service, and forwards nothing', async () => {
    seen = [];
    const origin = new URL(proxy.url).origin;
    assert.equal((await fetch(`${origin}/api/queue/v1/ping`)).status, 404);
    assert.equal((await fetch(`${origin}/not-the-secret/api/queue/v1/ping`)).status, 404);
    assert.equal((await fetch(`${proxy.url}/favicon.ico`)).status, 404);
    assert.deepEqual(seen, []);
  });

  it('signs URLs of the deployment on POST /bewit, and only those', async () => {
    credentials = { clientId: 'task-client/first', accessToken: 'key-one' };
    const response = await fetch(`${proxy.url}/bewit`, {
      method: 'POST',
      body: `${rootUrl}/api/queue/v1/task/T/artifacts/private/x?a=1`,
      redirect: 'manual',
    });
    assert.equal(response.status, 303);
    const signed = new URL(response.headers.get('location')!);
    assert.match(signed.search, /^\?a=1&bewit=/);
    // Checked the way a service checks a bewit: method, path with query, and the Host it was signed for.
    const asReceived = {
      method: 'GET',
      url: `${signed.pathname}${signed.search}`,
      headers: { host: signed.host },
    } as unknown as IncomingMessage;
    const { credentials: used } = await hawk.uri.authenticate(asReceived, (id) =>
      keys[id] ? { id, key: keys[id], algorithm: 'sha256' } : undefined,
    );
    assert.equal(used.id, 'task-client/first');
    const elsewhere = await fetch(`${proxy.url}/bewit`, {
      method: 'POST',
      body: 'https://evil.example.com/x',
    });
    assert.equal(elsewhere.status, 400);
  });

  it('answers 502 when the deployment cannot be reached', async () => {
    const unreachable = await TaskclusterProxy.start({
      rootUrl: 'http://127.0.0.1:9',
      credentials: () => credentials,
      host: '127.0.0.1',
      log: silentLog(),
    });
    try {
      const response = await fetch(`${unreachable.url}/api/queue/v1/ping`);
      assert.equal(response.status, 502);
      assert.equal(((await response.json()) as { code: string }).code, 'ProxyError');
    } finally {
      await unreachable.close();
    }
  });
});

describe('taskcluster-proxy plugin', () => {
  const credentials: RunCredentials = {
    current: () => ({ clientId: 'task-client/first', accessToken: 'key-one' }),
    onRenewed: () => () => undefined,
  };
  /** The proxy URL the fake engine got, and whether the proxy still answers after the run. */
  const runWith = async (
    payload: Record<string, unknown>,
    engine: FakeEngineOptions,
    config: Record<string, unknown> = {},
  ): Promise<{ url: string | undefined; resolution: string; log: string; answersAfter: boolean }> => {
    const fake = new FakeEngine(engine);
    const run = await runWithPlugins({
      plugins: [taskclusterProxyPlugin],
      payload,
      engine: fake,
      credentials,
      config,
    });
    const url = fake.env.get('TASKCLUSTER_PROXY_URL');
    const answersAfter = url
      ? await fetch(`${url}/api/queue/v1/ping`).then(
          () => true,
          () => false,
        )
      : false;
    const { resolution } = run;
    const reason = 'reason' in resolution ? `/${resolution.reason}` : '';
    return { url, resolution: `${resolution.kind}${reason}`, log: run.log, answersAfter };
  };

  it('gives a task that asks for it TASKCLUSTER_PROXY_URL on the address the engine names, until the task ends', async () => {
    const run = await runWith({ features: { taskclusterProxy: true } }, { reachableHost: '127.0.0.1' });
    assert.equal(run.resolution, 'completed', run.log);
    assert.match(run.url ?? '', /^http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{24}$/);
    assert.equal(run.answersAfter, false, 'stopped with the task');
    assert.doesNotMatch(run.log, new RegExp(new URL(run.url!).pathname.slice(1)), 'the secret is not logged');
  });

  it('is absent for tasks that do not ask', async () => {
    const run = await runWith({}, { reachableHost: '127.0.0.1' });
    assert.equal(run.url, undefined);
  });

  it('is malformed-payload where the task cannot reach the worker’s host, or the worker disabled it', async () => {
    const unreachable = await runWith({ features: { taskclusterProxy: true } }, { reachableHost: null });
    assert.equal(unreachable.resolution, 'exception/malformed-payload');
    assert.match(unreachable.log, /features\.taskclusterProxy was requested, but the task has no network/);
    const noMethod = await runWith({ features: { taskclusterProxy: true } }, {});
    assert.equal(noMethod.resolution, 'exception/malformed-payload');
    const disabled = await runWith(
      { features: { taskclusterProxy: true } },
      { reachableHost: '127.0.0.1' },
      { taskclusterProxy: { enabled: false } },
    );
    assert.equal(disabled.resolution, 'exception/malformed-payload');
    assert.match(disabled.log, /not enabled on this worker pool/);
  });
});
