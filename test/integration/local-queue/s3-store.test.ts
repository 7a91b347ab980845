// The embedded queue with its artifacts in a real S3 server (radosgw): presigned PUTs for s3 artifacts,
// getArtifact redirects to presigned GETs, stored Content-Type and Content-Encoding served back, and the
// signatures checked by the server itself (tampered or expired URLs answer 403).
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { startLocalQueue, type ArtifactStoreOption } from '../../../src/local-queue/index.js';
import {
  createAndClaim,
  silentLogger,
  startQueueFixture,
  tempDataDir,
  uniqueTaskQueue,
  type QueueFixture,
} from '../../helpers/local-queue-fixture.js';
import { rawGet } from '../../helpers/local-queue-http.js';
import { s3Service, type S3Service } from '../../helpers/s3-service.js';

const s3 = await s3Service();
const bucket = `tcw-artifacts-${process.pid}-${Date.now()}`;

const storeOf = (service: S3Service, overrides: Partial<ArtifactStoreOption> = {}): ArtifactStoreOption => ({
  type: 's3',
  bucket,
  endpoint: service.endpoint,
  region: service.region,
  accessKeyId: service.accessKeyId,
  secretAccessKey: service.secretAccessKey,
  ...overrides,
});

/** Alters one character of a query parameter's value. */
const tamper = (url: string, param: string): string =>
  url.replace(
    new RegExp(`(${param}=)(.)`),
    (_m, prefix: string, c: string) => `${prefix}${c === '0' ? '1' : '0'}`,
  );

describe('local queue: s3 artifact store on radosgw', { skip: 'skip' in s3 ? s3.skip : false }, () => {
  const service = s3 as S3Service;
  let f: QueueFixture;
  before(async () => {
    f = await startQueueFixture({ claimWorkPollSeconds: 1, artifactStore: storeOf(service) });
  });
  after(() => f?.close());

  test('creates the bucket at start', async () => {
    const client = new S3Client({
      endpoint: service.endpoint,
      region: service.region,
      forcePathStyle: true,
      credentials: { accessKeyId: service.accessKeyId, secretAccessKey: service.secretAccessKey },
    });
    try {
      await client.send(new HeadBucketCommand({ Bucket: bucket }));
    } finally {
      client.destroy();
    }
  });

  test('upload through the presigned putUrl, download through the getArtifact redirect', async () => {
    const { taskId, claim } = await createAndClaim(f.client, uniqueTaskQueue());
    const name = 'public/logs/live_backing.log';
    const text = 'hello from the task\n'.repeat(200);
    const gzipped = gzipSync(text);
    const created = await f.client.createArtifact(taskId, 0, name, {
      storageType: 's3',
      contentType: 'text/plain; charset=utf-8',
      expires: claim.task.expires,
      contentLength: gzipped.length,
    });
    assert.deepEqual(Object.keys(created), ['storageType', 'contentType', 'expires', 'putUrl']);
    // Path-style, straight at the bucket: the bytes never pass through the queue.
    assert.ok(
      created.putUrl.startsWith(`${service.endpoint}/${bucket}/${taskId}/0/public/logs/`),
      created.putUrl,
    );
    assert.match(created.putUrl, /X-Amz-Signature=/);
    assert.match(created.putUrl, /X-Amz-SignedHeaders=content-type%3Bhost/);
    assert.doesNotMatch(created.putUrl, /x-amz-checksum/i, 'no checksum of an empty body in the URL');
    assert.ok(Date.parse(created.expires) > Date.now() + 40 * 60 * 1000, 'putUrl lasts about 45 minutes');

    const put = await fetch(created.putUrl, {
      method: 'PUT',
      headers: { 'content-type': 'text/plain; charset=utf-8', 'content-encoding': 'gzip' },
      body: gzipped,
    });
    assert.equal(put.status, 200, await put.text());

    const redirect = await fetch(f.client.buildUrl(f.client.getArtifact, taskId, 0, name), {
      redirect: 'manual',
    });
    assert.equal(redirect.status, 303);
    assert.equal(redirect.headers.get('x-taskcluster-artifact-storage-type'), 's3');
    const location = redirect.headers.get('location') ?? '';
    assert.ok(location.startsWith(`${service.endpoint}/${bucket}/`), location);
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
    const content = await f.client.artifact(taskId, 0, name);
    assert.equal(content.storageType, 's3');
    assert.ok(content.url.startsWith(`${service.endpoint}/${bucket}/`));
  });

  test('radosgw refuses tampered presigned URLs and another Content-Type with 403', async () => {
    const { taskId, claim } = await createAndClaim(f.client, uniqueTaskQueue());
    const name = 'public/data.json';
    const { putUrl } = await f.client.createArtifact(taskId, 0, name, {
      storageType: 's3',
      contentType: 'application/json',
      expires: claim.task.expires,
    });
    const put = (url: string, contentType = 'application/json') =>
      fetch(url, { method: 'PUT', headers: { 'content-type': contentType }, body: '{"a":1}' });
    assert.equal((await put(tamper(putUrl, 'X-Amz-Signature'))).status, 403, 'altered signature');
    assert.equal((await put(putUrl.replace('data.json', 'other.json'))).status, 403, 'another key');
    assert.equal((await put(tamper(putUrl, 'X-Amz-Expires'))).status, 403, 'altered expiry');
    assert.equal((await put(putUrl, 'text/html')).status, 403, 'the Content-Type is signed');
    assert.equal((await put(putUrl)).status, 200);

    const { url } = await f.client.artifact(taskId, 0, name);
    assert.equal((await rawGet(tamper(url, 'X-Amz-Signature'))).status, 403, 'altered signature');
    assert.equal((await rawGet(url.replace('data.json', 'other.json'))).status, 403, 'another key');
    const raw = await rawGet(url);
    assert.equal(raw.status, 200);
    assert.equal(raw.body.toString(), '{"a":1}');
    assert.equal(raw.headers['content-type'], 'application/json');
    assert.equal(raw.headers['content-encoding'], undefined);
  });

  test('radosgw refuses an expired presigned GET with 403', async () => {
    const short = await startQueueFixture({
      claimWorkPollSeconds: 1,
      artifactStore: storeOf(service),
      urlLifetimeSeconds: { get: 1 },
    });
    try {
      const { taskId, claim } = await createAndClaim(short.client, uniqueTaskQueue());
      const { putUrl } = await short.client.createArtifact(taskId, 0, 'public/soon.txt', {
        storageType: 's3',
        contentType: 'text/plain',
        expires: claim.task.expires,
      });
      const put = await fetch(putUrl, {
        method: 'PUT',
        headers: { 'content-type': 'text/plain' },
        body: 'soon',
      });
      assert.equal(put.status, 200);
      const { url } = await short.client.artifact(taskId, 0, 'public/soon.txt');
      assert.match(url, /X-Amz-Expires=1&/);
      await new Promise((resolve) => setTimeout(resolve, 2500));
      const expired = await rawGet(url);
      assert.equal(expired.status, 403);
      assert.match(expired.body.toString(), /AccessDenied/);
      // A fresh redirect works again.
      assert.equal(
        (await rawGet((await short.client.artifact(taskId, 0, 'public/soon.txt')).url)).status,
        200,
      );
    } finally {
      await short.close();
    }
  });

  test('artifacts outlive a restart of the queue', async () => {
    const dataDir = tempDataDir();
    const first = await startQueueFixture({
      dataDir,
      claimWorkPollSeconds: 1,
      artifactStore: storeOf(service),
    });
    const { taskId, claim } = await createAndClaim(first.client, uniqueTaskQueue());
    const { putUrl } = await first.client.createArtifact(taskId, 0, 'public/kept.txt', {
      storageType: 's3',
      contentType: 'text/plain',
      expires: claim.task.expires,
    });
    await fetch(putUrl, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: 'kept' });
    await first.close();
    const second = await startQueueFixture({
      dataDir,
      claimWorkPollSeconds: 1,
      artifactStore: storeOf(service),
    });
    try {
      const { url } = await second.client.artifact(taskId, 0, 'public/kept.txt');
      assert.equal((await rawGet(url)).body.toString(), 'kept');
    } finally {
      await second.close();
    }
  });

  test('wrong keys stop the queue from starting, with a message saying so', async () => {
    await assert.rejects(
      startLocalQueue({
        host: '127.0.0.1',
        port: 0,
        dataDir: tempDataDir(),
        logger: silentLogger,
        artifactStore: storeOf(service, { secretAccessKey: 'not-the-secret' }),
      }),
      /403/,
    );
  });
});
