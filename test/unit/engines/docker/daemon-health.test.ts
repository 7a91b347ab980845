import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type Docker from 'dockerode';
import { DaemonHealth } from '../../../../src/engines/docker/daemon-health.js';

/** A daemon whose ping answers as told, counting the pings. */
function fakeDaemon(): { docker: Docker; pings: () => number; up: (value: boolean) => void } {
  let pings = 0;
  let up = true;
  const docker = {
    ping: () => {
      pings += 1;
      return up
        ? Promise.resolve('OK')
        : Promise.reject(Object.assign(new Error('gone'), { code: 'ENOENT' }));
    },
  } as unknown as Docker;
  return { docker, pings: () => pings, up: (value) => (up = value) };
}

describe('docker daemon health', () => {
  const signal = new AbortController().signal;

  it('trusts a recent answer without asking, and pings once it is old', async () => {
    let now = 1_000_000;
    const daemon = fakeDaemon();
    const health = new DaemonHealth(daemon.docker, 1000, () => now);
    assert.equal(await health.available(signal), true);
    assert.equal(daemon.pings(), 0, 'the engine just started: the daemon answered');
    now += 11_000;
    assert.equal(await health.available(signal), true);
    assert.equal(daemon.pings(), 1);
  });

  it('pings at once after a task found the daemon away, and answers false until it is back', async () => {
    const now = 1_000_000;
    const daemon = fakeDaemon();
    const health = new DaemonHealth(daemon.docker, 1000, () => now);
    daemon.up(false);
    health.lost();
    assert.equal(await health.available(signal), false);
    assert.equal(await health.available(signal), false);
    assert.equal(daemon.pings(), 2, 'asks every time while it is away');
    daemon.up(true);
    assert.equal(await health.available(signal), true);
    assert.equal(await health.available(signal), true);
    assert.equal(daemon.pings(), 3, 'trusted again once it answered');
  });
});
