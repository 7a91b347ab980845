// What a hostile task can do on a worker running the sandbox engine, tried for real: each attempt fails
// safely, and the engine goes on serving the next task. The engine is driven directly, as the conformance
// suite does, or through runTask (the plugin harness) where the resolution matters.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createSandboxEngine } from '../../../src/engines/sandbox/sandbox-engine.js';
import type { Engine, EngineTaskContext, ResultSet, Sandbox } from '../../../src/engines/types.js';
import { ArtifactSourceError, MalformedPayloadError } from '../../../src/errors.js';
import type { TaskDefinition } from '../../../src/generated/queue/task-definition.js';
import { silentLog } from '../../../src/log/worker-log.js';
import { taskclusterProxyPlugin } from '../../../src/plugins/taskcluster-proxy/taskcluster-proxy-plugin.js';
import { maxRunTimePlugin } from '../../../src/plugins/max-run-time/max-run-time-plugin.js';
import { processesIn } from '../../helpers/leftover-processes.js';
import { MemoryTaskLog } from '../../helpers/memory-task-log.js';
import { runWithPlugins } from '../../helpers/plugin-harness.js';
import { waitUntil } from '../../helpers/processes.js';
import { engineContext, makeTask, newTaskId, tempDir } from '../../helpers/task-fixtures.js';
import { sandboxHost, taskCgroupPids, taskUserOf, testEngineOptions, uidRecords } from './sandbox-host.js';

const host = await sandboxHost();
const sh = (script: string): string[] => ['sh', '-c', script];
const queue = 'test-prov/test-wt';
/** Something unique to this test process, for files it puts on the host. */
const unique = `${process.pid}-${Date.now().toString(36)}`;

interface Started {
  readonly ctx: EngineTaskContext;
  readonly log: MemoryTaskLog;
  readonly sandbox: Sandbox;
  readonly name: string;
}

describe('sandbox engine security', { skip: host.skip ?? false }, () => {
  let engine: Engine;
  let workDir: { path: string; remove: () => Promise<void> };

  before(async () => {
    engine = await createSandboxEngine(testEngineOptions, silentLog());
    workDir = await tempDir('tc-worker-sandbox-sec-');
    // As the worker's run directories are: searchable, not listable.
    await chmod(workDir.path, 0o711);
  });
  after(async () => {
    await engine.dispose?.();
    await workDir.remove();
  });

  async function start(
    commands: string[][],
    options: { payload?: Record<string, unknown>; task?: Partial<TaskDefinition>; on?: Engine } = {},
  ): Promise<Started> {
    const taskId = newTaskId();
    const taskDir = join(workDir.path, taskId);
    await mkdir(taskDir);
    const log = new MemoryTaskLog();
    const payload = { command: commands, maxRunTime: 600, ...options.payload };
    const ctx: EngineTaskContext = {
      taskId,
      runId: 0,
      task: makeTask(payload, options.task),
      payload,
      taskDir,
      keepTaskDir: false,
      log,
      workerLog: silentLog(),
      signal: new AbortController().signal,
    };
    const builder = await (options.on ?? engine).prepare(ctx);
    const sandbox = await builder.start();
    return { ctx, log, sandbox, name: taskUserOf(taskDir) };
  }

  async function run(
    commands: string[][],
    options?: Parameters<typeof start>[1],
  ): Promise<Started & { result: ResultSet }> {
    const started = await start(commands, options);
    return { ...started, result: await started.sandbox.wait() };
  }

  /** Nothing of the task is left on the host: processes, cgroups, user, state, mounts. */
  function assertGone(started: Started): void {
    const { ctx, name } = started;
    assert.deepEqual(processesIn(ctx.taskDir), [], 'no process in the task directory');
    assert.deepEqual(taskCgroupPids(name), [], 'no process in the task cgroups');
    assert.equal(existsSync(`/sys/fs/cgroup/pids/tc-worker/${name}`), false, 'the cgroup is removed');
    assert.equal(existsSync(`/sys/fs/cgroup/tc-worker/${name}`), false, 'the cgroup is removed');
    assert.ok(name !== '' && !uidRecords().some((record) => record.name === name), 'the user (uid) is gone');
    assert.equal(existsSync(join(testEngineOptions.stateDir ?? '', name)), false, 'the state is gone');
    assert.doesNotMatch(readFileSync('/proc/self/mountinfo', 'utf8'), new RegExp(name), 'no mount is left');
  }

  /** The engine still runs a plain task after whatever the last one did. */
  async function assertStillServes(): Promise<void> {
    const next = await run([sh('echo still-serving')]);
    assert.equal(next.result.success, true, next.log.text);
    assert.match(next.log.text, /^still-serving$/m);
    await next.result.dispose();
    assertGone(next);
  }

  it('runs the task as a fresh unprivileged user: no root, no capabilities, no new privileges', async () => {
    const started = await run([
      sh(
        'echo "uid=$(id -u) gid=$(id -g) user=$(id -un) host=$(hostname)"; ' +
          'grep -E "^(CapEff|CapBnd|NoNewPrivs):" /proc/self/status; ' +
          'if unshare -U true 2>/dev/null; then echo userns=allowed; else echo userns=refused; fi; ' +
          'echo "procs=$(ls /proc | grep -c "^[0-9]")"',
      ),
    ]);
    const { log, result, name } = started;
    assert.equal(result.success, true, log.text);
    const uid = Number(/uid=(\d+)/.exec(log.text)?.[1]);
    // A uid of the engine's range, with a group of its own of the same number, named inside the sandbox.
    assert.ok(uid >= 2_000_000_000 && uid < 2_001_000_000, log.text);
    assert.match(log.text, new RegExp(`gid=${uid} user=${name} host=${name}`));
    // The host's users are not touched: the name exists only in the sandbox.
    assert.doesNotMatch(readFileSync('/etc/passwd', 'utf8'), new RegExp(`^${name}:|:${uid}:`, 'm'));
    assert.doesNotMatch(readFileSync('/etc/group', 'utf8'), new RegExp(`^${name}:|:${uid}:`, 'm'));
    assert.match(log.text, /^CapEff:\s+0+$/m);
    assert.match(log.text, /^CapBnd:\s+0+$/m);
    assert.match(log.text, /^NoNewPrivs:\s+1$/m);
    assert.match(log.text, /^userns=refused$/m);
    // Its own PID namespace: the sandbox's init, the supervisor, the shell and a few commands, nothing else.
    assert.ok(Number(/procs=(\d+)/.exec(log.text)?.[1]) < 10, log.text);
    await result.dispose();
    assertGone(started);
  });

  it('refuses, with the fix, a task directory its user could not reach (a closed directory above it)', async () => {
    const closed = join(workDir.path, 'closed');
    await mkdir(join(closed, 'task'), { recursive: true });
    await chmod(closed, 0o700);
    await assert.rejects(
      engine.prepare(
        engineContext({ taskDir: join(closed, 'task'), payload: { command: [['true']], maxRunTime: 60 } }),
      ),
      new RegExp(
        `cannot reach the task directory .*${closed} is not searchable by other users \\(mode 700\\).*chmod o\\+x`,
      ),
    );
  });

  it('cannot read a worker config file in a root-only directory, nor publish it through a link', async () => {
    const secretDir = `/etc/tcw-sandbox-test-${unique}`;
    await mkdir(secretDir, { mode: 0o700 });
    try {
      // World-readable itself: only the directory protects it, as a worker's config directory does.
      await writeFile(join(secretDir, 'config.yml'), 'accessToken: worker-secret\n', { mode: 0o644 });
      const started = await run([
        sh(
          `cat ${secretDir}/config.yml; ls ${secretDir}; ln -s ${secretDir}/config.yml link; ` +
            `cp ${secretDir}/config.yml copy 2>/dev/null; echo done`,
        ),
      ]);
      const { log, result } = started;
      assert.match(log.text, /Permission denied/);
      assert.doesNotMatch(log.text, /worker-secret/);
      assert.equal(existsSync(join(started.ctx.taskDir, 'copy')), false);
      await assert.rejects(
        result.readFile('link'),
        (error) => error instanceof ArtifactSourceError && error.reason === 'file-not-readable-on-worker',
      );
      await result.dispose();
      assertGone(started);
    } finally {
      await rm(secretDir, { recursive: true, force: true });
    }
    await assertStillServes();
  });

  it('cannot see /root or the host’s /tmp', async () => {
    const marker = `/root/.tcw-sandbox-test-${unique}`;
    const hostTmp = await mkdtemp(join(tmpdir(), 'tcw-sandbox-host-'));
    await writeFile(marker, 'root-secret');
    await writeFile(join(hostTmp, 'f'), 'host-tmp-secret');
    await chmod(hostTmp, 0o755);
    await chmod(join(hostTmp, 'f'), 0o644);
    try {
      const started = await run([
        sh(
          `ls -a /root; cat ${marker}; cat /proc/1/root${marker}; cat ${hostTmp}/f; ` +
            'ls /tmp | wc -l | sed "s/^/tmp-entries=/"',
        ),
      ]);
      const { log, result } = started;
      assert.doesNotMatch(log.text, /root-secret|host-tmp-secret/);
      assert.match(log.text, /\/root'?: No such file or directory/);
      await result.dispose();
      assertGone(started);
    } finally {
      await rm(marker, { force: true });
      await rm(hostTmp, { recursive: true, force: true });
    }
  });

  it('cannot read another running task’s files, or see its processes', async () => {
    const a = await start([
      sh('printf secret-of-a > secret; echo ready; while [ ! -e release-marker ]; do sleep 0.05; done'),
    ]);
    await a.log.waitFor(/^ready$/m);
    const b = await run([
      sh(
        `cat ${a.ctx.taskDir}/secret; ls ${a.ctx.taskDir}; echo planted > ${a.ctx.taskDir}/planted; ` +
          // The pattern does not match itself: only a's loop would.
          `ps -e -o args= | grep -c '[r]elease-marker' | sed 's/^/seen=/'`,
      ),
    ]);
    await writeFile(join(a.ctx.taskDir, 'release-marker'), '');
    const ra = await a.sandbox.wait();
    assert.equal(ra.success, true, a.log.text);
    assert.doesNotMatch(b.log.text, /secret-of-a/);
    assert.equal(existsSync(join(a.ctx.taskDir, 'planted')), false);
    assert.match(b.log.text, /^seen=0$/m, "a's loop is not among b's processes");
    await Promise.all([ra.dispose(), b.result.dispose()]);
    assertGone(a);
    assertGone(b);
  });

  it('cannot write outside its task directory; its /tmp is its own and goes with it', async () => {
    const name = `tcw-sandbox-write-${unique}`;
    const started = await start([
      sh(
        `for p in /usr/${name} /etc/${name} /${name} /var/${name} /bin/${name}; do ` +
          'if (echo x > "$p") 2>/dev/null; then echo "wrote $p"; fi; done; ' +
          `echo kept > /tmp/${name}; echo ready`,
      ),
      sh(`cat /tmp/${name}`),
    ]);
    const result = await started.sandbox.wait();
    assert.equal(result.success, true, started.log.text);
    assert.doesNotMatch(started.log.text, /^wrote /m);
    assert.match(started.log.text, /^kept$/m, 'a file in /tmp stays for the next command');
    for (const path of [`/usr/${name}`, `/etc/${name}`, `/${name}`, `/var/${name}`, join(tmpdir(), name)])
      assert.equal(existsSync(path), false, path);
    await result.dispose();
    assertGone(started);
  });

  describe('network', () => {
    let server: Server;
    let port: number;
    let connections = 0;
    let open: Engine;
    before(async () => {
      server = createServer((socket) => {
        connections++;
        socket.end('hello from the host\n');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as { port: number }).port;
      open = await createSandboxEngine({ ...testEngineOptions, allowNetwork: true }, silentLog());
    });
    after(async () => {
      await open.dispose?.();
      await new Promise((resolve) => server.close(resolve));
    });
    const probe = (): string[] => [
      'bash',
      '-c',
      `if exec 3<>/dev/tcp/127.0.0.1/${port}; then head -n 1 <&3; echo connected; else echo refused; fi`,
    ];
    const scoped = { scopes: [`tc-worker:sandbox:network:${queue}`] };

    it('has none: a server on the host’s loopback is out of reach', async () => {
      const before = connections;
      // Without network on the worker, the scope changes nothing.
      for (const task of [{}, scoped]) {
        const started = await run([probe()], { task });
        assert.match(started.log.text, /^refused$/m, started.log.text);
        assert.doesNotMatch(started.log.text, /hello from the host/);
        await started.result.dispose();
      }
      // On a worker that allows the network, a task without the scope has none either.
      const unscoped = await run([probe()], { on: open });
      assert.match(unscoped.log.text, /^refused$/m, unscoped.log.text);
      await unscoped.result.dispose();
      assert.equal(connections, before, 'the server saw no connection');
    });

    it('reaches the taskcluster proxy with the host’s network; without it the proxy is malformed-payload', async () => {
      const credentials = {
        current: () => ({ clientId: 'task-client/x', accessToken: 'k' }),
        onRenewed: () => () => undefined,
      };
      // Any answer of the proxy proves the sandbox reached it (the test's root URL is not a deployment: 502).
      const viaProxy = [
        'bash',
        '-c',
        'u=${TASKCLUSTER_PROXY_URL#http://}; hp=${u%%/*}; exec 3<>/dev/tcp/${hp%:*}/${hp#*:} && ' +
          'printf "GET /${u#*/}/api/queue/v1/ping HTTP/1.0\\r\\n\\r\\n" >&3 && head -n 1 <&3',
      ];
      const payload = { command: [viaProxy], features: { taskclusterProxy: true } };
      const reached = await runWithPlugins({
        plugins: [taskclusterProxyPlugin],
        payload,
        engine: open,
        task: scoped,
        credentials,
      });
      assert.match(reached.log, /^HTTP\/1\.1 502/m, reached.log);
      const cut = await runWithPlugins({
        plugins: [taskclusterProxyPlugin],
        payload,
        engine: open,
        credentials,
      });
      assert.equal(cut.resolution.kind, 'exception', cut.log);
      assert.match(cut.log, /features\.taskclusterProxy was requested, but the task has no network/);
    });

    it('is the host’s where the worker allows it and the task has the scope', async () => {
      const started = await run([probe()], { on: open, task: scoped });
      assert.match(started.log.text, /hello from the host/, started.log.text);
      assert.match(started.log.text, /network of the host/);
      await started.result.dispose();
      assertGone(started);
    });
  });

  it('cannot kill the worker (kill -9 of its pid, or of every process it may signal)', async () => {
    const started = await run([
      sh(`kill -9 ${process.pid}; echo "kill-worker=$?"`),
      sh('kill -9 -1; sleep 1; echo survived'),
    ]);
    assert.match(started.log.text, /^kill-worker=1$/m, started.log.text);
    // kill -1 reaches only the task's own processes: its command dies, the worker (this test) does not.
    assert.equal(started.result.success, false);
    assert.doesNotMatch(started.log.text, /^survived$/m);
    await started.result.dispose();
    assertGone(started);
    await assertStillServes();
  });

  it('contains a fork bomb within its process limit', async () => {
    const started = await start([sh('f() { f | f & }; f; while :; do sleep 0.2; done')], {
      payload: { resources: { pids: 32 } },
    });
    const events = `/sys/fs/cgroup/pids/tc-worker/${started.name}/pids.events`;
    const v2Events = `/sys/fs/cgroup/tc-worker/${started.name}/pids.events`;
    const limitHit = (): boolean => {
      for (const file of [events, v2Events]) {
        try {
          return Number(/^max (\d+)$/m.exec(readFileSync(file, 'utf8'))?.[1]) > 0;
        } catch {
          // Not this cgroup version, or already gone.
        }
      }
      return false;
    };
    let ended = false;
    const done = started.sandbox.wait().finally(() => (ended = true));
    await waitUntil(() => limitHit() || ended, 'the fork bomb hit its process limit');
    assert.ok(taskCgroupPids(started.name).length <= 32);
    // The worker's own machine still forks.
    assert.equal(spawnSync('true').status, 0);
    if (!ended) await started.sandbox.kill('fork bomb');
    const result = await done;
    assert.equal(result.success, false);
    await result.dispose();
    assertGone(started);
    await assertStillServes();
  });

  it('fails a task that uses more memory than its limit, saying it ran out of memory', async () => {
    const payload = {
      command: [sh('head -c 400000000 /dev/zero | tail -n 1 > /dev/null'), sh('echo never')],
      maxRunTime: 600,
      resources: { memoryMB: 32 },
    };
    const run = await runWithPlugins({ plugins: [maxRunTimePlugin], payload, engine });
    assert.equal(run.resolution.kind, 'failed', run.log);
    assert.match(run.resolution.kind === 'failed' ? run.resolution.reason : '', /ran out of memory/);
    assert.match(
      run.log,
      /\[taskcluster:error\] Command 0 ran out of memory \(memory limit 32 MiB, peak usage [\d.]+ MiB\)/,
    );
    assert.match(run.log, /memory 32 MiB/);
    assert.doesNotMatch(run.log, /^never$/m);
    await assertStillServes();
  });

  it('kills what a command left running, daemons included, when it exits', async () => {
    const started = await run([
      sh(
        'sleep 300 & nohup sleep 301 >/dev/null 2>&1 & setsid sleep 302 </dev/null >/dev/null 2>&1 & ' +
          "(setsid sh -c 'sleep 303 &' &) ; echo started",
      ),
    ]);
    assert.equal(started.result.success, true, started.log.text);
    // Gone before dispose: with the command's PID namespace.
    assert.deepEqual(processesIn(started.ctx.taskDir), []);
    assert.deepEqual(taskCgroupPids(started.name), []);
    await started.result.dispose();
    assertGone(started);
  });

  describe('osGroups', () => {
    const group = `tcwtg${process.pid % 100000}`;
    const dir = `/etc/tcw-sandbox-group-${unique}`;
    before(async () => {
      assert.equal(spawnSync('groupadd', [group]).status, 0);
      const gid = Number(
        /^[^:]+:[^:]*:(\d+):/m.exec(
          readFileSync('/etc/group', 'utf8')
            .split('\n')
            .find((l) => l.startsWith(`${group}:`)) ?? '',
        )?.[1],
      );
      await mkdir(dir, { mode: 0o750 });
      await chown(dir, 0, gid);
      await writeFile(join(dir, 'shared'), 'for-the-group\n', { mode: 0o640 });
      await chown(join(dir, 'shared'), 0, gid);
    });
    after(async () => {
      await rm(dir, { recursive: true, force: true });
      spawnSync('groupdel', [group]);
    });

    it('adds the task user to the groups it has scopes for, and to no other', async () => {
      const read = sh(`cat ${dir}/shared || echo refused`);
      const member = await run([read], {
        payload: { osGroups: [group] },
        task: { scopes: [`generic-worker:os-group:${queue}/${group}`] },
      });
      assert.match(member.log.text, /^for-the-group$/m, member.log.text);
      await member.result.dispose();
      assertGone(member);
      const other = await run([read]);
      assert.match(other.log.text, /^refused$/m, other.log.text);
      await other.result.dispose();
    });

    it('refuses a group without its scope and an unknown group, listing both', async () => {
      const taskDir = join(workDir.path, newTaskId());
      await mkdir(taskDir);
      const payload = { command: [['true']], maxRunTime: 60, osGroups: [group, 'no-such-group-here'] };
      await assert.rejects(
        engine.prepare({
          taskId: newTaskId(),
          runId: 0,
          task: makeTask(payload),
          payload,
          taskDir,
          keepTaskDir: false,
          log: new MemoryTaskLog(),
          workerLog: silentLog(),
          signal: new AbortController().signal,
        }),
        (error) =>
          error instanceof MalformedPayloadError &&
          error.problems.length === 3 &&
          error.problems.some((p) => p.includes(`generic-worker:os-group:${queue}/${group}`)) &&
          error.problems.some((p) => p.includes('there is no group no-such-group-here')),
      );
    });
  });

  it('refuses a payload that asks for more than the worker allows', async () => {
    const payload = { command: [['true']], maxRunTime: 60, resources: { memoryMB: 1_000_000 } };
    const run = await runWithPlugins({ plugins: [maxRunTimePlugin], payload, engine });
    assert.equal(run.resolution.kind === 'exception' && run.resolution.reason, 'malformed-payload', run.log);
    assert.match(run.log, /payload\.resources\.memoryMB asks for 1000000 MiB, more than this worker allows/);
  });

  it('opens an interactive shell as the task user, in the same sandbox', async () => {
    const started = await start([sh('echo ready; exec sleep 300')]);
    await started.log.waitFor(/^ready$/m);
    const shell = await started.sandbox.openShell?.({ rows: 24, cols: 80 });
    assert.ok(shell);
    let output = '';
    shell.onData((chunk) => (output += chunk.toString()));
    shell.write(Buffer.from('echo "who=$(id -un):$(($(id -u) > 0)) host=$(hostname)"; cat /etc/shadow\n'));
    await waitUntil(
      () => /who=tcw-[^:]+:1 host=tcw-/.test(output) && /Permission denied/.test(output),
      'shell output',
    );
    assert.match(output, new RegExp(`who=${started.name}:1 host=${started.name}`));
    await shell.kill();
    await started.sandbox.kill('done');
    const result = await started.sandbox.wait();
    await result.dispose();
    assertGone(started);
  });

  it('removes what a crashed worker left (its users, cgroups and state) when the next one starts', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(new URL('./crashing-worker.ts', import.meta.url)), workDir.path],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await waitUntil(() => /^running (\S+)$/m.test(out), 'the crashing worker runs a task', 60_000);
    const name = /^running (\S+)$/m.exec(out)?.[1] ?? '';
    assert.ok(uidRecords().some((record) => record.name === name));
    // Its pool users (made ahead of time, no task yet) must go too: the task's user and at least one more.
    const ownedByChild = (): string[] =>
      uidRecords()
        .filter((record) => record.comment.includes(`owner ${child.pid}@`))
        .map((record) => record.name);
    await waitUntil(() => ownedByChild().length >= 2, 'the crashing worker has pool users', 30_000);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    // bubblewrap dies with its parent: no process of the task survives the worker.
    await waitUntil(() => taskCgroupPids(name).length === 0, 'the task died with its worker', 10_000);
    const next = await createSandboxEngine(testEngineOptions, silentLog());
    await next.dispose?.();
    assert.ok(!uidRecords().some((record) => record.name === name), 'user removed');
    const crashedTaskDir = /^task dir (\S+)$/m.exec(out)?.[1] ?? '';
    assert.ok(crashedTaskDir !== '' && !existsSync(crashedTaskDir), 'its task directory removed');
    assert.deepEqual(ownedByChild(), [], 'its pool users removed');
    assert.equal(existsSync(`/sys/fs/cgroup/pids/tc-worker/${name}`), false, 'cgroup removed');
    assert.equal(existsSync(`/sys/fs/cgroup/tc-worker/${name}`), false, 'cgroup removed');
    const state = await readdir(testEngineOptions.stateDir ?? '').catch(() => [] as string[]);
    assert.equal(state.includes(name), false, 'state removed');
  });
});
