// Task users as uids of the engine's range: a record per uid in use, created exclusively so that two engines
// sharing a state directory never hand out the same uid, ids of the host's users and groups skipped, uids
// going round the range, and the sandbox's passwd and group files that name the user.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { sandboxGroup, sandboxPasswd } from '../../../../src/engines/sandbox/sandbox-identity.js';
import { hostIds, TaskAccounts } from '../../../../src/engines/sandbox/task-accounts.js';
import { poolAccountName } from '../../../../src/engines/sandbox/task-names.js';

let dir: string;
let files: { passwd: string; group: string };

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tcw-accounts-'));
  files = { passwd: join(dir, 'passwd'), group: join(dir, 'group') };
  await writeFile(files.passwd, 'root:x:0:0:root:/root:/bin/bash\nbob:x:5001:5001::/home/bob:/bin/sh\n');
  await writeFile(files.group, 'root:x:0:\ndocker:x:5003:alice\nbob:x:5001:\n');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('task uids', () => {
  it('records each uid it hands out, with the name and owner, and frees it on remove', async () => {
    const accounts = new TaskAccounts({ first: 7000, count: 100 }, dir, files);
    const name = poolAccountName();
    const account = await accounts.create(name, 'owner 1@2');
    assert.ok(account.uid >= 7000 && account.uid < 7100);
    assert.equal(account.gid, account.uid);
    assert.deepEqual(await accounts.list(), [{ name, uid: account.uid, comment: 'owner 1@2' }]);
    // The task directory goes into the record before the task gets it, for clean-up after a crash.
    accounts.noteTaskDir(account, 'owner 1@2', '/work/run-1/task');
    assert.deepEqual(await accounts.list(), [
      { name, uid: account.uid, comment: 'owner 1@2', taskDir: '/work/run-1/task' },
    ]);
    assert.throws(() => accounts.noteTaskDir(account, 'c', '/a\nb'), /newline/);
    await accounts.remove(name);
    assert.deepEqual(await accounts.list(), []);
    await accounts.remove(name);
  });

  it('never hands one uid to two users, across engines sharing the state directory', async () => {
    const range = { first: 7000, count: 20 };
    const engines = [new TaskAccounts(range, dir, files), new TaskAccounts(range, dir, files)];
    const made = await Promise.all(
      Array.from({ length: 20 }, (_, i) => engines[i % 2]!.create(poolAccountName(), 'c')),
    );
    assert.equal(new Set(made.map((account) => account.uid)).size, 20);
    await assert.rejects(engines[0]!.create(poolAccountName(), 'c'), /every uid of the task uid range/);
    // A uid freed by one engine is free for the other.
    await engines[0]!.remove(made[0]!.name);
    assert.equal((await engines[1]!.create(poolAccountName(), 'c')).uid, made[0]!.uid);
  });

  it('skips the ids of the host’s users and groups', async () => {
    const accounts = new TaskAccounts({ first: 5000, count: 5 }, dir, files);
    const uids = [];
    for (let i = 0; i < 3; i++) uids.push((await accounts.create(poolAccountName(), 'c')).uid);
    assert.deepEqual(uids.sort(), [5000, 5002, 5004]);
    assert.deepEqual([...hostIds('a:x:1:2::/:/bin/sh\n\n', 'g:x:3:\n')].sort(), [1, 3]);
  });

  it('goes round the range instead of reusing the uid just freed', async () => {
    const accounts = new TaskAccounts({ first: 7000, count: 50 }, dir, files);
    const first = await accounts.create(poolAccountName(), 'c');
    await accounts.remove(first.name);
    const second = await accounts.create(poolAccountName(), 'c');
    assert.notEqual(second.uid, first.uid);
  });

  it('lists only records of the engine’s shape, and refuses other names', async () => {
    const accounts = new TaskAccounts({ first: 7000, count: 50 }, dir, files);
    await accounts.create(poolAccountName(), 'c');
    await writeFile(join(dir, 'uids', 'notes.txt'), 'x');
    await writeFile(join(dir, 'uids', '7100'), 'someone-else\nc\n');
    assert.equal((await accounts.list()).length, 1);
    assert.equal((await readdir(join(dir, 'uids'))).length, 3);
    await assert.rejects(accounts.create('root', 'c'), /not a task user name/);
  });
});

describe('the sandbox’s passwd and group files', () => {
  const account = { name: 'tcw-abcdefghij-0', uid: 2000000007, gid: 2000000007, groups: [5003] };

  it('add the task user to the host’s entries', async () => {
    const passwd = sandboxPasswd(await readFile(files.passwd, 'utf8'), account);
    assert.match(passwd, /^root:x:0:0:/m);
    assert.match(passwd, /^tcw-abcdefghij-0:x:2000000007:2000000007:[^:]*:\/nonexistent:\/bin\/sh$/m);
    assert.match(sandboxPasswd('root:x:0:0::/:/bin/sh', account), /\/bin\/sh\ntcw-/, 'a missing newline');
  });

  it('give the user its own group, and list it in the groups it joins', async () => {
    const group = sandboxGroup(await readFile(files.group, 'utf8'), account, ['docker']);
    assert.match(group, /^docker:x:5003:alice,tcw-abcdefghij-0$/m);
    assert.match(group, /^bob:x:5001:$/m);
    assert.match(group, /^tcw-abcdefghij-0:x:2000000007:$/m);
    assert.ok(group.endsWith('\n'));
    assert.match(sandboxGroup('wheel:x:10:\n', account, ['wheel']), /^wheel:x:10:tcw-abcdefghij-0$/m);
  });
});
