// The sandbox's layout (bubblewrap options) and the launch argv: pure, so every flag that matters for
// isolation is pinned here.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  argsFileContent,
  bwrapOptions,
  envProblem,
  isUnderSystemDir,
  launchArgv,
  type SandboxLayout,
} from '../../../../src/engines/sandbox/sandbox-layout.js';

const layout: SandboxLayout = {
  taskDir: '/tmp/work/task-1/task',
  tmpDir: '/state/tcw-x/tmp',
  hostname: 'tcw-x',
  network: false,
  rootEntries: [
    { kind: 'symlink', name: 'bin', target: 'usr/bin' },
    { kind: 'dir', name: 'lib64' },
  ],
  identity: { passwd: '/state/tcw-x/passwd', group: '/state/tcw-x/group' },
  env: { PATH: '/usr/bin', WHO: 'a b' },
};

/** Index of `flag` followed by `args` in the options. */
const at = (options: string[], ...sequence: string[]): number =>
  options.findIndex((_, i) => sequence.every((part, j) => options[i + j] === part));

describe('bubblewrap options', () => {
  const options = bwrapOptions(layout);

  it('unshare every namespace, including the network, and allow no user namespace inside', () => {
    for (const flag of ['--unshare-all', '--unshare-user', '--disable-userns', '--die-with-parent'])
      assert.ok(options.includes(flag), flag);
    assert.ok(at(options, '--cap-drop', 'ALL') >= 0);
    assert.equal(options.includes('--share-net'), false);
    assert.ok(at(options, '--hostname', 'tcw-x') >= 0);
    assert.ok(bwrapOptions({ ...layout, network: true }).includes('--share-net'));
  });

  it('build the root from read-only system directories, the host’s links and private /dev, /proc, /tmp', () => {
    assert.ok(at(options, '--ro-bind', '/usr', '/usr') >= 0);
    const etc = at(options, '--ro-bind', '/etc', '/etc');
    assert.ok(etc >= 0);
    // The task user's name comes from files of its own, over the host's.
    assert.ok(at(options, '--ro-bind', '/state/tcw-x/passwd', '/etc/passwd') > etc);
    assert.ok(at(options, '--ro-bind', '/state/tcw-x/group', '/etc/group') > etc);
    assert.ok(at(options, '--symlink', 'usr/bin', '/bin') >= 0);
    assert.ok(at(options, '--ro-bind', '/lib64', '/lib64') >= 0);
    assert.ok(at(options, '--dev', '/dev') >= 0 && at(options, '--proc', '/proc') >= 0);
    assert.ok(at(options, '--bind', '/state/tcw-x/tmp', '/tmp') >= 0);
  });

  it('bind the task directory writable at its own path, after /tmp, then make the root read-only', () => {
    const task = at(options, '--bind', '/tmp/work/task-1/task', '/tmp/work/task-1/task');
    assert.ok(task > at(options, '--bind', '/state/tcw-x/tmp', '/tmp'), 'inside the task’s /tmp');
    assert.ok(at(options, '--chdir', '/tmp/work/task-1/task') > task);
    const readOnly = at(options, '--remount-ro', '/');
    assert.ok(readOnly > task);
    assert.equal(options.lastIndexOf('--bind'), task, 'no mount after the root is read-only');
  });

  it('start from an empty environment, then the task’s', () => {
    const clear = options.indexOf('--clearenv');
    assert.ok(clear > 0);
    assert.ok(at(options, '--setenv', 'PATH', '/usr/bin') > clear);
    assert.ok(at(options, '--setenv', 'WHO', 'a b') > clear);
  });

  it('go into a NUL-separated file, which refuses what would split an option', () => {
    assert.deepEqual(argsFileContent(['--a', 'b c']), Buffer.from('--a\0b c\0'));
    assert.equal(envProblem({ A: 'ok', B: '' }), undefined);
    assert.match(envProblem({ A: 'x\0--bind\0/\0/' }) ?? '', /NUL/);
    assert.match(envProblem({ 'A=B': 'x' }) ?? '', /not valid/);
    assert.match(envProblem({ '': 'x' }) ?? '', /not valid/);
  });

  it('cannot bind a task directory under a system directory', () => {
    for (const path of ['/', '/usr/x', '/etc', '/proc/1', '/lib64/t'])
      assert.equal(isUnderSystemDir(path), true);
    for (const path of ['/tmp/x', '/var/lib/tc-worker/t', '/usrlocal', '/home/etc'])
      assert.equal(isUnderSystemDir(path), false);
  });
});

describe('launch argv', () => {
  const plan = {
    tools: { setpriv: '/u/setpriv', bwrap: '/u/bwrap' },
    hostScript: 'SCRIPT',
    taskDir: '/t',
    argsFile: '/s/bwrap.args',
    cgroupProcs: ['/cg/memory/procs', '/cg/pids/procs'],
    user: { uid: 990, gid: 980, groups: [29, 44] },
    newSession: true,
    command: ['sh', '-c', 'echo hi'],
  } as const;

  it('goes through the host script as root, then setpriv and bubblewrap: no mount of its own', () => {
    const argv = launchArgv(plan);
    assert.deepEqual(argv.slice(0, 8), [
      '/bin/sh',
      '-c',
      'SCRIPT',
      'tc-sandbox-host',
      '/s/bwrap.args',
      '2',
      '/cg/memory/procs',
      '/cg/pids/procs',
    ]);
    assert.equal(argv[8], '/u/setpriv', 'setpriv right after the cgroups');
    const setpriv = argv.indexOf('/u/setpriv');
    assert.deepEqual(argv.slice(setpriv, setpriv + 9), [
      '/u/setpriv',
      '--reuid=990',
      '--regid=980',
      '--groups=29,44',
      '--no-new-privs',
      '--inh-caps=-all',
      '--bounding-set=-all',
      '--',
      '/u/bwrap',
    ]);
    const bwrap = argv.indexOf('/u/bwrap');
    assert.deepEqual(argv.slice(bwrap + 1), ['--args', '6', '--new-session', '--', 'sh', '-c', 'echo hi']);
  });

  it('goes through the compiled launcher in one exec where there is one, then bubblewrap', () => {
    const argv = launchArgv({ ...plan, tools: { ...plan.tools, launcher: '/s/launch' } });
    assert.deepEqual(argv, [
      '/s/launch',
      '/s/bwrap.args',
      '2',
      '/cg/memory/procs',
      '/cg/pids/procs',
      '990',
      '980',
      '29,44',
      '/u/bwrap',
      '--args',
      '6',
      '--new-session',
      '--',
      'sh',
      '-c',
      'echo hi',
    ]);
    const none = launchArgv({
      ...plan,
      tools: { ...plan.tools, launcher: '/s/launch' },
      user: { uid: 1, gid: 1, groups: [] },
    });
    assert.equal(none[7], '-', 'no supplementary groups');
  });

  it('clears the supplementary groups when there are none; a shell keeps its terminal', () => {
    const argv = launchArgv({
      ...plan,
      user: { uid: 1, gid: 1, groups: [] },
      newSession: false,
      extraOptions: ['--setenv', 'TERM', 'xterm'],
    });
    assert.ok(argv.includes('--clear-groups'));
    assert.equal(argv.includes('--new-session'), false);
    assert.deepEqual(argv.slice(argv.indexOf('/u/bwrap') + 1, argv.indexOf('/u/bwrap') + 7), [
      '--args',
      '6',
      '--setenv',
      'TERM',
      'xterm',
      '--',
    ]);
  });
});
