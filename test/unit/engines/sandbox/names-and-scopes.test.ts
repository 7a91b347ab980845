// Task user names, and the scopes and groups a payload's osGroups needs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkOsGroups, parseGroupFile } from '../../../../src/engines/sandbox/os-groups.js';
import {
  hasScope,
  networkScope,
  osGroupScope,
  taskQueueIdOf,
} from '../../../../src/engines/sandbox/scopes.js';
import { poolAccountName, taskUserPattern } from '../../../../src/engines/sandbox/task-names.js';
import { ownerAlive, ownerComment, parseOwnerComment } from '../../../../src/engines/sandbox/worker-owner.js';

describe('task user names', () => {
  it('are short, valid user names of the engine’s shape', () => {
    const name = poolAccountName();
    assert.match(name, taskUserPattern);
    assert.match(name, /^[a-z_][a-z0-9_-]*$/, 'a portable user name');
    assert.ok(name.length <= 31, name);
  });

  it('differ from one user to the next', () => {
    const names = new Set(Array.from({ length: 50 }, () => poolAccountName()));
    assert.equal(names.size, 50);
  });

  it('are never confused with other users', () => {
    for (const other of ['tcw-admin', 'tcw-abcdefghij', 'root', 'tcw-ABCDEFGHIJ-0', 'xtcw-abcdefghij-0'])
      assert.doesNotMatch(other, taskUserPattern);
  });
});

describe('the owner of a task user', () => {
  it('round-trips through the user comment, which has no field separator', () => {
    const owner = { pid: 1234, startTime: 987654 };
    const comment = ownerComment(owner, 'fN1SbArXTPSVFNUvaOlinQ', 2);
    assert.doesNotMatch(comment, /[:\n]/);
    assert.match(comment, /fN1SbArXTPSVFNUvaOlinQ\/2/);
    assert.deepEqual(parseOwnerComment(comment), owner);
    assert.equal(parseOwnerComment('someone else'), undefined);
    assert.doesNotMatch(ownerComment(owner, 'a:b\nc', 0), /[:\n]/);
  });

  it('is alive only with the same pid and start time', () => {
    const comment = ownerComment({ pid: process.pid, startTime: 0 }, 't', 0);
    const mine = parseOwnerComment(comment);
    assert.ok(mine);
    assert.equal(ownerAlive(mine), false, 'a pid reused by another process is not the owner');
  });
});

describe('scopes', () => {
  it('are granted exactly or by a trailing star', () => {
    assert.equal(hasScope(['a:b'], 'a:b'), true);
    assert.equal(hasScope(['a:*'], 'a:b/c'), true);
    assert.equal(hasScope(['*'], 'anything'), true);
    assert.equal(hasScope(['a:b'], 'a:bc'), false);
    assert.equal(hasScope(['a:b*c'], 'a:bxc'), false, 'a star only counts at the end');
    assert.equal(hasScope([], 'a'), false);
  });

  it('name the task queue the way generic-worker does', () => {
    assert.equal(taskQueueIdOf({ taskQueueId: 'p/w' }), 'p/w');
    assert.equal(taskQueueIdOf({ provisionerId: 'p', workerType: 'w' }), 'p/w');
    assert.equal(osGroupScope('p/w', 'docker'), 'generic-worker:os-group:p/w/docker');
    assert.equal(networkScope('p/w'), 'tc-worker:sandbox:network:p/w');
  });
});

describe('osGroups', () => {
  const groups = parseGroupFile('root:x:0:\n# comment\naudio:x:29:pulse\nvideo:x:44:\nbroken\nvideo:x:99:\n');

  it('parses /etc/group, first entry wins', () => {
    assert.deepEqual(
      [...groups],
      [
        ['root', 0],
        ['audio', 29],
        ['video', 44],
      ],
    );
  });

  it('resolves groups the task has scopes for', () => {
    const check = checkOsGroups(['audio', 'video'], ['generic-worker:os-group:p/w/*'], 'p/w', groups);
    assert.deepEqual(check, { names: ['audio', 'video'], gids: [29, 44], problems: [] });
  });

  it('lists every problem: a missing scope and an unknown group', () => {
    const check = checkOsGroups(
      ['audio', 'nosuch', 'video'],
      ['generic-worker:os-group:p/w/nosuch', 'generic-worker:os-group:p/w/video'],
      'p/w',
      groups,
    );
    assert.deepEqual(check.problems, [
      'payload.osGroups[0]: group audio needs the scope generic-worker:os-group:p/w/audio, which the task lacks',
      'payload.osGroups[1]: there is no group nosuch on this worker',
    ]);
    assert.deepEqual(check.gids, [29, 44]);
    // Scopes of another worker type do not count.
    assert.equal(
      checkOsGroups(['audio'], ['generic-worker:os-group:p/other/audio'], 'p/w', groups).problems.length,
      1,
    );
  });
});
