// Pure parts of the docker engine's containers: the create request, privileged on hosts that cannot grant
// everything, the attach stream's frames, names in archives the container sends, owners of leftovers, and the
// docker-worker artifacts map.
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { describe, it } from 'node:test';
import { dockerArtifactEntries } from '../../../../src/plugins/artifacts/docker-artifacts.js';
import { safeEntryName } from '../../../../src/engines/docker/archive-extract.js';
import { containerSpec, cacheVolumeName } from '../../../../src/engines/docker/container-spec.js';
import { defaultDockerSettings } from '../../../../src/engines/docker/docker-settings.js';
import { ownerIsGone, ownerOf } from '../../../../src/engines/docker/leftovers.js';
import { OutputFrames } from '../../../../src/engines/docker/output-frames.js';
import {
  boundingSetOf,
  missingCapabilities,
  privilegedHostConfig,
} from '../../../../src/engines/docker/privileged-mode.js';

const settings = { ...defaultDockerSettings, rootUrl: 'https://tc.example.com' };
const plan = {
  image: 'sha256:abc',
  command: ['sh', '-c', 'make'],
  env: { TASK_ID: 'T', A: 'b=c' },
  taskDir: '/work/task-T/task',
  volumes: new Map([[cacheVolumeName('checkouts'), '/checkouts']]),
  owner: 'host/1',
  task: 'T/0',
};

describe('container create request', () => {
  it('has the command, the environment, the task directory, caches, labels and the worker’s limits', () => {
    const spec = containerSpec(plan, { ...settings, memoryMB: 512, cpus: 1.5, network: 'none' });
    assert.deepEqual(spec.Cmd, ['sh', '-c', 'make']);
    assert.deepEqual(spec.Env, ['TASK_ID=T', 'A=b=c']);
    assert.deepEqual(spec.Labels, { 'tc-worker.owner': 'host/1', 'tc-worker.task': 'T/0' });
    assert.equal(spec.Tty, false);
    const host = spec.HostConfig!;
    assert.deepEqual(host.Binds, ['/work/task-T/task:/work/task-T/task']);
    assert.deepEqual(host.Mounts, [
      { Type: 'volume', Source: 'tc-worker-cache-checkouts', Target: '/checkouts', ReadOnly: false },
    ]);
    assert.equal(host.NetworkMode, 'none');
    assert.equal(host.Memory, 512 * 1024 * 1024);
    assert.equal(host.MemorySwap, 512 * 1024 * 1024, 'no swap beyond the limit');
    assert.equal(host.NanoCpus, 1.5e9);
    assert.equal(host.PidsLimit, 4096);
    assert.equal(host.Privileged, undefined);
    assert.equal(host.CapAdd, undefined);
  });

  it('leaves the image’s command alone when the payload has none, and sets no limits the config lacks', () => {
    const spec = containerSpec({ ...plan, command: [] }, settings);
    assert.equal(spec.Cmd, undefined);
    assert.equal(spec.HostConfig?.Memory, undefined);
    assert.equal(spec.HostConfig?.NanoCpus, undefined);
    assert.equal(spec.HostConfig?.NetworkMode, 'bridge');
  });
});

describe('privileged containers', () => {
  it('are Docker’s privileged mode on a host with every capability', () => {
    assert.deepEqual(missingCapabilities('000001ffffffffff'), []);
    assert.deepEqual(privilegedHostConfig([]), { Privileged: true });
  });

  it('are every capability the host has, without seccomp, on a host without CAP_SYS_RESOURCE', () => {
    const withoutSysResource = (0x1ffffffffffn & ~(1n << 24n)).toString(16);
    const missing = missingCapabilities(withoutSysResource);
    assert.deepEqual(missing, ['SYS_RESOURCE']);
    assert.deepEqual(privilegedHostConfig(missing), {
      CapAdd: ['ALL'],
      CapDrop: ['SYS_RESOURCE'],
      SecurityOpt: ['seccomp=unconfined', 'apparmor=unconfined'],
    });
  });

  it('reads the bounding set from /proc/self/status', () => {
    assert.equal(boundingSetOf('Name:\tnode\nCapBnd:\t000001fffeffffff\nCapAmb:\t0\n'), '000001fffeffffff');
  });
});

describe('attach stream frames', () => {
  const frame = (stream: number, text: string): Buffer => {
    const payload = Buffer.from(text);
    const header = Buffer.alloc(8);
    header[0] = stream;
    header.writeUInt32BE(payload.length, 4);
    return Buffer.concat([header, payload]);
  };

  it('lose their headers, keep the order of stdout and stderr, and may arrive split anywhere', async () => {
    const bytes = Buffer.concat([
      frame(1, 'out-1\n'),
      frame(2, 'err-1\n'),
      frame(1, ''),
      frame(1, 'out-2\n'),
    ]);
    for (const size of [1, 3, 7, 8, 9, bytes.length]) {
      const frames = new OutputFrames();
      const chunks: Buffer[] = [];
      frames.on('data', (chunk: Buffer) => chunks.push(chunk));
      for (let at = 0; at < bytes.length; at += size) frames.write(bytes.subarray(at, at + size));
      frames.end();
      await new Promise((resolve) => frames.once('end', resolve));
      assert.equal(Buffer.concat(chunks).toString(), 'out-1\nerr-1\nout-2\n', `chunks of ${size}`);
    }
  });
});

describe('archives from a container', () => {
  it('keep only names that stay inside the target', () => {
    assert.equal(safeEntryName('dir/sub/file'), 'dir/sub/file');
    assert.equal(safeEntryName('./dir//file'), 'dir/file');
    assert.equal(safeEntryName('dir/'), 'dir');
    for (const bad of ['../x', '/etc/passwd', 'a/../../x', '..', '.', ''])
      assert.equal(safeEntryName(bad), undefined, bad);
  });
});

describe('leftover containers', () => {
  it('belong to a worker process of this host; only a dead one’s are taken', () => {
    assert.equal(ownerOf(42), `${hostname()}/42`);
    assert.equal(
      ownerIsGone(`${hostname()}/42`, () => false),
      true,
    );
    assert.equal(
      ownerIsGone(`${hostname()}/42`, () => true),
      false,
    );
    assert.equal(
      ownerIsGone('another-host/42', () => false),
      false,
    );
    assert.equal(
      ownerIsGone('garbage', () => false),
      false,
    );
  });
});

describe('docker-worker artifacts map', () => {
  it('becomes the generic list, each entry named, optional, and labelled by its key', () => {
    const { entries, fields } = dockerArtifactEntries({
      'public/a.txt': { type: 'file', path: '/out/a.txt' },
      'public/dir': { type: 'directory', path: '/out/dir', expires: '2030-01-01T00:00:00.000Z' },
    });
    assert.deepEqual(entries, [
      { type: 'file', path: '/out/a.txt', name: 'public/a.txt', optional: true },
      {
        type: 'directory',
        path: '/out/dir',
        name: 'public/dir',
        expires: '2030-01-01T00:00:00.000Z',
        optional: true,
      },
    ]);
    assert.deepEqual(fields, ['payload.artifacts["public/a.txt"]', 'payload.artifacts["public/dir"]']);
  });
});
