// A queue and workers as a user runs them: `tc-worker queue` and `tc-worker work` child processes
// (from dist/, built by the test command), driven through the official taskcluster-client.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import tc from 'taskcluster-client';
import { readRootClientFile } from '../../src/local-queue/index.js';

export interface Credentials {
  clientId: string;
  accessToken: string;
}

/**
 * The root client of each queue startQueue started, by rootUrl: workers and downloads of tests that do not
 * care about scopes use it, so the tests read as before authentication.
 */
const rootCredentials = new Map<string, Credentials>();

export function rootCredentialsOf(rootUrl: string): Credentials {
  const credentials = rootCredentials.get(rootUrl);
  if (!credentials) throw new Error(`no queue started by startQueue serves ${rootUrl}`);
  return credentials;
}

export const binPath = fileURLToPath(new URL('../../bin/tc-worker.js', import.meta.url));

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `tcw-${prefix}-`));
}

/** A child process of the CLI whose output is kept for assertions and failure messages. */
export class CliProcess {
  readonly child: ChildProcess;
  output = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(args: string[], env: Record<string, string> = {}) {
    // TCW_CHILD_NODE_FLAGS: node flags for the queue and worker processes (e.g. `--cpu-prof` when profiling
    // a benchmark).
    const nodeFlags = (process.env.TCW_CHILD_NODE_FLAGS ?? '').split(' ').filter(Boolean);
    this.child = spawn(process.execPath, [...nodeFlags, binPath, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer): void => {
      this.output += chunk.toString();
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.exited = once(this.child, 'exit').then(([code, signal]) => ({
      code: code as number | null,
      signal: signal as NodeJS.Signals | null,
    }));
  }

  /** Waits until the output matches (or the process exits, which fails with its output). */
  async waitFor(pattern: RegExp, timeoutMs = 20_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = this.output.match(pattern);
      if (match) return match;
      if (this.child.exitCode !== null || this.child.signalCode !== null || Date.now() > deadline) {
        throw new Error(
          `no ${String(pattern)} in the output of tc-worker ${this.child.spawnargs.slice(2).join(' ')}:\n${this.output}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.kill('SIGTERM');
    const timer = setTimeout(() => this.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(timer);
  }
}

export interface QueueHandle {
  process: CliProcess;
  rootUrl: string;
  dataDir: string;
  /** The queue's root client (every scope), as the queue wrote it to the data dir. */
  credentials: Credentials;
  /** A client with the root credentials. */
  client: InstanceType<typeof tc.Queue>;
  stop(): Promise<void>;
}

/** Starts `tc-worker queue` on a free port (or `port`) and waits until it answers ping. */
export async function startQueue(
  options: {
    dataDir?: string;
    claimTimeout?: number;
    port?: number;
    /** More `tc-worker queue` flags (e.g. an S3 artifact store). */
    args?: string[];
    env?: Record<string, string>;
  } = {},
): Promise<QueueHandle> {
  const dataDir = options.dataDir ?? tempDir('queue');
  const args = ['queue', '--host', '127.0.0.1', '--port', String(options.port ?? 0), '--data-dir', dataDir];
  if (options.claimTimeout !== undefined) args.push('--claim-timeout', String(options.claimTimeout));
  args.push(...(options.args ?? []));
  const proc = new CliProcess(args, options.env);
  const [rootUrl] = await proc.waitFor(/http:\/\/127\.0\.0\.1:\d+/);
  // Written before the queue listens, so it is there once the root URL is printed.
  const credentials = readRootClientFile(dataDir);
  if (!credentials) throw new Error(`the queue wrote no root client to ${dataDir}:\n${proc.output}`);
  rootCredentials.set(rootUrl, credentials);
  const client = new tc.Queue({ rootUrl, retries: 2, credentials });
  await client.ping();
  return { process: proc, rootUrl, dataDir, credentials, client, stop: () => proc.stop() };
}

export interface WorkerOptions {
  rootUrl: string;
  /** The worker's own credentials; by default the root client of the queue startQueue started there. */
  credentials?: Credentials;
  taskQueueId: string;
  workerId?: string;
  capacity?: number;
  maxTaskRunTime?: number;
  shutdownGracePeriod?: number;
  extra?: Record<string, unknown>;
}

/** Starts `tc-worker work` with a config file written for it; waits until it logs that it is claiming. */
export function startWorker(options: WorkerOptions): CliProcess {
  const dir = tempDir('worker');
  // Searchable like a real workDir's parents, so that the sandbox engine's task users reach their runs.
  chmodSync(dir, 0o711);
  const workDir = join(dir, 'tasks');
  mkdirSync(workDir);
  const config = {
    rootUrl: options.rootUrl,
    credentials: options.credentials ?? rootCredentialsOf(options.rootUrl),
    taskQueueId: options.taskQueueId,
    workerGroup: 'test-group',
    workerId: options.workerId ?? 'test-worker-1',
    capacity: options.capacity ?? 1,
    workDir,
    engine: 'process',
    maxTaskRunTime: options.maxTaskRunTime ?? 600,
    ...(options.shutdownGracePeriod !== undefined
      ? { shutdownGracePeriod: options.shutdownGracePeriod }
      : {}),
    ...options.extra,
  };
  const configPath = join(dir, 'worker.json');
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  return new CliProcess(['work', '--config', configPath]);
}

let queueCounter = 0;
/** A task queue id no other test uses, so tests sharing a queue never take each other's tasks. */
export function uniqueTaskQueueId(): string {
  queueCounter += 1;
  return `test-prov/wt-${process.pid}-${queueCounter}-${Math.random().toString(36).slice(2, 8)}`;
}

export async function createTask(
  queue: InstanceType<typeof tc.Queue>,
  taskQueueId: string,
  payload: Record<string, unknown>,
  overrides: Record<string, unknown> = {},
): Promise<string> {
  const taskId = tc.slugid();
  await queue.createTask(taskId, {
    taskQueueId,
    created: new Date().toISOString(),
    deadline: tc.fromNowJSON('1 hour'),
    expires: tc.fromNowJSON('1 day'),
    payload,
    metadata: {
      name: 'test task',
      description: 'integration test',
      owner: 'tests@example.com',
      source: 'https://example.com/tests',
    },
    ...overrides,
  });
  return taskId;
}

export type TaskStatus = {
  state: string;
  runs: Array<{
    runId: number;
    state: string;
    reasonCreated: string;
    reasonResolved?: string;
    workerId?: string;
  }>;
};

/** Polls the status every `pollMs` until `done(status)` holds (default: resolved), failing after `timeoutMs`. */
export async function waitForStatus(
  queue: InstanceType<typeof tc.Queue>,
  taskId: string,
  done: (status: TaskStatus) => boolean = (s) => ['completed', 'failed', 'exception'].includes(s.state),
  timeoutMs = 60_000,
  pollMs = 50,
): Promise<TaskStatus> {
  const deadline = Date.now() + timeoutMs;
  let status: TaskStatus | undefined;
  while (Date.now() < deadline) {
    status = ((await queue.status(taskId)) as { status: TaskStatus }).status;
    if (done(status)) return status;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  throw new Error(`task ${taskId} did not reach the expected state; last status: ${JSON.stringify(status)}`);
}

/** Downloads an artifact of a run through getArtifact (303 redirect followed), decoded. */
export async function fetchArtifact(
  rootUrl: string,
  taskId: string,
  runId: number,
  name: string,
  init: RequestInit = {},
): Promise<Response> {
  // Signed when the root client is known, so that private artifacts can be read too.
  const credentials = rootCredentials.get(rootUrl);
  if (!credentials) {
    const queue = new tc.Queue({ rootUrl });
    return fetch(queue.externalBuildUrl(queue.getArtifact, taskId, runId, name), init);
  }
  const queue = new tc.Queue({ rootUrl, credentials });
  // Signed afresh each time: a signed URL expires.
  return fetch(queue.externalBuildSignedUrl(queue.getArtifact, taskId, runId, name), init);
}

export async function taskLog(rootUrl: string, taskId: string, runId = 0): Promise<string> {
  const response = await fetchArtifact(rootUrl, taskId, runId, 'public/logs/live_backing.log');
  if (!response.ok) throw new Error(`backing log of ${taskId}/${runId}: HTTP ${response.status}`);
  return response.text();
}

/**
 * Polls getArtifact (run 0) until `name` redirects to where `accepted` says (by default one of the worker's
 * hooks: the live log while it runs) and returns that location.
 */
export async function referenceUrlOf(
  rootUrl: string,
  taskId: string,
  name: string,
  options: { timeoutMs?: number; accepted?: (location: string) => boolean } = {},
): Promise<string> {
  const { timeoutMs = 60_000, accepted = (location) => location.includes('/hooks/') } = options;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const response = await fetchArtifact(rootUrl, taskId, 0, name, { redirect: 'manual' });
    await response.body?.cancel();
    const location = response.headers.get('location');
    if (response.status === 303 && location !== null && accepted(location)) return location;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${name} of ${taskId} did not become the expected reference within ${timeoutMs} ms`);
}
