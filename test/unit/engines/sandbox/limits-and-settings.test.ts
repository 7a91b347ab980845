// Resource limits: the worker's narrowed by the payload, the cgroup files that hold them, and the defaults.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  cpuQuotaMicros,
  v1LimitWrites,
  v2LimitWrites,
} from '../../../../src/engines/sandbox/cgroup-limits.js';
import { v1TaskDirs } from '../../../../src/engines/sandbox/cgroup-v1.js';
import { v2TaskDir } from '../../../../src/engines/sandbox/cgroup-v2.js';
import { describeLimits, narrowLimits } from '../../../../src/engines/sandbox/resource-limits.js';
import { sandboxSettingsFrom } from '../../../../src/engines/sandbox/sandbox-settings.js';

describe('narrowing limits', () => {
  const worker = { memoryMB: 2048, pids: 1024, cpus: 2 };

  it('keeps the worker’s limits when the payload asks for nothing', () => {
    assert.deepEqual(narrowLimits(worker, undefined), { limits: worker, problems: [] });
    assert.deepEqual(narrowLimits(worker, {}), { limits: worker, problems: [] });
  });

  it('takes lower limits from the payload', () => {
    const { limits, problems } = narrowLimits(worker, { memoryMB: 512, pids: 64, cpus: 0.5 });
    assert.deepEqual(limits, { memoryMB: 512, pids: 64, cpus: 0.5 });
    assert.deepEqual(problems, []);
  });

  it('never widens: asking for more is a problem per key, and the worker’s limit stays', () => {
    const { limits, problems } = narrowLimits(worker, { memoryMB: 4096, pids: 2048, cpus: 1 });
    assert.deepEqual(limits, { memoryMB: 2048, pids: 1024, cpus: 1 });
    assert.equal(problems.length, 2);
    assert.match(
      problems[0] ?? '',
      /payload\.resources\.memoryMB asks for 4096 MiB, more than this worker allows \(2048 MiB\)/,
    );
    assert.match(problems[1] ?? '', /payload\.resources\.pids/);
  });

  it('lets a payload set a limit the worker does not have', () => {
    const { limits, problems } = narrowLimits({ pids: 100 }, { memoryMB: 64, cpus: 8 });
    assert.deepEqual(limits, { pids: 100, memoryMB: 64, cpus: 8 });
    assert.deepEqual(problems, []);
    assert.equal(describeLimits({ pids: 100 }), 'memory unlimited, 100 processes, CPUs unlimited');
    assert.equal(describeLimits(limits), 'memory 64 MiB, 100 processes, 8 CPUs');
  });
});

describe('cgroup files', () => {
  it('v1: pids, memory (then memory+swap), CPU quota per 100 ms', () => {
    assert.deepEqual(v1LimitWrites({ pids: 50, memoryMB: 64, cpus: 1.5 }), [
      ['pids', 'pids.max', '50'],
      ['memory', 'memory.limit_in_bytes', String(64 * 1024 * 1024)],
      ['memory', 'memory.memsw.limit_in_bytes', String(64 * 1024 * 1024)],
      ['cpu', 'cpu.cfs_period_us', '100000'],
      ['cpu', 'cpu.cfs_quota_us', '150000'],
    ]);
    assert.deepEqual(v1LimitWrites({ pids: 50 }), [['pids', 'pids.max', '50']]);
  });

  it('v2: pids.max, memory.max without swap, cpu.max', () => {
    assert.deepEqual(v2LimitWrites({ pids: 50, memoryMB: 1, cpus: 0.25 }), [
      ['pids.max', '50'],
      ['memory.max', '1048576'],
      ['memory.swap.max', '0'],
      ['cpu.max', '25000 100000'],
    ]);
    assert.equal(cpuQuotaMicros(0.001), 1000, 'the kernel’s minimum quota');
  });

  it('places task cgroups under the engine’s parent, once per hierarchy', () => {
    const mounts = new Map([
      ['memory', '/sys/fs/cgroup/memory'],
      ['pids', '/sys/fs/cgroup/pids'],
      ['cpu', '/sys/fs/cgroup/cpu,cpuacct'],
      ['cpuacct', '/sys/fs/cgroup/cpu,cpuacct'],
      ['freezer', '/sys/fs/cgroup/freezer'],
    ] as const);
    const dirs = v1TaskDirs(mounts, 'tc-worker', 'tcw-abcdefghij-0');
    assert.equal(dirs.get('memory'), '/sys/fs/cgroup/memory/tc-worker/tcw-abcdefghij-0');
    assert.equal(dirs.get('cpu'), dirs.get('cpuacct'));
    assert.equal(new Set(dirs.values()).size, 4);
    assert.equal(v2TaskDir('/sys/fs/cgroup', 'tc-worker', 'tcw-x'), '/sys/fs/cgroup/tc-worker/tcw-x');
  });
});

describe('settings', () => {
  it('have defaults, and take the config’s keys', () => {
    assert.deepEqual(sandboxSettingsFrom({}), {
      limits: { pids: 1024 },
      allowNetwork: false,
      stateDir: '/var/lib/tc-worker/sandbox',
      cgroupParent: 'tc-worker',
      taskUids: { first: 2000000000, count: 1000000 },
    });
    const settings = sandboxSettingsFrom({
      sandbox: {
        memoryMB: 512,
        pids: 64,
        cpus: 1,
        allowNetwork: true,
        stateDir: '/s',
        cgroupParent: 'p',
        taskUids: { first: 300000 },
      },
    });
    assert.deepEqual(settings, {
      limits: { pids: 64, memoryMB: 512, cpus: 1 },
      allowNetwork: true,
      stateDir: '/s',
      cgroupParent: 'p',
      taskUids: { first: 300000, count: 1000000 },
    });
  });
});
