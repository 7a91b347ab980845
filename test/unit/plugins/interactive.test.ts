import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createProcessEngine } from '../../../src/engines/process/process-engine.js';
import { silentLog } from '../../../src/log/worker-log.js';
import { envPlugin } from '../../../src/plugins/env/env-plugin.js';
import { interactivePlugin } from '../../../src/plugins/interactive/interactive-plugin.js';
import { shellArtifactName } from '../../../src/plugins/interactive/shell-urls.js';
import type { Resolution } from '../../../src/errors.js';
import { FakeRunArtifacts } from '../../helpers/fake-run-artifacts.js';
import { runWithPlugins } from '../../helpers/plugin-harness.js';
import { isAlive } from '../../helpers/processes.js';
import { RefusedError, ShellClient } from '../../helpers/shell-client.js';
import { tempDir, testWorker } from '../../helpers/task-fixtures.js';
import { TestWebhookServer } from '../../helpers/test-webhook-server.js';

interface InteractiveRun {
  socketUrl: string;
  pageUrl: URL;
  /** Lets the task's command exit (it waits for this). */
  release(): Promise<void>;
  result: Promise<{ resolution: Resolution; log: string }>;
  artifacts: FakeRunArtifacts;
}

let webhooks: TestWebhookServer;
let dir: { path: string; remove: () => Promise<void> };
before(async () => {
  webhooks = await TestWebhookServer.start();
  dir = await tempDir('tc-worker-interactive-');
});
after(async () => {
  await webhooks.close();
  await dir.remove();
});

let runs = 0;
/** Starts a process-engine task that waits for a release file, and waits until its shell is published. */
async function startInteractive(maxSessions = 4): Promise<InteractiveRun> {
  const releaseFile = join(dir.path, `release-${runs++}`);
  const config = { interactive: { enabled: true, maxSessions } };
  const plugin = await interactivePlugin.create({ config, log: silentLog(), worker: testWorker, webhooks });
  const artifacts = await FakeRunArtifacts.start();
  const wait = `for i in $(seq 1800); do [ -e '${releaseFile}' ] && exit 0; sleep 0.1; done; exit 1`;
  const result = runWithPlugins({
    plugins: [envPlugin, plugin],
    payload: { command: [['sh', '-c', wait]], features: { interactive: true } },
    engine: createProcessEngine(),
    artifacts,
    config,
  });
  const release = async (): Promise<void> => {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(releaseFile, '');
  };
  let ended = false;
  void result.finally(() => (ended = true)).catch(() => undefined);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const call = artifacts.calls.find((c) => c.name === shellArtifactName);
    if (call) {
      assert.equal(call.request.storageType, 'reference');
      const pageUrl = new URL(call.request.storageType === 'reference' ? call.request.url : '');
      const socketUrl = pageUrl.searchParams.get('socketUrl') ?? '';
      return { socketUrl, pageUrl, release, result, artifacts };
    }
    if (ended)
      throw new Error(`the task ended before its shell was published: ${JSON.stringify(await result)}`);
    if (Date.now() > deadline) throw new Error('the shell artifact was never created');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function finish(run: InteractiveRun): Promise<{ resolution: Resolution; log: string }> {
  await run.release();
  const result = await run.result;
  await run.artifacts.close();
  return result;
}

describe('interactive plugin', () => {
  it('publishes shell.html pointing at the UI shell page with a ws:// socket URL', async () => {
    const run = await startInteractive();
    const call = run.artifacts.calls.find((c) => c.name === shellArtifactName);
    const { resolution } = await finish(run);
    assert.deepEqual(resolution, { kind: 'completed' });
    assert.equal(`${run.pageUrl.origin}${run.pageUrl.pathname}`, 'https://tc.example.com/shell/');
    assert.equal(run.pageUrl.searchParams.get('v'), '2');
    assert.equal(run.pageUrl.searchParams.get('runId'), '0');
    assert.match(run.pageUrl.searchParams.get('taskId') ?? '', /^[\w-]{22}$/);
    assert.match(run.socketUrl, /^ws:\/\/127\.0\.0\.1:\d+\/[0-9a-f]{32}\/shell\/[0-9a-f]{32}$/);
    // encoded in the page URL, not raw
    assert.ok(
      call?.request.storageType === 'reference' &&
        call.request.url.includes(encodeURIComponent(run.socketUrl)),
    );
    assert.ok(call.request.expires.length > 0);
  });

  it('runs a real terminal: echo, resize, task directory and environment', async () => {
    const run = await startInteractive();
    const client = await ShellClient.connect(run.socketUrl);
    client.type('echo SENT1NEL\n');
    // Once echoed by the terminal, once printed by the shell.
    await client.waitFor(/SENT1NEL[\s\S]*SENT1NEL/);
    client.resize(33, 111);
    client.type('stty size\n');
    await client.waitFor(/\b33 111\b/);
    // The markers are split in the command line, so that only the shell's output matches, not the echo.
    client.type('echo "I""D:$TASK_ID DIR:$(pwd) TERM:$TERM"\n');
    const [, taskId, cwd, term] = await client.waitFor(/ID:(\S+) DIR:(\S+) TERM:(\S+)\r?\n/);
    client.type('echo "W""D:$TASK_WORKDIR"\n');
    const [, workdir] = await client.waitFor(/WD:(\S+)\r?\n/);
    assert.equal(term, 'xterm-256color');
    assert.equal(cwd, workdir);
    assert.equal(taskId, run.pageUrl.searchParams.get('taskId'));
    await client.close();
    const { resolution, log } = await finish(run);
    assert.deepEqual(resolution, { kind: 'completed' });
    assert.match(log, /Interactive shell 1 opened/);
    assert.doesNotMatch(log, /[0-9a-f]{32}/, 'the secret never reaches the task log');
  });

  it('kills the shell and what it started when the task ends', async () => {
    const run = await startInteractive();
    const client = await ShellClient.connect(run.socketUrl);
    client.type('sleep 300 & echo "PIDS:$$:$!"\n');
    const [, shellPid, childPid] = await client.waitFor(/PIDS:(\d+):(\d+)/);
    assert.ok(isAlive(Number(shellPid)) && isAlive(Number(childPid)));
    const { resolution } = await finish(run);
    assert.deepEqual(resolution, { kind: 'completed' });
    assert.equal(isAlive(Number(shellPid)), false, 'shell gone');
    assert.equal(isAlive(Number(childPid)), false, 'background job gone');
    await client.closed;
    // The hook is detached: the URL is refused now.
    await assert.rejects(
      ShellClient.connect(run.socketUrl),
      (e) => e instanceof RefusedError && e.status === 404,
    );
  });

  it('refuses a wrong secret before the upgrade', async () => {
    const run = await startInteractive();
    const wrong = run.socketUrl.replace(/[0-9a-f]{32}$/, '0'.repeat(32));
    await assert.rejects(ShellClient.connect(wrong), (e) => e instanceof RefusedError && e.status === 404);
    await assert.rejects(
      ShellClient.connect(run.socketUrl.replace(/\/shell\/.*$/, '/shell')),
      (e) => e instanceof RefusedError && e.status === 404,
    );
    assert.deepEqual((await finish(run)).resolution, { kind: 'completed' });
  });

  it('allows at most maxSessions shells at once', async () => {
    const run = await startInteractive(1);
    const first = await ShellClient.connect(run.socketUrl);
    await assert.rejects(
      ShellClient.connect(run.socketUrl),
      (e) => e instanceof RefusedError && e.status === 503,
    );
    first.type('echo STILL_HERE\n');
    await first.waitFor(/STILL_HERE[\s\S]*STILL_HERE/);
    // Once the first is closed its place is free again.
    await first.close();
    let second: ShellClient | undefined;
    const deadline = Date.now() + 60_000;
    while (!second) {
      second = await ShellClient.connect(run.socketUrl).catch((error: unknown) => {
        if (!(error instanceof RefusedError) || Date.now() > deadline) throw error;
        return new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 50));
      });
    }
    second.type('echo SECOND\n');
    await second.waitFor(/SECOND[\s\S]*SECOND/);
    assert.deepEqual((await finish(run)).resolution, { kind: 'completed' });
    await second.closed;
  });

  it('is malformed-payload when the worker does not enable it', async () => {
    for (const config of [{}, { interactive: { enabled: false } }]) {
      const plugin = await interactivePlugin.create({
        config,
        log: silentLog(),
        worker: testWorker,
        webhooks,
      });
      const run = await runWithPlugins({
        plugins: [plugin],
        payload: { features: { interactive: true } },
        config,
      });
      assert.equal(run.resolution.kind === 'exception' && run.resolution.reason, 'malformed-payload');
      assert.match(run.log, /the interactive feature is not enabled on this worker pool/);
      assert.equal(
        run.artifacts.calls.some((c) => c.name === shellArtifactName),
        false,
      );
    }
  });

  it('is malformed-payload on an engine that cannot open a shell, and the task does not run', async () => {
    const config = { interactive: { enabled: true } };
    const plugin = await interactivePlugin.create({ config, log: silentLog(), worker: testWorker, webhooks });
    const run = await runWithPlugins({
      plugins: [plugin],
      payload: { features: { interactive: true } },
      config,
    });
    assert.equal(run.resolution.kind === 'exception' && run.resolution.reason, 'malformed-payload');
    assert.match(run.log, /interactive/);
    assert.equal(run.stages.includes('started'), false);
  });

  it('does nothing for a task that does not ask for it', async () => {
    const config = { interactive: { enabled: true } };
    const plugin = await interactivePlugin.create({ config, log: silentLog(), worker: testWorker, webhooks });
    const before = webhooks.attachedCount;
    const run = await runWithPlugins({ plugins: [plugin], payload: {}, config });
    assert.deepEqual(run.resolution, { kind: 'completed' });
    assert.equal(webhooks.attachedCount, before);
    assert.equal(
      run.artifacts.calls.some((c) => c.name === shellArtifactName),
      false,
    );
  });

  it('refuses to start enabled without a webhook server', () => {
    assert.throws(
      () =>
        interactivePlugin.create({
          config: { interactive: { enabled: true } },
          log: silentLog(),
          worker: testWorker,
        }),
      /webhook server/,
    );
  });
});
