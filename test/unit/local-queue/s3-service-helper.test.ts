// test/helpers/s3-service.ts: what it does when the S3 server starts, cannot start here, or breaks; and
// that parallel callers take turns. Fake start scripts stand in for scripts/services/start-s3.sh.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ensureS3Service } from '../../helpers/s3-service.js';

const dir = mkdtempSync(join(tmpdir(), 's3-helper-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let count = 0;
const said: string[] = [];
const fakeScript = (body: string): { script: string; lockPath: string; say: (text: string) => void } => {
  const script = join(dir, `start-${++count}.sh`);
  writeFileSync(script, `#!/bin/bash\n${body}\n`);
  // What the helper says goes here, not into the suite's output (a "SKIPPING" there would mislead).
  return { script, lockPath: join(dir, `lock-${count}`), say: (text) => said.push(text) };
};

const ready = `echo progress >&2
echo S3_ENDPOINT=http://127.0.0.1:7480
echo S3_REGION=us-east-1
echo S3_ACCESS_KEY_ID=AK
echo S3_SECRET_ACCESS_KEY=SK`;

describe('ensureS3Service', () => {
  test('answers the connection the script prints', async () => {
    assert.deepEqual(await ensureS3Service({ ...fakeScript(ready), ci: true }), {
      endpoint: 'http://127.0.0.1:7480',
      region: 'us-east-1',
      accessKeyId: 'AK',
      secretAccessKey: 'SK',
    });
  });

  test('cannot start here: skips (with how to start it) outside CI, fails in CI', async () => {
    const cannot = fakeScript('echo "start-s3: installing it needs root" >&2; exit 2');
    const skipped = await ensureS3Service({ ...cannot, ci: false });
    assert.ok('skip' in skipped);
    assert.match(skipped.skip, /needs root/);
    assert.match(skipped.skip, /bash scripts\/services\/start-s3\.sh/);
    assert.ok(
      said.some((text) => text.includes('SKIPPING S3 tests')),
      'the skip is said loudly',
    );
    await assert.rejects(ensureS3Service({ ...cannot, ci: true }), (error: Error) => {
      assert.match(error.message, /needs root/);
      assert.match(error.message, /CI needs the S3 server/);
      assert.match(error.message, /bash scripts\/services\/start-s3\.sh/);
      return true;
    });
  });

  test('a broken start is tried again, then fails everywhere', async () => {
    const tries = join(dir, 'tries.log');
    const broken = fakeScript(`echo try >> ${tries}; echo "ceph-mon crashed" >&2; exit 1`);
    await assert.rejects(
      ensureS3Service({ ...broken, ci: false, attempts: 3, retryDelayMs: 1 }),
      /exit 1\), attempt 3 of 3[\s\S]*ceph-mon crashed/,
    );
    assert.equal(readFileSync(tries, 'utf8'), 'try\ntry\ntry\n');
  });

  test('a start that breaks once succeeds on the next attempt', async () => {
    const marker = join(dir, 'broke-once');
    const flaky = fakeScript(
      `if [ ! -e ${marker} ]; then touch ${marker}; echo "apt 404" >&2; exit 1; fi\n${ready}`,
    );
    const service = await ensureS3Service({ ...flaky, ci: true, attempts: 2, retryDelayMs: 1 });
    assert.ok(!('skip' in service));
    assert.equal(service.endpoint, 'http://127.0.0.1:7480');
  });

  test('parallel callers take turns under the lock; a dead holder’s lock is taken over', async () => {
    const log = join(dir, 'turns.log');
    const turns = fakeScript(`echo "in $$" >> ${log}; sleep 0.3; echo "out $$" >> ${log}\n${ready}`);
    // A lock left by a process that no longer exists.
    writeFileSync(turns.lockPath, '999999999');
    await Promise.all([ensureS3Service(turns), ensureS3Service(turns), ensureS3Service(turns)]);
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    assert.equal(lines.length, 6);
    for (let i = 0; i < lines.length; i += 2) {
      assert.match(lines[i] ?? '', /^in /);
      assert.equal(lines[i + 1], (lines[i] ?? '').replace('in', 'out'), 'no run overlaps another');
    }
  });
});
