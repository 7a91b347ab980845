// normalizeTaskDefinition: defaults, identifiers both ways, timestamp rules.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CreateTaskRequest } from '../../../src/generated/queue/create-task-request.js';
import { normalizeTaskDefinition } from '../../../src/local-queue/domain/task-definition.js';
import { QueueError } from '../../../src/local-queue/errors.js';

const now = Date.parse('2026-01-01T00:00:00.000Z');
const body = (overrides: Partial<CreateTaskRequest> = {}): CreateTaskRequest => ({
  taskQueueId: 'prov/wt',
  created: '2026-01-01T00:00:00Z',
  deadline: '2026-01-01T01:00:00.5Z',
  payload: {},
  metadata: { name: 'n', description: 'd', owner: 'o', source: 's' },
  ...overrides,
});

describe('normalizeTaskDefinition', () => {
  test('fills defaults and rewrites timestamps in millisecond precision', () => {
    const d = normalizeTaskDefinition('T', body(), now);
    assert.equal(d.provisionerId, 'prov');
    assert.equal(d.workerType, 'wt');
    assert.equal(d.taskGroupId, 'T');
    assert.equal(d.created, '2026-01-01T00:00:00.000Z');
    assert.equal(d.deadline, '2026-01-01T01:00:00.500Z');
    assert.equal(d.expires, '2027-01-01T01:00:00.500Z');
    assert.equal(d.priority, 'lowest');
    assert.equal(d.retries, 5);
    assert.deepEqual([d.schedulerId, d.projectId, d.requires], ['-', 'none', 'all-completed']);
  });

  test('joins provisionerId and workerType', () => {
    const d = normalizeTaskDefinition(
      'T',
      {
        ...body(),
        taskQueueId: undefined,
        provisionerId: 'p',
        workerType: 'w',
      } as unknown as CreateTaskRequest,
      now,
    );
    assert.equal(d.taskQueueId, 'p/w');
  });

  const rejects = (overrides: Partial<CreateTaskRequest>, message: RegExp) =>
    assert.throws(
      () => normalizeTaskDefinition('T', body(overrides), now),
      (error: unknown) =>
        error instanceof QueueError && error.code === 'InputError' && message.test(error.message),
    );

  test('refuses bad timestamps and scopes', () => {
    rejects({ created: '2025-12-31T23:00:00Z' }, /`created` cannot be in the past/);
    rejects({ deadline: '2026-01-07T00:00:00Z' }, /more than 5 days/);
    rejects({ expires: '2026-01-01T00:30:00Z' }, /`expires` cannot be before `deadline`/);
    rejects({ scopes: ['a:**'] }, /must not end with/);
    // Drift of up to 15 minutes is tolerated.
    assert.doesNotThrow(() => normalizeTaskDefinition('T', body({ created: '2025-12-31T23:50:00Z' }), now));
    assert.doesNotThrow(() => normalizeTaskDefinition('T', body({ deadline: '2026-01-06T00:10:00Z' }), now));
  });
});
