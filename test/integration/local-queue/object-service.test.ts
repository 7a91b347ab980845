// `object` artifacts end to end through the official client (createArtifact -> upload() -> finishArtifact
// -> downloadArtifact() / getArtifact), and the object service's own rules, on both blob backends.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { LocalQueueOptions } from '../../../src/local-queue/index.js';
import { rejection, tc, type Json, type ObjectClient } from '../../helpers/local-queue-client.js';
import {
  createAndClaim,
  startQueueFixture,
  uniqueTaskQueue,
  worker,
  type QueueFixture,
} from '../../helpers/local-queue-fixture.js';
import { collector, rawGet, streamOf } from '../../helpers/local-queue-http.js';
import { s3Service } from '../../helpers/s3-service.js';

const s3 = await s3Service();

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

interface Backend {
  name: string;
  skip: string | false;
  options: () => Partial<LocalQueueOptions>;
}

const backends: Backend[] = [
  { name: 'file store', skip: false, options: () => ({}) },
  {
    name: 's3 store (radosgw)',
    skip: 'skip' in s3 ? s3.skip : false,
    options: () =>
      'skip' in s3
        ? {}
        : {
            artifactStore: {
              type: 's3',
              bucket: `tcw-objects-${process.pid}-${Date.now()}`,
              endpoint: s3.endpoint,
              region: s3.region,
              accessKeyId: s3.accessKeyId,
              secretAccessKey: s3.secretAccessKey,
            },
          },
  },
];

for (const backend of backends) {
  describe(
    `local queue: object artifacts and the object service, ${backend.name}`,
    { skip: backend.skip },
    () => {
      let f: QueueFixture;
      before(async () => {
        f = await startQueueFixture({ claimWorkPollSeconds: 1, ...backend.options() });
      });
      after(() => f?.close());

      const objectClient = (credentials?: Json): ObjectClient =>
        new tc.Object({ rootUrl: f.queue.rootUrl, retries: 1, ...(credentials ? { credentials } : {}) });
      const rootObject = (): ObjectClient => {
        const { clientId, accessToken } = f.queue.rootClient;
        return objectClient({ clientId, accessToken });
      };

      /** createArtifact object, upload() with what it answered, finishArtifact. */
      async function uploadArtifact(
        taskId: string,
        expires: string,
        name: string,
        data: Buffer,
        contentType: string,
      ) {
        const created = await f.client.createArtifact(taskId, 0, name, {
          storageType: 'object',
          contentType,
          expires,
        });
        await tc.upload({
          projectId: created.projectId,
          name: created.name,
          contentType,
          contentLength: data.length,
          expires: created.expires,
          object: objectClient(created.credentials),
          streamFactory: streamOf(data),
          uploadId: created.uploadId,
          retries: 0,
        });
        await f.client.finishArtifact(taskId, 0, name, { uploadId: created.uploadId });
        return created;
      }

      for (const [size, method] of [
        [1000, 'dataInline'],
        [300 * 1024, 'putUrl'],
      ] as const) {
        test(`${size} bytes (${method}): create, upload, finish, download`, async () => {
          const { taskId, claim } = await createAndClaim(f.client, uniqueTaskQueue());
          const name = `public/build/${method}.bin`;
          const data = randomBytes(size);
          const created: Json[] = [];
          const listener = (event: Json): void => void created.push(event);
          f.queue.events.on('artifact-created', listener);
          try {
            const answer = await f.client.createArtifact(taskId, 0, name, {
              storageType: 'object',
              contentType: 'application/x-test',
              expires: claim.task.expires,
            });
            // The shape of createArtifact.object.response.json.
            assert.deepEqual(Object.keys(answer), [
              'storageType',
              'name',
              'projectId',
              'uploadId',
              'expires',
              'credentials',
            ]);
            assert.equal(answer.name, `t/${taskId}/0/${name}`);
            assert.equal(answer.projectId, 'none');
            assert.equal(answer.expires, claim.task.expires);
            assert.equal(
              answer.credentials.clientId,
              `artifact-upload/${taskId}/0/on/${worker.workerGroup}/${worker.workerId}`,
            );
            const cert = JSON.parse(answer.credentials.certificate);
            assert.deepEqual(cert.scopes, [`object:upload:none:t/${taskId}/0/${name}`]);
            assert.equal(cert.issuer, 'static/taskcluster/queue');
            assert.ok(cert.expiry <= Date.now() + 24 * 3600 * 1000, 'upload credentials last a day at most');
            assert.equal(created.length, 0, 'no artifact-created before finishArtifact');

            // Not there until finished.
            assert.equal((await rejection(f.client.artifactInfo(taskId, 0, name))).statusCode, 404);
            assert.equal((await f.client.listArtifacts(taskId, 0)).artifacts.length, 0);

            await tc.upload({
              projectId: answer.projectId,
              name: answer.name,
              contentType: 'application/x-test',
              contentLength: data.length,
              expires: answer.expires,
              object: objectClient(answer.credentials),
              streamFactory: streamOf(data),
              uploadId: answer.uploadId,
              retries: 0,
            });
            const finished = await f.client.finishArtifact(taskId, 0, name, { uploadId: answer.uploadId });
            assert.ok(finished === undefined || finished === '' || Object.keys(finished).length === 0);
            assert.equal(created.length, 1);
            assert.equal(created[0].artifact.storageType, 'object');
            // Repeating it is fine (and announces the artifact again, at least once).
            await f.client.finishArtifact(taskId, 0, name, { uploadId: answer.uploadId });

            const info = await f.client.artifactInfo(taskId, 0, name);
            assert.deepEqual(info, {
              storageType: 'object',
              name,
              expires: claim.task.expires,
              contentType: 'application/x-test',
            });

            // artifact: the shape of artifact.object.response.json, with download credentials.
            const content = await f.client.artifact(taskId, 0, name);
            assert.deepEqual(Object.keys(content), ['storageType', 'name', 'credentials']);
            assert.equal(content.name, answer.name);
            assert.equal(content.credentials.clientId, `artifact-download/${taskId}/0/${name}`);
            const downloadCert = JSON.parse(content.credentials.certificate);
            assert.deepEqual(downloadCert.scopes, [`object:download:${answer.name}`]);
            assert.ok(Math.abs(downloadCert.expiry - downloadCert.start - 3600 * 1000) < 1000);

            // downloadArtifact: artifact(), then the object service's startDownload (getUrl) and hash check.
            const sink = collector();
            const contentType = await tc.downloadArtifact({
              taskId,
              runId: 0,
              name,
              queue: f.client,
              streamFactory: sink.factory,
              retries: 0,
            });
            assert.equal(contentType, 'application/x-test');
            assert.ok(sink.data().equals(data), 'downloaded bytes equal the uploaded ones');
            const latest = collector();
            await tc.downloadArtifact({
              taskId,
              name,
              queue: f.client,
              streamFactory: latest.factory,
              retries: 0,
            });
            assert.ok(latest.data().equals(data));

            // getArtifact: a 303 to the object's download URL.
            const redirect = await fetch(f.client.buildUrl(f.client.getArtifact, taskId, 0, name), {
              redirect: 'manual',
            });
            assert.equal(redirect.status, 303);
            assert.equal(redirect.headers.get('x-taskcluster-artifact-storage-type'), 'object');
            const location = redirect.headers.get('location') ?? '';
            assert.deepEqual(await redirect.json(), { storageType: 'object', url: location });
            const raw = await rawGet(location);
            assert.equal(raw.status, 200);
            assert.equal(raw.headers['content-type'], 'application/x-test');
            assert.equal(raw.headers['content-length'], String(size));
            assert.ok(raw.body.equals(data));
          } finally {
            f.queue.events.off('artifact-created', listener);
          }
        });
      }

      test('link artifacts to object artifacts are followed', async () => {
        const { taskId, claim } = await createAndClaim(f.client, uniqueTaskQueue());
        const data = Buffer.from('linked object\n');
        await uploadArtifact(taskId, claim.task.expires, 'public/target.txt', data, 'text/plain');
        await f.client.createArtifact(taskId, 0, 'public/link.txt', {
          storageType: 'link',
          artifact: 'public/target.txt',
          expires: claim.task.expires,
        });
        const content = await f.client.latestArtifact(taskId, 'public/link.txt');
        assert.equal(content.name, `t/${taskId}/0/public/target.txt`);
        const sink = collector();
        await tc.downloadArtifact({
          taskId,
          name: 'public/link.txt',
          queue: f.client,
          streamFactory: sink.factory,
        });
        assert.equal(sink.data().toString(), 'linked object\n');
      });

      test('finishUpload checks the uploaded data against its hashes', async () => {
        const object = rootObject();
        const name = `direct/${tc.slugid()}/data.txt`;
        const data = Buffer.from('the real content');
        const uploadId = tc.slugid();
        const expires = tc.fromNow('1 day').toJSON();
        const offered = await object.createUpload(name, {
          projectId: 'proj',
          uploadId,
          expires,
          proposedUploadMethods: {
            dataInline: { contentType: 'text/plain', objectData: data.toString('base64') },
          },
        });
        assert.deepEqual(offered, {
          projectId: 'proj',
          uploadId,
          expires,
          uploadMethod: { dataInline: true },
        });
        // Not downloadable before it is finished.
        assert.equal((await rejection(object.object(name))).statusCode, 404);

        const wrong = await rejection(
          object.finishUpload(name, {
            projectId: 'proj',
            uploadId,
            hashes: { sha256: sha256(Buffer.from('other')) },
          }),
        );
        assert.equal(wrong.statusCode, 400);
        assert.match(wrong.body.message, /does not match the sha256 hash/);
        assert.equal(
          (await rejection(object.startDownload(name, { acceptDownloadMethods: { getUrl: true } })))
            .statusCode,
          404,
        );

        const hashes = { sha256: sha256(data), sha512: createHash('sha512').update(data).digest('hex') };
        await object.finishUpload(name, { projectId: 'proj', uploadId, hashes });
        // Idempotent with the same (or fewer) hashes; a different one conflicts.
        await object.finishUpload(name, { projectId: 'proj', uploadId, hashes: { sha256: hashes.sha256 } });
        const changed = await rejection(
          object.finishUpload(name, {
            projectId: 'proj',
            uploadId,
            hashes: { sha256: sha256(Buffer.from('x')) },
          }),
        );
        assert.equal(changed.statusCode, 409);

        assert.deepEqual(await object.object(name), { projectId: 'proj', expires, hashes });
        const download = await object.startDownload(name, { acceptDownloadMethods: { getUrl: true } });
        assert.deepEqual(Object.keys(download), ['method', 'url', 'expires', 'hashes']);
        assert.equal(download.method, 'getUrl');
        assert.deepEqual(download.hashes, hashes);
        assert.equal((await rawGet(download.url)).body.toString(), 'the real content');
        const simple = await object.startDownload(name, {
          acceptDownloadMethods: { simple: true, getUrl: true },
        });
        assert.deepEqual(Object.keys(simple), ['method', 'url']);
        assert.equal(simple.method, 'simple');
        const none = await rejection(
          object.startDownload(name, { acceptDownloadMethods: { 'HTTP:GET': true } }),
        );
        assert.equal(none.statusCode, 406);
        assert.equal(none.code, 'NoMatchingMethod');
        const redirect = await fetch(object.buildSignedUrl(object.download, name), { redirect: 'manual' });
        assert.equal(redirect.status, 303);
        assert.equal(await (await fetch(redirect.headers.get('location') ?? '')).text(), 'the real content');

        // Once finished, the object is immutable.
        const again = await rejection(
          object.createUpload(name, { projectId: 'proj', uploadId, expires, proposedUploadMethods: {} }),
        );
        assert.equal(again.statusCode, 409);
      });

      test('unknown or mismatched uploadIds are refused', async () => {
        const { taskId, claim } = await createAndClaim(f.client, uniqueTaskQueue());
        const name = 'public/refused.bin';
        const created = await f.client.createArtifact(taskId, 0, name, {
          storageType: 'object',
          contentType: 'application/octet-stream',
          expires: claim.task.expires,
        });
        const object = objectClient(created.credentials);
        const other = tc.slugid();
        const { projectId } = created;

        // The queue locked the upload in: another uploadId, projectId or expiry conflicts (and the upload
        // credentials do not even cover another project).
        for (const [body, statusCode] of [
          [{ projectId, uploadId: other, expires: created.expires }, 409],
          [{ projectId, uploadId: created.uploadId, expires: tc.fromNow('2 hours').toJSON() }, 409],
          [{ projectId: 'someone-else', uploadId: created.uploadId, expires: created.expires }, 403],
        ] as const) {
          const refused = await rejection(
            object.createUpload(created.name, { ...body, proposedUploadMethods: {} }),
          );
          assert.equal(refused.statusCode, statusCode, JSON.stringify(body));
        }
        // Nothing uploaded yet.
        const early = await rejection(
          f.client.finishArtifact(taskId, 0, name, { uploadId: created.uploadId }),
        );
        assert.equal(early.statusCode, 400);
        assert.match(early.body.message, /Object storing artifact data does not exist/);
        assert.equal(
          (await rejection(object.finishUpload(created.name, { projectId, uploadId: created.uploadId })))
            .statusCode,
          400,
          'no data uploaded',
        );

        const data = randomBytes(64);
        await object.createUpload(created.name, {
          projectId,
          uploadId: created.uploadId,
          expires: created.expires,
          proposedUploadMethods: {
            dataInline: { contentType: 'application/octet-stream', objectData: data.toString('base64') },
          },
        });
        const unknownFinish = await rejection(
          object.finishUpload(created.name, { projectId, uploadId: other }),
        );
        assert.equal(unknownFinish.statusCode, 409);
        assert.equal(
          (await rejection(rootObject().finishUpload('no/such/object', { projectId, uploadId: other })))
            .statusCode,
          404,
        );
        assert.equal(
          (
            await rejection(
              // The upload credentials cover their project only: the rule is checked with the root client's.
              rootObject().finishUpload(created.name, { projectId: 'other', uploadId: created.uploadId }),
            )
          ).statusCode,
          400,
        );
        await object.finishUpload(created.name, {
          projectId,
          uploadId: created.uploadId,
          hashes: { sha256: sha256(data) },
        });

        const wrongArtifactId = await rejection(
          f.client.finishArtifact(taskId, 0, name, { uploadId: other }),
        );
        assert.equal(wrongArtifactId.statusCode, 400);
        assert.match(wrongArtifactId.body.message, /given uploadId does not match/);
        await f.client.finishArtifact(taskId, 0, name, { uploadId: created.uploadId });

        // A second createArtifact would need a new upload: it conflicts.
        const repeat = await rejection(
          f.client.createArtifact(taskId, 0, name, {
            storageType: 'object',
            contentType: 'application/octet-stream',
            expires: claim.task.expires,
          }),
        );
        assert.equal(repeat.statusCode, 409);
      });

      test('the object service answers ping and checks bodies', async () => {
        const object = objectClient();
        assert.equal((await object.ping()).alive, true);
        const bad = await rejection(
          object.createUpload('x', {
            projectId: 'p',
            uploadId: 'not-a-slug',
            expires: 'x',
            proposedUploadMethods: {},
          }),
        );
        assert.equal(bad.statusCode, 400);
        assert.match(bad.body.message, /Schema Validation Failed/);
      });
    },
  );
}
