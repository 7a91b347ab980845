import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  IntermittentTaskError,
  MalformedPayloadError,
  ResourceUnavailableError,
  TaskCanceledError,
  TaskFailureError,
  WorkerShutdownError,
} from '../../../src/errors.js';
import { resolveRun } from '../../../src/task-run/resolve.js';

describe('resolveRun', () => {
  it('is completed without errors', () => {
    assert.deepEqual(resolveRun([]), { kind: 'completed' });
  });

  it('keeps the first of equal weight', () => {
    assert.deepEqual(resolveRun([new TaskFailureError('first'), new TaskFailureError('second')]), {
      kind: 'failed',
      reason: 'first',
    });
  });

  it('weighs intermittent over failed, storage trouble over both, bugs over those, aborts over all', () => {
    const reasonOf = (errors: unknown[]): string => {
      const resolution = resolveRun(errors);
      return resolution.kind === 'exception' ? resolution.reason : resolution.kind;
    };
    assert.equal(reasonOf([new TaskFailureError('x'), new IntermittentTaskError(5)]), 'intermittent-task');
    assert.equal(
      reasonOf([new IntermittentTaskError(5), new ResourceUnavailableError('s3')]),
      'resource-unavailable',
    );
    assert.equal(
      reasonOf([new ResourceUnavailableError('s3'), new MalformedPayloadError('x')]),
      'malformed-payload',
    );
    assert.equal(reasonOf([new MalformedPayloadError('x'), new Error('bug')]), 'internal-error');
    assert.equal(reasonOf([new Error('bug'), new WorkerShutdownError()]), 'worker-shutdown');
    assert.equal(reasonOf([new WorkerShutdownError(), new TaskCanceledError()]), 'canceled');
  });
});
