// Hawk authentication and scopes on the embedded queue, driven with the official taskcluster-client
// (its signing, temporary credentials, authorizedScopes and signed URLs) and with raw Hawk headers where
// a test needs to replay or tamper with one.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import hawk from 'hawk';
import { rejection, tc, type ClientOptions, type Json } from '../../helpers/local-queue-client.js';
import {
  createAndClaim,
  startQueueFixture,
  taskDefinition,
  uniqueTaskQueue,
  worker,
  type QueueFixture,
} from '../../helpers/local-queue-fixture.js';

const token = (name: string): string => `${name}-access-token-of-at-least-22-chars`;

const clients = [
  { clientId: 'test/user', accessToken: token('user'), scopes: ['assume:role:user'] },
  {
    clientId: 'test/reader',
    accessToken: token('reader'),
    scopes: ['queue:get-artifact:private/readable/*'],
  },
  { clientId: 'test/no-claim', accessToken: token('no-claim'), scopes: ['queue:worker-id:*'] },
  {
    clientId: 'test/other-worker-id',
    accessToken: token('other-worker-id'),
    scopes: ['queue:claim-work:*', `queue:worker-id:${worker.workerGroup}/someone-else`],
  },
];
const roles = [
  {
    roleId: 'role:user',
    scopes: [
      'queue:create-task:*',
      'queue:scheduler-id:*',
      'queue:cancel-task:*',
      'queue:get-artifact:*',
      'queue:route:allowed.*',
      'granted:*',
    ],
  },
];

const credentialsOf = (clientId: string) => {
  const client = clients.find((c) => c.clientId === clientId);
  if (!client) throw new Error(clientId);
  return { clientId: client.clientId, accessToken: client.accessToken };
};

describe('local queue: authentication and scopes', () => {
  let f: QueueFixture;
  const queueAs = (options: Omit<ClientOptions, 'rootUrl'> = {}) =>
    new tc.Queue({ rootUrl: f.queue.rootUrl, retries: 0, ...options });
  const apiUrl = (path: string) => `${f.queue.rootUrl}/api/queue/v1${path}`;

  before(async () => {
    f = await startQueueFixture({ claimWorkPollSeconds: 1, clients, roles });
  });
  after(() => f.close());

  test('calls that need scopes refuse callers without credentials (403, as a real deployment), in the Taskcluster error shape', async () => {
    const anonymous = queueAs();
    const taskId = tc.slugid();
    const refused = await rejection(anonymous.createTask(taskId, taskDefinition(uniqueTaskQueue())));
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.code, 'InsufficientScopes');
    assert.match(refused.body.message, /without credentials/);
    assert.deepEqual(Object.keys(refused.body), ['code', 'message', 'requestInfo']);
    assert.equal(refused.body.requestInfo.method, 'createTask');
    assert.match(refused.body.message, /queue:create-task:project:none/);
    const claim = await rejection(anonymous.claimWork(uniqueTaskQueue(), { ...worker, tasks: 1 }));
    assert.equal(claim.statusCode, 403);
  });

  test('reading calls work without credentials, as on a real deployment', async () => {
    const { taskId } = await createAndClaim(f.client, uniqueTaskQueue());
    const anonymous = queueAs();
    assert.equal((await anonymous.ping()).alive, true);
    assert.equal((await anonymous.task(taskId)).metadata.name, 'local queue test');
    assert.equal((await anonymous.status(taskId)).status.state, 'running');
    assert.deepEqual((await anonymous.listArtifacts(taskId, 0)).artifacts, []);
    assert.equal((await anonymous.statuses({ taskIds: [taskId] })).statuses.length, 1);
    await anonymous.listTaskGroup(taskId);
    await anonymous.listProvisioners();
  });

  test('a wrong accessToken, an unknown client or a tampered request is refused (401)', async () => {
    const queue = uniqueTaskQueue();
    const forged = queueAs({ credentials: { clientId: 'test/user', accessToken: token('not-user') } });
    const bad = await rejection(forged.createTask(tc.slugid(), taskDefinition(queue)));
    assert.equal(bad.statusCode, 401);
    assert.match(bad.body.message, /Bad mac/);
    // A bad signature is refused even where no scope is needed.
    assert.equal((await rejection(forged.task(tc.slugid()))).statusCode, 401);
    const unknown = queueAs({ credentials: { clientId: 'test/nobody', accessToken: token('nobody') } });
    assert.match(
      (await rejection(unknown.status(tc.slugid()))).body.message,
      /unknown clientId test\/nobody/,
    );

    // A header signed for one URL does not authorize another.
    const { clientId, accessToken } = f.queue.rootClient;
    const credentials = { id: clientId, key: accessToken, algorithm: 'sha256' as const };
    const { header } = hawk.client.header(apiUrl('/task-queues'), 'GET', { credentials });
    const moved = await fetch(apiUrl('/provisioners'), { headers: { authorization: header } });
    assert.equal(moved.status, 401);
    assert.equal(((await moved.json()) as Json).code, 'AuthenticationFailed');
    const garbage = await fetch(apiUrl('/provisioners'), { headers: { authorization: 'Hawk nonsense' } });
    assert.equal(garbage.status, 401);
    const basic = await fetch(apiUrl('/provisioners'), { headers: { authorization: 'Basic dXNlcjpwdw==' } });
    assert.equal(basic.status, 401);
  });

  test('a replayed request (same nonce and timestamp) is refused', async () => {
    const { clientId, accessToken } = f.queue.rootClient;
    const credentials = { id: clientId, key: accessToken, algorithm: 'sha256' as const };
    const url = apiUrl('/task-queues');
    const { header } = hawk.client.header(url, 'GET', { credentials });
    assert.equal((await fetch(url, { headers: { authorization: header } })).status, 200);
    const replay = await fetch(url, { headers: { authorization: header } });
    assert.equal(replay.status, 401);
    assert.match(((await replay.json()) as Json).message, /Invalid nonce/);
    // A clock ten minutes off is within the tolerance (15 minutes, as on a real deployment)...
    const skewed = hawk.client.header(url, 'GET', {
      credentials,
      timestamp: Math.floor(Date.now() / 1000) - 600,
    });
    assert.equal((await fetch(url, { headers: { authorization: skewed.header } })).status, 200);
    // ...but outside the clock-skew window the timestamp itself is refused.
    const stale = hawk.client.header(url, 'GET', {
      credentials,
      timestamp: Math.floor(Date.now() / 1000) - 3600,
    });
    const old = await fetch(url, { headers: { authorization: stale.header } });
    assert.equal(old.status, 401);
    assert.match(((await old.json()) as Json).message, /Stale timestamp/);
  });

  test('a payload hash, when sent, must match the body', async () => {
    const { clientId, accessToken } = f.queue.rootClient;
    const credentials = { id: clientId, key: accessToken, algorithm: 'sha256' as const };
    const url = apiUrl(`/task/${tc.slugid()}`);
    const body = JSON.stringify(taskDefinition(uniqueTaskQueue()));
    const contentType = 'application/json';
    const signed = (payload: string) =>
      hawk.client.header(url, 'PUT', { credentials, payload, contentType }).header;
    const other = JSON.stringify(taskDefinition(uniqueTaskQueue()));
    const tampered = await fetch(url, {
      method: 'PUT',
      headers: { authorization: signed(body), 'content-type': contentType },
      body: other,
    });
    assert.equal(tampered.status, 401);
    assert.match(((await tampered.json()) as Json).message, /payload hash/);
    const honest = await fetch(url, {
      method: 'PUT',
      headers: { authorization: signed(body), 'content-type': contentType },
      body,
    });
    assert.equal(honest.status, 200);
  });

  test('claimWork needs queue:claim-work:<taskQueueId> and queue:worker-id:<workerGroup>/<workerId>', async () => {
    const queue = uniqueTaskQueue();
    await f.client.createTask(tc.slugid(), taskDefinition(queue));
    const noClaim = queueAs({ credentials: credentialsOf('test/no-claim') });
    const refused = await rejection(noClaim.claimWork(queue, { ...worker, tasks: 1 }));
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.code, 'InsufficientScopes');
    assert.match(
      refused.body.message,
      new RegExp(`missing the following scopes:\\n\\n\`\`\`\\nqueue:claim-work:${queue}\\n`),
    );
    const otherId = queueAs({ credentials: credentialsOf('test/other-worker-id') });
    const wrongId = await rejection(otherId.claimWork(queue, { ...worker, tasks: 1 }));
    assert.equal(wrongId.statusCode, 403);
    assert.match(
      wrongId.body.message,
      new RegExp(`queue:worker-id:${worker.workerGroup}/${worker.workerId}`),
    );
    // The pending task is still there for a worker that may claim it.
    const { tasks } = await f.client.claimWork(queue, { ...worker, tasks: 1 });
    assert.equal(tasks.length, 1);
  });

  test("a run's credentials act on that run only", async () => {
    const queue = uniqueTaskQueue();
    const first = await createAndClaim(f.client, queue);
    const second = await createAndClaim(f.client, queue);
    const asFirst = queueAs({ credentials: first.claim.credentials });
    const refused = await rejection(asFirst.reportCompleted(second.taskId, 0));
    assert.equal(refused.statusCode, 403);
    assert.match(refused.body.message, new RegExp(`queue:resolve-task:${second.taskId}/0`));
    assert.match(
      refused.body.message,
      new RegExp(`Client ID ${first.claim.credentials.clientId.replace(/\./g, '\\.')}`),
    );
    assert.equal((await rejection(asFirst.reclaimTask(second.taskId, 0))).statusCode, 403);
    const artifact = {
      storageType: 'error',
      reason: 'file-missing-on-worker',
      message: 'x',
      expires: second.claim.task.expires,
    };
    assert.equal(
      (await rejection(asFirst.createArtifact(second.taskId, 0, 'public/x', artifact))).statusCode,
      403,
    );
    // Its own run it may reclaim (new credentials, valid until the new takenUntil) and resolve.
    const reclaimed = await asFirst.reclaimTask(first.taskId, 0);
    const cert = JSON.parse(reclaimed.credentials.certificate);
    assert.equal(cert.expiry, Date.parse(reclaimed.takenUntil));
    assert.equal(cert.issuer, 'static/taskcluster/queue');
    const renewed = queueAs({ credentials: reclaimed.credentials });
    assert.equal((await renewed.reportCompleted(first.taskId, 0)).status.state, 'completed');
  });

  test('creating a task needs its scopes and routes: what is missing is named', async () => {
    const user = queueAs({ credentials: credentialsOf('test/user') });
    const queue = uniqueTaskQueue();
    const refused = await rejection(
      user.createTask(
        tc.slugid(),
        taskDefinition(queue, { scopes: ['granted:a', 'secret:b'], routes: ['allowed.x', 'forbidden.y'] }),
      ),
    );
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.code, 'InsufficientScopes');
    const missing = /missing the following scopes:\n\n```\n([^`]*)```/.exec(refused.body.message)?.[1] ?? '';
    assert.match(missing, /secret:b/);
    assert.match(missing, /queue:route:forbidden\.y/);
    assert.doesNotMatch(missing, /granted:a|allowed\.x/);
    await user.createTask(
      tc.slugid(),
      taskDefinition(queue, { scopes: ['granted:a'], routes: ['allowed.x'] }),
    );

    // A task's own credentials carry task.scopes: enough to create a task with those, not with more.
    const { claim } = await createAndClaim(f.client, uniqueTaskQueue(), {
      scopes: ['queue:create-task:*', 'queue:scheduler-id:-', 'granted:a'],
    });
    const asTask = queueAs({ credentials: claim.credentials });
    await asTask.createTask(tc.slugid(), taskDefinition(queue, { scopes: ['granted:a'] }));
    const more = await rejection(
      asTask.createTask(tc.slugid(), taskDefinition(queue, { scopes: ['granted:b'] })),
    );
    assert.equal(more.statusCode, 403);
    assert.match(more.body.message, /granted:b/);
  });

  test('public artifacts are readable by anyone, private ones need queue:get-artifact:<name>', async () => {
    const { taskId, claim } = await createAndClaim(f.client, uniqueTaskQueue());
    const reference = (url: string) => ({
      storageType: 'reference',
      url,
      contentType: 'text/plain',
      expires: claim.task.expires,
    });
    await f.client.createArtifact(taskId, 0, 'public/open.txt', reference('https://example.com/open'));
    await f.client.createArtifact(taskId, 0, 'private/readable/a.txt', reference('https://example.com/a'));
    await f.client.createArtifact(taskId, 0, 'private/secret.txt', reference('https://example.com/secret'));
    await f.client.createArtifact(taskId, 0, 'public/alias.txt', {
      storageType: 'link',
      artifact: 'private/secret.txt',
      expires: claim.task.expires,
    });
    const status = async (client: Json, name: string) => {
      const response = await fetch(client.buildUrl(client.getArtifact, taskId, 0, name), {
        redirect: 'manual',
      });
      await response.body?.cancel();
      return response.status;
    };
    const signedStatus = async (client: Json, name: string) => {
      const response = await fetch(client.buildSignedUrl(client.getArtifact, taskId, 0, name), {
        redirect: 'manual',
      });
      await response.body?.cancel();
      return response.status;
    };
    const anonymous = queueAs();
    assert.equal(await status(anonymous, 'public/open.txt'), 303);
    assert.equal(await status(anonymous, 'private/secret.txt'), 403);
    // A public link does not expose the private artifact behind it.
    assert.equal(await status(anonymous, 'public/alias.txt'), 403);
    const reader = queueAs({ credentials: credentialsOf('test/reader') });
    assert.equal(await signedStatus(reader, 'private/readable/a.txt'), 303);
    assert.equal(await signedStatus(reader, 'private/secret.txt'), 403);
    assert.equal((await rejection(reader.getArtifact(taskId, 0, 'private/secret.txt'))).statusCode, 403);
    assert.equal(
      (await rejection(reader.latestArtifact(taskId, 'private/secret.txt'))).code,
      'InsufficientScopes',
    );
    const user = queueAs({ credentials: credentialsOf('test/user') });
    assert.equal(await signedStatus(user, 'private/secret.txt'), 303);
    assert.equal(await signedStatus(user, 'public/alias.txt'), 303);
    assert.equal((await user.artifact(taskId, 0, 'private/secret.txt')).url, 'https://example.com/secret');
  });

  test('signed URLs work until they expire', async () => {
    const { taskId, claim } = await createAndClaim(f.client, uniqueTaskQueue());
    await f.client.createArtifact(taskId, 0, 'private/x.txt', {
      storageType: 'reference',
      url: 'https://example.com/x',
      contentType: 'text/plain',
      expires: claim.task.expires,
    });
    const user = queueAs({ credentials: credentialsOf('test/user') });
    const url = user.buildSignedUrl(user.getArtifact, taskId, 0, 'private/x.txt', { expiration: 1 });
    const first = await fetch(url, { redirect: 'manual' });
    assert.equal(first.status, 303);
    assert.equal(first.headers.get('location'), 'https://example.com/x');
    // Bewits do not carry a nonce: the same URL works again while valid.
    assert.equal((await fetch(url, { redirect: 'manual' })).status, 303);
    const tampered = url.replace('private%2Fx.txt', 'private%2Fy.txt');
    assert.equal((await fetch(tampered, { redirect: 'manual' })).status, 401);
    // Signed with temporary credentials, the URL carries their certificate.
    const temporary = tc.createTemporaryCredentials({
      scopes: ['queue:get-artifact:private/*'],
      start: new Date(Date.now() - 60_000),
      expiry: new Date(Date.now() + 60_000),
      credentials: credentialsOf('test/user'),
    });
    const asTemporary = queueAs({ credentials: temporary });
    const temporaryUrl = asTemporary.buildSignedUrl(asTemporary.getArtifact, taskId, 0, 'private/x.txt');
    assert.equal((await fetch(temporaryUrl, { redirect: 'manual' })).status, 303);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const expired = await fetch(url, { redirect: 'manual' });
    assert.equal(expired.status, 401);
    assert.match(((await expired.json()) as Json).message, /Access expired/);
  });

  test("taskcluster-client's temporary credentials and authorizedScopes work", async () => {
    const queue = uniqueTaskQueue();
    const user = credentialsOf('test/user');
    const start = new Date(Date.now() - 60_000);
    const expiry = new Date(Date.now() + 3600_000);
    const temporary = tc.createTemporaryCredentials({
      scopes: ['queue:create-task:*', 'queue:scheduler-id:-'],
      start,
      expiry,
      credentials: user,
    });
    assert.equal(temporary.clientId, 'test/user');
    const asTemporary = queueAs({ credentials: temporary });
    await asTemporary.createTask(tc.slugid(), taskDefinition(queue));
    const narrower = await rejection(asTemporary.cancelTask(tc.slugid()));
    assert.equal(narrower.statusCode, 404, 'the task does not exist: checked before the scopes, as real');
    const created = tc.slugid();
    await f.client.createTask(created, taskDefinition(queue));
    assert.equal((await rejection(asTemporary.cancelTask(created))).statusCode, 403);

    // More scopes than the issuer holds: refused at authentication.
    const inflated = tc.createTemporaryCredentials({ scopes: ['*'], start, expiry, credentials: user });
    const refused = await rejection(
      queueAs({ credentials: inflated }).createTask(tc.slugid(), taskDefinition(queue)),
    );
    assert.equal(refused.statusCode, 401);
    assert.match(refused.body.message, /exceed those of its issuer/);

    // A certificate with a changed scope list fails its signature.
    const cert = JSON.parse(temporary.certificate);
    const altered = { ...temporary, certificate: JSON.stringify({ ...cert, scopes: ['*'] }) };
    assert.match(
      (await rejection(queueAs({ credentials: altered }).createTask(tc.slugid(), taskDefinition(queue)))).body
        .message,
      /signature is not valid/,
    );

    // Named temporary credentials need auth:create-client:<name> of their issuer; the root client has it.
    const root = { clientId: f.queue.rootClient.clientId, accessToken: f.queue.rootClient.accessToken };
    const named = tc.createTemporaryCredentials({
      clientId: 'test/named',
      scopes: ['queue:create-task:*', 'queue:scheduler-id:-'],
      start,
      expiry,
      credentials: root,
    });
    await queueAs({ credentials: named }).createTask(tc.slugid(), taskDefinition(queue));
    const namedByUser = tc.createTemporaryCredentials({
      clientId: 'test/named',
      scopes: [],
      start,
      expiry,
      credentials: user,
    });
    assert.equal(
      (await rejection(queueAs({ credentials: namedByUser }).claimWork(queue, { ...worker, tasks: 1 })))
        .statusCode,
      401,
    );

    // authorizedScopes narrows what a client's (or temporary) credentials may do.
    const narrowed = queueAs({ credentials: root, authorizedScopes: ['queue:claim-work:*'] });
    const denied = await rejection(narrowed.createTask(tc.slugid(), taskDefinition(queue)));
    assert.equal(denied.statusCode, 403);
    assert.equal(denied.code, 'InsufficientScopes');
    const beyond = queueAs({ credentials: temporary, authorizedScopes: ['queue:claim-work:*'] });
    assert.equal((await rejection(beyond.createTask(tc.slugid(), taskDefinition(queue)))).statusCode, 401);
    const within = queueAs({
      credentials: temporary,
      authorizedScopes: ['queue:create-task:lowest:*', 'queue:create-task:project:*', 'queue:scheduler-id:-'],
    });
    await within.createTask(tc.slugid(), taskDefinition(queue));
  });
});

describe('local queue: credentials expire', () => {
  let f: QueueFixture;
  before(async () => {
    f = await startQueueFixture({ claimTimeoutSeconds: 1, claimWorkPollSeconds: 1, clockSkewSeconds: 1 });
  });
  after(() => f.close());

  test("a run's credentials stop working at takenUntil", async () => {
    const { taskId, claim } = await createAndClaim(f.client, uniqueTaskQueue());
    const asRun = new tc.Queue({ rootUrl: f.queue.rootUrl, retries: 0, credentials: claim.credentials });
    await new Promise((resolve) => setTimeout(resolve, Date.parse(claim.takenUntil) - Date.now() + 1500));
    const refused = await rejection(asRun.reclaimTask(taskId, 0));
    assert.equal(refused.statusCode, 401);
    assert.match(refused.body.message, /expired/);
  });
});

describe('local queue: behind a proxy', () => {
  let f: QueueFixture;
  before(async () => {
    f = await startQueueFixture({ publicUrl: 'https://queue.example.com' });
  });
  after(() => f.close());

  test('a request signed for the public URL is accepted whatever Host header the proxy sends', async () => {
    const { clientId, accessToken } = f.queue.rootClient;
    const credentials = { id: clientId, key: accessToken, algorithm: 'sha256' as const };
    const path = '/api/queue/v1/task-queues';
    const forPublic = hawk.client.header(`https://queue.example.com${path}`, 'GET', { credentials });
    assert.equal(
      (await fetch(`${f.queue.rootUrl}${path}`, { headers: { authorization: forPublic.header } })).status,
      200,
    );
    // Signed for the listen address, as a client on the same machine does.
    assert.equal((await f.client.listTaskQueues()).taskQueues !== undefined, true);
    const elsewhere = hawk.client.header(`https://other.example.com${path}`, 'GET', { credentials });
    assert.equal(
      (await fetch(`${f.queue.rootUrl}${path}`, { headers: { authorization: elsewhere.header } })).status,
      401,
    );
  });
});
