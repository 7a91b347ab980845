// The rule for repeating createArtifact.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  compatibleArtifactCalls,
  type ArtifactRecord,
} from '../../../src/local-queue/domain/artifact-model.js';

const original: ArtifactRecord = {
  taskId: 'T',
  runId: 0,
  name: 'public/logs/live.log',
  storageType: 'reference',
  contentType: 'text/plain',
  details: { url: 'https://a' },
  present: true,
  expires: '2026-01-02T00:00:00.000Z',
};

describe('compatibleArtifactCalls', () => {
  test('identical, longer expiry, reference url change and reference -> link are compatible', () => {
    assert.ok(compatibleArtifactCalls(original, original));
    assert.ok(compatibleArtifactCalls(original, { ...original, expires: '2026-01-03T00:00:00.000Z' }));
    assert.ok(compatibleArtifactCalls(original, { ...original, details: { url: 'https://b' } }));
    assert.ok(
      compatibleArtifactCalls(original, {
        ...original,
        storageType: 'link',
        contentType: 'x',
        details: { artifact: 'b' },
      }),
    );
  });

  test('shorter expiry, another content type, other details or another storage type are not', () => {
    assert.ok(!compatibleArtifactCalls(original, { ...original, expires: '2026-01-01T00:00:00.000Z' }));
    assert.ok(!compatibleArtifactCalls(original, { ...original, contentType: 'text/html' }));
    const error: ArtifactRecord = {
      ...original,
      storageType: 'error',
      details: { reason: 'r', message: 'm' },
    };
    assert.ok(!compatibleArtifactCalls(error, { ...error, details: { reason: 'r', message: 'other' } }));
    assert.ok(!compatibleArtifactCalls(error, { ...error, storageType: 's3', details: { key: 'k' } }));
  });
});
