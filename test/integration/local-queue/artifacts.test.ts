// Artifacts of every storage type: create rules, upload through putUrl, download through getArtifact.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { rejection, tc, type Json } from '../../helpers/local-queue-client.js';
import {
  createAndClaim,
  startQueueFixture,
  uniqueTaskQueue,
  type QueueFixture,
} from '../../helpers/local-queue-fixture.js';
import { rawGet } from '../../helpers/local-queue-http.js';

describe('local queue: artifacts', () => {
  let f: QueueFixture;
  let signer: Json;
  before(async () => {
    f = await startQueueFixture({ claimWorkPollSeconds: 1 });
    // Signed URLs carry the credentials of their signer: here the root client's.
    const { clientId, accessToken } = f.queue.rootClient;
    signer = new tc.Queue({ rootUrl: f.queue.rootUrl, credentials: { clientId, accessToken } });
  });
  after(() => f.close());

  test('s3: upload through putUrl, download through getArtifact with Content-Encoding preserved', async () => {
    const { taskId, claim } = await createAndClaim(f.client, uniqueTaskQueue());
    const name = 'public/logs/live_backing.log';
    const text = 'hello from the task\n'.repeat(100);
    const gzipped = gzipSync(text);
    const created = await f.client.createArtifact(taskId, 0, name, {
      storageType: 's3',
      contentType: 'text/plain; charset=utf-8',
      expires: claim.task.expires,
      contentLength: gzipped.length,
    });
    assert.deepEqual(Object.keys(created), ['storageType', 'contentType', 'expires', 'putUrl']);
    assert.equal(created.storageType, 's3');
    assert.ok(created.putUrl.startsWith(`${f.queue.rootUrl}/blobs/`));
    assert.match(created.putUrl, /signature=/);
    assert.ok(Date.parse(created.expires) > Date.now() + 40 * 60 * 1000, 'putUrl lasts about 45 minutes');

    const put = await fetch(created.putUrl, {
      method: 'PUT',
      headers: { 'content-type': 'text/plain; charset=utf-8', 'content-encoding': 'gzip' },
      body: gzipped,
    });
    assert.equal(put.status, 200);

    const url = signer.buildSignedUrl(signer.getArtifact, taskId, 0, name);
    const redirect = await fetch(url, { redirect: 'manual' });
    assert.equal(redirect.status, 303);
    assert.equal(redirect.headers.get('x-taskcluster-artifact-storage-type'), 's3');
    const location = redirect.headers.get('location') ?? '';
    assert.deepEqual(await redirect.json(), { storageType: 's3', url: location });

    const raw = await rawGet(location);
    assert.equal(raw.status, 200);
    assert.equal(raw.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(raw.headers['content-encoding'], 'gzip');
    assert.equal(raw.headers['content-length'], String(gzipped.length));
    assert.ok(raw.body.equals(gzipped), 'bytes served exactly as uploaded');

    // A client following redirects gets the content (fetch decodes the gzip itself).
    const followed = await fetch(f.client.buildUrl(f.client.getLatestArtifact, taskId, name));
    assert.equal(followed.status, 200);
    assert.equal(await followed.text(), text);

    // Through taskcluster-client itself: the 303 body.
    const viaClient = await f.client.getArtifact(taskId, 0, name);
    assert.equal(viaClient.storageType, 's3');
    const content = await f.client.artifact(taskId, 0, name);
    assert.equal(content.storageType, 's3');
    assert.ok(content.url.startsWith(`${f.queue.rootUrl}/blobs/`));
  });

  test('blob URLs only work with a valid signature', async () => {
    const { taskId, claim } = await createAndClaim(f.client, uniqueTaskQueue());
    const { putUrl } = await f.client.createArtifact(taskId, 0, 'public/a.bin', {
      storageType: 's3',
      contentType: 'application/octet-stream',
      expires: claim.task.expires,
    });
    const tampered = putUrl.replace('a.bin', 'b.bin');
    assert.equal((await fetch(tampered, { method: 'PUT', body: 'x' })).status, 403);
    assert.equal(
      (await fetch(putUrl.replace(/signature=[^&]+/, 'signature=nope'), { method: 'PUT', body: 'x' })).status,
      403,
    );
    // A putUrl is not a download URL.
    assert.equal((await fetch(putUrl)).status, 403);
    // Not uploaded yet: the download URL answers 404.
    const { url } = await f.client.artifact(taskId, 0, 'public/a.bin');
    assert.equal((await fetch(url)).status, 404);
    // Uploading JSON bytes keeps them opaque.
    assert.equal(
      (await fetch(putUrl, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"a":' }))
        .status,
      200,
    );
    const raw = await rawGet(url);
    assert.equal(raw.body.toString(), '{"a":');
    assert.equal(raw.headers['content-type'], 'application/json');
    assert.equal(raw.headers['content-encoding'], undefined);
  });

  test('reference, link and error artifacts', async () => {
    const { taskId, claim } = await createAndClaim(f.client, uniqueTaskQueue());
    const expires = claim.task.expires;
    const ref = await f.client.createArtifact(taskId, 0, 'public/logs/live.log', {
      storageType: 'reference',
      url: 'https://example.com/live',
      contentType: 'text/plain',
      expires,
    });
    assert.deepEqual(ref, { storageType: 'reference' });
    let redirect = await fetch(f.client.buildUrl(f.client.getArtifact, taskId, 0, 'public/logs/live.log'), {
      redirect: 'manual',
    });
    assert.equal(redirect.status, 303);
    assert.equal(redirect.headers.get('location'), 'https://example.com/live');

    await f.client.createArtifact(taskId, 0, 'public/logs/live_backing.log', {
      storageType: 'reference',
      url: 'https://example.com/backing',
      contentType: 'text/plain',
      expires,
    });
    // The live log becomes a link to the backing log at the end of a run (reference -> link is allowed).
    const link = await f.client.createArtifact(taskId, 0, 'public/logs/live.log', {
      storageType: 'link',
      artifact: 'public/logs/live_backing.log',
      contentType: 'text/plain',
      expires,
    });
    assert.deepEqual(link, { storageType: 'link' });
    redirect = await fetch(f.client.buildUrl(f.client.getLatestArtifact, taskId, 'public/logs/live.log'), {
      redirect: 'manual',
    });
    assert.equal(redirect.headers.get('location'), 'https://example.com/backing');

    const error = await f.client.createArtifact(taskId, 0, 'public/missing.txt', {
      storageType: 'error',
      reason: 'file-missing-on-worker',
      message: 'no such file',
      expires,
    });
    assert.deepEqual(error, { storageType: 'error' });
    const download = await fetch(f.client.buildUrl(f.client.getArtifact, taskId, 0, 'public/missing.txt'), {
      redirect: 'manual',
    });
    assert.equal(download.status, 424);
    assert.deepEqual(await download.json(), { reason: 'file-missing-on-worker', message: 'no such file' });
    const thrown = await rejection(f.client.getLatestArtifact(taskId, 'public/missing.txt'));
    assert.equal(thrown.statusCode, 424);
    assert.deepEqual(thrown.body, { reason: 'file-missing-on-worker', message: 'no such file' });
    assert.deepEqual(await f.client.latestArtifact(taskId, 'public/missing.txt'), {
      storageType: 'error',
      reason: 'file-missing-on-worker',
      message: 'no such file',
    });

    const { artifacts } = await f.client.listArtifacts(taskId, 0);
    assert.deepEqual(artifacts, [
      { storageType: 'link', name: 'public/logs/live.log', expires, contentType: 'text/plain' },
      { storageType: 'reference', name: 'public/logs/live_backing.log', expires, contentType: 'text/plain' },
      { storageType: 'error', name: 'public/missing.txt', expires, contentType: 'application/binary' },
    ]);
    assert.deepEqual(await f.client.artifactInfo(taskId, 0, 'public/logs/live.log'), artifacts[0]);
    assert.deepEqual(await f.client.latestArtifactInfo(taskId, 'public/missing.txt'), artifacts[2]);
    assert.equal((await rejection(f.client.artifactInfo(taskId, 0, 'public/nothing'))).statusCode, 404);
    assert.equal((await rejection(f.client.getArtifact(taskId, 0, 'public/nothing'))).statusCode, 404);
  });

  test('names arrive percent-encoded or with raw slashes', async () => {
    const { taskId, claim } = await createAndClaim(f.client, uniqueTaskQueue());
    const name = 'public/dir with space/a%b.txt';
    await f.client.createArtifact(taskId, 0, name, {
      storageType: 'reference',
      url: 'https://example.com/a',
      expires: claim.task.expires,
    });
    const raw = await fetch(
      `${f.queue.rootUrl}/api/queue/v1/task/${taskId}/runs/0/artifact-info/public/dir%20with%20space/a%25b.txt`,
    );
    assert.equal(((await raw.json()) as Json).name, name);
  });

  test('creating again: identical is fine, different is 409, expires may only grow', async () => {
    const { taskId, claim } = await createAndClaim(f.client, uniqueTaskQueue());
    const request = {
      storageType: 'error',
      reason: 'file-missing-on-worker',
      message: 'gone',
      expires: tc.fromNow('1 day').toJSON(),
    };
    await f.client.createArtifact(taskId, 0, 'public/e', request);
    assert.deepEqual(await f.client.createArtifact(taskId, 0, 'public/e', request), { storageType: 'error' });
    const differ = await rejection(
      f.client.createArtifact(taskId, 0, 'public/e', { ...request, message: 'other' }),
    );
    assert.equal(differ.statusCode, 409);
    assert.match(differ.body.message, /Artifact already exists with different properties/);
    const shorter = await rejection(
      f.client.createArtifact(taskId, 0, 'public/e', { ...request, expires: tc.fromNow('1 hour').toJSON() }),
    );
    assert.equal(shorter.statusCode, 409);
    await f.client.createArtifact(taskId, 0, 'public/e', { ...request, expires: claim.task.expires });
    const s3 = { storageType: 's3', contentType: 'text/plain', expires: claim.task.expires };
    await f.client.createArtifact(taskId, 0, 'public/s', s3);
    const again = await f.client.createArtifact(taskId, 0, 'public/s', s3);
    assert.equal(again.storageType, 's3', 'a repeated s3 create answers a fresh putUrl');
    assert.equal(
      (await rejection(f.client.createArtifact(taskId, 0, 'public/s', { ...s3, contentType: 'x/y' })))
        .statusCode,
      409,
    );
  });

  test('expires after the task is a 400 with the real message', async () => {
    const { taskId, claim } = await createAndClaim(f.client, uniqueTaskQueue());
    const late = new Date(Date.parse(claim.task.expires) + 24 * 3600 * 1000).toJSON();
    const error = await rejection(
      f.client.createArtifact(taskId, 0, 'public/too-late.txt', {
        storageType: 'error',
        reason: 'file-missing-on-worker',
        message: 'x',
        expires: late,
      }),
    );
    assert.equal(error.statusCode, 400);
    assert.equal(error.code, 'InputError');
    assert.ok(
      error.body.message.startsWith(
        `Artifact expires (${late}) after the task expiration ${claim.task.expires} (task.expires < expires) - ` +
          'this is not allowed, artifacts may not expire after the task they belong to expires\n\n---\n\n' +
          '* method:     createArtifact\n* errorCode:  InputError\n* statusCode: 400\n* time:       ',
      ),
      error.body.message,
    );
    assert.deepEqual(error.body.requestInfo.params, { taskId, runId: '0', name: 'public/too-late.txt' });
  });

  test('no new artifacts after completed or failed; accepted for a while after an exception', async () => {
    const queue = uniqueTaskQueue();
    const done = await createAndClaim(f.client, queue);
    await f.client.reportCompleted(done.taskId, 0);
    const request = {
      storageType: 'reference',
      url: 'https://example.com/x',
      expires: done.claim.task.expires,
    };
    const error = await rejection(f.client.createArtifact(done.taskId, 0, 'public/late', request));
    assert.equal(error.statusCode, 409);
    assert.match(error.body.message, /Artifacts cannot be created for a task after it is resolved/);

    const failed = await createAndClaim(f.client, queue);
    await f.client.reportFailed(failed.taskId, 0);
    assert.equal(
      (await rejection(f.client.createArtifact(failed.taskId, 0, 'public/late', request))).statusCode,
      409,
    );

    const crashed = await createAndClaim(f.client, queue);
    await f.client.reportException(crashed.taskId, 0, { reason: 'internal-error' });
    assert.deepEqual(await f.client.createArtifact(crashed.taskId, 0, 'public/late', request), {
      storageType: 'reference',
    });
  });

  test('finishArtifact only finishes object artifacts (object-service.test.ts has those)', async () => {
    const { taskId, claim } = await createAndClaim(f.client, uniqueTaskQueue());
    await f.client.createArtifact(taskId, 0, 'public/ref', {
      storageType: 'reference',
      url: 'https://example.com/',
      expires: claim.task.expires,
    });
    const finish = await rejection(f.client.finishArtifact(taskId, 0, 'public/ref', { uploadId: 'x' }));
    assert.equal(finish.statusCode, 400);
    assert.equal(
      (await rejection(f.client.finishArtifact(taskId, 0, 'public/none', { uploadId: 'x' }))).statusCode,
      404,
    );
  });

  test('artifacts need a claimed run; listings page with continuationToken and limit', async () => {
    const queue = uniqueTaskQueue();
    const { taskId, claim } = await createAndClaim(f.client, queue);
    const names = ['public/a', 'public/b', 'public/c'];
    for (const name of names) {
      await f.client.createArtifact(taskId, 0, name, {
        storageType: 'reference',
        url: 'https://example.com/',
        expires: claim.task.expires,
      });
    }
    const seen: string[] = [];
    let continuationToken: string | undefined;
    do {
      const page = await f.client.listLatestArtifacts(taskId, {
        limit: 2,
        ...(continuationToken ? { continuationToken } : {}),
      });
      assert.ok(page.artifacts.length <= 2);
      seen.push(...page.artifacts.map((a: Json) => a.name));
      continuationToken = page.continuationToken;
    } while (continuationToken);
    assert.deepEqual(seen, names);
    assert.equal((await rejection(f.client.listArtifacts(taskId, 1))).statusCode, 404);
    assert.equal(
      (await rejection(f.client.listArtifacts(taskId, 0, { continuationToken: 'garbage' }))).statusCode,
      400,
    );

    await f.client.reportException(taskId, 0, { reason: 'worker-shutdown' });
    const pendingRun = await rejection(
      f.client.createArtifact(taskId, 1, 'public/x', {
        storageType: 'reference',
        url: 'https://example.com/',
        expires: claim.task.expires,
      }),
    );
    assert.equal(pendingRun.statusCode, 400);
    assert.match(pendingRun.body.message, /Run was not claimed by a worker/);
    const latest = await f.client.listLatestArtifacts(taskId);
    assert.deepEqual(latest.artifacts, [], 'the latest run is the retry');
  });

  test('publicUrl sets the base of the URLs handed out', async () => {
    const proxied = await startQueueFixture({
      publicUrl: 'http://queue.example:8080/',
      claimWorkPollSeconds: 1,
    });
    try {
      const { taskId, claim } = await createAndClaim(proxied.client, uniqueTaskQueue());
      const { putUrl } = await proxied.client.createArtifact(taskId, 0, 'public/x', {
        storageType: 's3',
        contentType: 'text/plain',
        expires: claim.task.expires,
      });
      assert.ok(putUrl.startsWith('http://queue.example:8080/blobs/'), putUrl);
      const { url } = await proxied.client.artifact(taskId, 0, 'public/x');
      assert.ok(url.startsWith('http://queue.example:8080/blobs/'), url);
    } finally {
      await proxied.close();
    }
  });
});
