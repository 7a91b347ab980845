// The Taskcluster error body, and what becomes an InternalServerError.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { asQueueError, errorBody } from '../../../src/local-queue/http/api-errors.js';
import { conflict, QueueError } from '../../../src/local-queue/errors.js';

describe('error bodies', () => {
  test('carry code, message with the trailer, and requestInfo', () => {
    const body = errorBody(
      conflict('Run 0 on task `T` is resolved or not running.'),
      { method: 'reclaimTask', params: { taskId: 'T', runId: '0' }, payload: {} },
      Date.parse('2026-12-01T07:28:14.348Z'),
    );
    assert.deepEqual(body, {
      code: 'RequestConflict',
      message:
        'Run 0 on task `T` is resolved or not running.\n\n---\n\n* method:     reclaimTask\n' +
        '* errorCode:  RequestConflict\n* statusCode: 409\n* time:       2026-12-01T07:28:14.348Z',
      requestInfo: {
        method: 'reclaimTask',
        params: { taskId: 'T', runId: '0' },
        payload: {},
        time: '2026-12-01T07:28:14.348Z',
      },
    });
  });

  test('unknown failures are a 500 InternalServerError without their details', () => {
    const error = asQueueError(new Error('SQLITE_CORRUPT: secret path /x'));
    assert.equal(error.code, 'InternalServerError');
    assert.equal(error.statusCode, 500);
    assert.doesNotMatch(error.message, /SQLITE/);
    assert.equal(
      asQueueError(Object.assign(new Error('Body is too large'), { statusCode: 413 })).code,
      'InputError',
    );
    const known = new QueueError('ResourceNotFound', 'x');
    assert.equal(asQueueError(known), known);
  });
});
