// The pool of task users made ahead of time: each handed to one task only, refilled, falling back to making
// a user on demand, and emptied at dispose. Against fake accounts (the real uid records are in
// task-accounts.test.ts and the integration tests).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AccountPool, type PoolAccounts } from '../../../../src/engines/sandbox/account-pool.js';
import type { TaskAccount } from '../../../../src/engines/sandbox/task-accounts.js';
import { poolAccountName, taskUserPattern } from '../../../../src/engines/sandbox/task-names.js';
import { parseOwnerComment, poolComment } from '../../../../src/engines/sandbox/worker-owner.js';
import { silentLog } from '../../../../src/log/worker-log.js';

class FakeAccounts implements PoolAccounts {
  readonly existing = new Map<string, { comment: string }>();
  readonly created: { name: string }[] = [];
  readonly removed: string[] = [];
  /** Creations (in order, 1-based) that fail. */
  failing = new Set<number>();
  #uid = 1000;

  create(name: string, comment: string): Promise<TaskAccount> {
    this.created.push({ name });
    if (this.failing.has(this.created.length)) return Promise.reject(new Error('no uid left'));
    if (this.existing.has(name)) return Promise.reject(new Error(`${name} exists`));
    this.existing.set(name, { comment });
    const uid = this.#uid++;
    return Promise.resolve({ name, uid, gid: uid, groups: [] });
  }

  remove(name: string): Promise<void> {
    this.removed.push(name);
    this.existing.delete(name);
    return Promise.resolve();
  }
}

const owner = { pid: 4242, startTime: 77 };
let counter = 0;
const newName = (): string => `tcw-${'a'.repeat(6)}${String(counter++).padStart(4, '0')}-0`;

function pool(accounts: FakeAccounts, size = 2): AccountPool {
  return new AccountPool(accounts, { size, comment: poolComment(owner), log: silentLog(), newName });
}

describe('sandbox user pool', () => {
  it('makes users ahead of time, of the engine’s shape, with the owner in the comment', async () => {
    const accounts = new FakeAccounts();
    const users = pool(accounts);
    users.fill();
    await users.take([]);
    users.fill();
    assert.equal(accounts.created.length, 3, 'two ahead, and one more after the take');
    for (const { comment } of accounts.existing.values()) assert.deepEqual(parseOwnerComment(comment), owner);
    assert.match(poolAccountName(), taskUserPattern);
    assert.notEqual(poolAccountName(), poolAccountName());
    await users.dispose();
  });

  it('never hands one user to two tasks, and refills after each take', async () => {
    const accounts = new FakeAccounts();
    const users = pool(accounts);
    users.fill();
    const taken: TaskAccount[] = [];
    for (let i = 0; i < 10; i++) {
      taken.push(await users.take([]));
      users.fill();
    }
    assert.equal(new Set(taken.map((account) => account.name)).size, 10);
    assert.equal(accounts.created.length, 12, 'ten taken, two ready again');
    await users.dispose();
    assert.equal(accounts.removed.filter((name) => taken.some((a) => a.name === name)).length, 0);
  });

  it('gives the task’s groups when a task takes a user, not when it is made', async () => {
    const accounts = new FakeAccounts();
    const users = pool(accounts);
    users.fill();
    const account = await users.take([999]);
    assert.deepEqual(account.groups, [999]);
    assert.deepEqual((await users.take([])).groups, []);
    await users.dispose();
  });

  it('makes a user on demand when a pool user could not be made', async () => {
    const accounts = new FakeAccounts();
    accounts.failing = new Set([1]);
    const users = pool(accounts, 1);
    users.fill();
    const account = await users.take([999]);
    assert.ok(accounts.existing.has(account.name));
    assert.deepEqual(account.groups, [999]);
    await users.dispose();
  });

  it('removes the users no task took at dispose, and no taken one', async () => {
    const accounts = new FakeAccounts();
    const users = pool(accounts, 3);
    users.fill();
    const taken = await users.take([]);
    users.fill();
    await users.dispose();
    assert.equal(accounts.removed.length, 3);
    assert.ok(!accounts.removed.includes(taken.name));
    assert.deepEqual([...accounts.existing.keys()], [taken.name]);
    await assert.rejects(users.take([]), /disposed/);
  });
  it('prepares each user it makes (cgroups, state), undoes that for users no task took, before removing them', async () => {
    const accounts = new FakeAccounts();
    const events: string[] = [];
    const users = new AccountPool(accounts, {
      size: 2,
      comment: poolComment(owner),
      log: silentLog(),
      newName,
      prepare: (account) => {
        events.push(`prepare ${account.name}`);
        // The second user cannot be prepared: it is removed, and a task gets one made on demand.
        return events.filter((e) => e.startsWith('prepare')).length === 2
          ? Promise.reject(new Error('no cgroup'))
          : Promise.resolve();
      },
      discard: (account) => {
        events.push(`discard ${account.name}`);
        return Promise.resolve();
      },
    });
    users.fill();
    const first = await users.take([]);
    assert.equal(first.prepared, true);
    const second = await users.take([]);
    assert.notEqual(second.prepared, true, 'made on demand, nothing prepared');
    users.fill();
    await users.dispose();
    const failed = accounts.created[1]!.name;
    assert.ok(events.includes(`discard ${failed}`), 'the failed preparation is undone');
    assert.ok(accounts.removed.includes(failed));
    // Users still in the pool at dispose: discarded, then removed.
    for (const name of accounts.removed.filter((n) => n !== failed && n !== first.name && n !== second.name))
      assert.ok(events.indexOf(`discard ${name}`) >= 0, `${name} discarded before removal`);
    assert.ok(!accounts.removed.includes(first.name), 'a taken user is the task’s to remove');
  });
});
