// Starts an embedded queue on 127.0.0.1 with a free port and a temporary data directory, and builds tasks.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { startLocalQueue, type LocalQueue, type LocalQueueOptions } from '../../src/local-queue/index.js';
import { tc, type QueueClient, type Json } from './local-queue-client.js';

export interface QueueFixture {
  queue: LocalQueue;
  client: QueueClient;
  dataDir: string;
  close(): Promise<void>;
}

export const silentLogger = pino({ level: process.env.LOCAL_QUEUE_TEST_LOG ?? 'silent' });

export const tempDataDir = (): string => mkdtempSync(join(tmpdir(), 'local-queue-test-'));

export async function startQueueFixture(
  options: Partial<Omit<LocalQueueOptions, 'logger'>> = {},
): Promise<QueueFixture> {
  const dataDir = options.dataDir ?? tempDataDir();
  const queue = await startLocalQueue({
    host: '127.0.0.1',
    port: 0,
    logger: silentLogger,
    ...options,
    dataDir,
  });
  // Few retries: the tests check answers, and a 5xx should fail the test rather than slow it down. The
  // root client holds every scope; tests about scopes make clients of their own.
  const { clientId, accessToken } = queue.rootClient;
  const client = new tc.Queue({ rootUrl: queue.rootUrl, retries: 1, credentials: { clientId, accessToken } });
  return {
    queue,
    client,
    dataDir,
    close: async () => {
      await queue.close();
      if (options.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

let counter = 0;

/** A unique task queue per test, so tests sharing a queue never see each other's work. */
export const uniqueTaskQueue = (): string => `test-prov/wt-${process.pid}-${++counter}`;

export function taskDefinition(
  taskQueueId: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    taskQueueId,
    created: new Date().toJSON(),
    deadline: tc.fromNow('1 hour').toJSON(),
    payload: { command: ['echo', 'hello'], maxRunTime: 60 },
    metadata: {
      name: 'local queue test',
      description: 'a test task',
      owner: 'nobody@example.com',
      source: 'https://example.com/local-queue-test',
    },
    ...overrides,
  };
}

export const worker = { workerGroup: 'test-wg', workerId: 'test-w1' };

/** Creates a task and claims it, returning the claim. */
export async function createAndClaim(
  client: QueueClient,
  taskQueueId: string,
  overrides: Record<string, unknown> = {},
): Promise<{ taskId: string; claim: Json }> {
  const taskId = tc.slugid();
  await client.createTask(taskId, taskDefinition(taskQueueId, overrides));
  const { tasks } = await client.claimWork(taskQueueId, { ...worker, tasks: 1 });
  const claim = tasks.find((t: Json) => t.status.taskId === taskId);
  if (!claim) throw new Error(`task ${taskId} was not claimed`);
  return { taskId, claim };
}

/** Polls `check` until it returns a value (generous timeout: tests assert on timestamps, not on waits). */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 15000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
