import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createWorkerLog } from '../../../src/log/worker-log.js';

describe('worker log', () => {
  it('is JSON with a level label, constant messages and fields, and never shows secrets', () => {
    const lines: string[] = [];
    const log = createWorkerLog({
      level: 'info',
      destination: { write: (line: string) => lines.push(line) },
      base: { workerId: 'w1' },
    });
    const credentials = {
      clientId: 'worker/w1',
      accessToken: 'TOP-SECRET-TOKEN',
      certificate: '{"seed":"SECRET-SEED"}',
    };
    log.info({ credentials }, 'starting');
    log.child({ taskId: 'T', runId: 0 }).info({ claim: { credentials, takenUntil: 'x' } }, 'task claimed');
    log.info({ config: { credentials, capacity: 2 } }, 'config loaded');
    log.info({ accessToken: 'TOP-SECRET-TOKEN' }, 'flat');
    const text = lines.join('');
    assert.doesNotMatch(text, /TOP-SECRET-TOKEN|SECRET-SEED/);
    const [first, second, third] = lines.map((line) => JSON.parse(line));
    assert.equal(first.level, 'info');
    assert.equal(first.msg, 'starting');
    assert.equal(first.workerId, 'w1');
    assert.equal(first.credentials.clientId, 'worker/w1');
    assert.equal(second.taskId, 'T');
    assert.equal(second.claim.takenUntil, 'x');
    assert.equal(third.config.capacity, 2);
  });
});
