// Blob URL signatures and temporary credentials.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { BlobSigner } from '../../../src/local-queue/blobs/blob-signer.js';
import { CredentialIssuer } from '../../../src/local-queue/domain/task-credentials.js';

describe('BlobSigner', () => {
  const signer = new BlobSigner('secret');
  test('accepts its own signature until expiry, for that method and key only', () => {
    const query = signer.sign('PUT', 'T/0/public/a', 2000);
    assert.ok(signer.verify('PUT', 'T/0/public/a', query, 1000));
    assert.ok(!signer.verify('PUT', 'T/0/public/a', query, 2001), 'expired');
    assert.ok(!signer.verify('GET', 'T/0/public/a', query, 1000), 'other method');
    assert.ok(!signer.verify('PUT', 'T/0/public/b', query, 1000), 'other key');
    assert.ok(!signer.verify('PUT', 'T/0/public/a', { ...query, expires: '3000' }, 1000), 'altered expiry');
    assert.ok(!new BlobSigner('other').verify('PUT', 'T/0/public/a', query, 1000), 'other secret');
  });
});

describe('CredentialIssuer', () => {
  test('signs certificates the way Taskcluster auth checks them', () => {
    const issuer = new CredentialIssuer('queue-secret');
    const run = { taskId: 'T', runId: 1, workerGroup: 'g', workerId: 'w', takenUntil: 1796111293427 };
    const credentials = issuer.forRun(run, ['extra:scope'], 1796110093436);
    assert.equal(credentials.clientId, 'task-client/T/1/on/g/w/until/1796111293.427');
    const cert = JSON.parse(credentials.certificate);
    assert.deepEqual(cert.scopes, [
      'queue:reclaim-task:T/1',
      'queue:resolve-task:T/1',
      'queue:create-artifact:T/1',
      'extra:scope',
    ]);
    const signed = [
      'version:1',
      `clientId:${credentials.clientId}`,
      'issuer:static/taskcluster/queue',
      `seed:${cert.seed}`,
      `start:${cert.start}`,
      `expiry:${cert.expiry}`,
      'scopes:',
      ...cert.scopes,
    ].join('\n');
    assert.equal(cert.signature, createHmac('sha256', 'queue-secret').update(signed).digest('base64'));
    assert.equal(
      credentials.accessToken,
      createHmac('sha256', 'queue-secret').update(cert.seed).digest('base64url'),
    );
    assert.equal(cert.start, 1796110093436);
    assert.equal(cert.expiry, 1796111293427);
  });
});
