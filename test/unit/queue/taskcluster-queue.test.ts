// The adapter against a small HTTP server that answers like the real queue (bodies from tc-samples).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { isTransientQueueError } from '../../../src/queue/queue-errors.js';
import { createTaskclusterQueue } from '../../../src/queue/taskcluster-queue.js';
import { parseQueueTime } from '../../../src/queue/timestamps.js';
import { QueueRequestError, type TaskClaim, type WorkerQueue } from '../../../src/queue/types.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- recorded bodies, read field by field
const sample = (name: string): any =>
  JSON.parse(readFileSync(new URL(`../../fixtures/tc-samples/${name}.json`, import.meta.url), 'utf8'));

interface Seen {
  method: string;
  path: string;
  clientId: string | undefined;
  body: unknown;
}

type Handler = (seen: Seen, res: ServerResponse) => void;

const seen: Seen[] = [];
let handler: Handler = (_seen, res) => json(res, 404, { code: 'ResourceNotFound', message: 'no' });
let rootUrl = '';
const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  let text = '';
  req.on('data', (chunk: Buffer) => (text += chunk.toString()));
  req.on('end', () => {
    const clientId = /id="([^"]+)"/.exec(req.headers.authorization ?? '')?.[1];
    const entry = {
      method: req.method!,
      path: req.url!,
      clientId,
      body: text ? JSON.parse(text) : undefined,
    };
    seen.push(entry);
    handler(entry, res);
  });
});

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function queue(): WorkerQueue {
  return createTaskclusterQueue({
    rootUrl,
    credentials: { clientId: 'worker/w1', accessToken: 'worker-token' },
    log: pino({ level: 'silent' }),
    tuning: { retries: 0 },
  });
}

const claimResponse = sample('claimWork.response');
const claim = (): TaskClaim => structuredClone(claimResponse.tasks[0]);
const taskId = claimResponse.tasks[0].status.taskId as string;

describe('taskcluster-client queue adapter', () => {
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    rootUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  it('claims work with the worker credentials', async () => {
    seen.length = 0;
    handler = (_entry, res) => json(res, 200, claimResponse);
    const claims = await queue().claimWork(
      'realtc-prov/realtc-wt',
      { workerGroup: 'wg', workerId: 'w1', tasks: 4 },
      { signal: new AbortController().signal },
    );
    assert.equal(claims.length, 1);
    assert.equal(claims[0]!.status.taskId, taskId);
    assert.equal(seen[0]!.path, '/api/queue/v1/claim-work/realtc-prov%2Frealtc-wt');
    assert.equal(seen[0]!.clientId, 'worker/w1');
    assert.deepEqual(seen[0]!.body, { workerGroup: 'wg', workerId: 'w1', tasks: 4 });
  });

  it('answers [] at once on abort and hands late claims back as worker-shutdown', async () => {
    seen.length = 0;
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let reported: () => void = () => undefined;
    const returned = new Promise<void>((resolve) => (reported = resolve));
    handler = (entry, res) => {
      if (entry.path.includes('/claim-work/')) void held.then(() => json(res, 200, claimResponse));
      else {
        json(res, 200, sample('reportException.worker-shutdown.response'));
        reported();
      }
    };
    const controller = new AbortController();
    const pending = queue().claimWork(
      'realtc-prov/realtc-wt',
      { workerGroup: 'wg', workerId: 'w1', tasks: 1 },
      { signal: controller.signal },
    );
    while (seen.length === 0) await new Promise((resolve) => setTimeout(resolve, 2));
    controller.abort();
    assert.deepEqual(await pending, []);
    release();
    await returned;
    const report = seen.find((entry) => entry.path.endsWith('/exception'))!;
    assert.equal(report.path, `/api/queue/v1/task/${taskId}/runs/0/exception`);
    assert.deepEqual(report.body, { reason: 'worker-shutdown' });
    assert.equal(report.clientId, claimResponse.tasks[0].credentials.clientId);
  });

  it('uses the claim credentials for the run and swaps them on each reclaim', async () => {
    seen.length = 0;
    const reclaimResponse = sample('reclaimTask.response');
    reclaimResponse.credentials.clientId = 'task-client/after-reclaim';
    handler = (entry, res) => {
      if (entry.path.endsWith('/reclaim')) json(res, 200, reclaimResponse);
      else if (entry.path.includes('/artifacts/'))
        json(res, 200, sample('createArtifact.reference.response'));
      else json(res, 200, sample('reportCompleted.response'));
    };
    const run = queue().forRun(claim());
    assert.equal(run.taskId, taskId);
    assert.equal(run.runId, 0);
    await run.createArtifact('public/logs/live.log', sample('createArtifact.reference.request'));
    const reclaimed = await run.reclaimTask();
    assert.equal(reclaimed.takenUntil, reclaimResponse.takenUntil);
    const status = await run.reportCompleted();
    assert.equal(status.state, 'completed');
    assert.deepEqual(
      seen.map((entry) => [entry.path, entry.clientId]),
      [
        [
          `/api/queue/v1/task/${taskId}/runs/0/artifacts/public%2Flogs%2Flive.log`,
          claim().credentials.clientId,
        ],
        [`/api/queue/v1/task/${taskId}/runs/0/reclaim`, claim().credentials.clientId],
        [`/api/queue/v1/task/${taskId}/runs/0/completed`, 'task-client/after-reclaim'],
      ],
    );
  });

  it('maps error answers to QueueRequestError with status and code', async () => {
    const conflict = sample('error.reclaim-after-resolve');
    handler = (_entry, res) => json(res, conflict.statusCode, conflict.body);
    const error = await queue()
      .forRun(claim())
      .reclaimTask()
      .then(
        () => assert.fail('expected a rejection'),
        (caught: unknown) => caught,
      );
    assert.ok(error instanceof QueueRequestError);
    assert.equal(error.statusCode, 409);
    assert.equal(error.code, 'RequestConflict');
    assert.ok(error.isConflict);
    assert.equal(isTransientQueueError(error), false);

    handler = (_entry, res) => json(res, 500, { code: 'InternalServerError', message: 'boom' });
    const serverError = await queue()
      .forRun(claim())
      .reportFailed()
      .catch((caught: unknown) => caught);
    assert.ok(serverError instanceof QueueRequestError);
    assert.equal(serverError.statusCode, 500);
    assert.equal(isTransientQueueError(serverError), true);
  });

  it('leaves network errors as they are: transient', async () => {
    const unreachable = createTaskclusterQueue({
      rootUrl: 'http://127.0.0.1:1',
      credentials: { clientId: 'worker/w1', accessToken: 'worker-token' },
      log: pino({ level: 'silent' }),
      tuning: { retries: 0 },
    });
    const error = await unreachable
      .claimWork(
        'p/w',
        { workerGroup: 'wg', workerId: 'w1', tasks: 1 },
        { signal: new AbortController().signal },
      )
      .catch((caught: unknown) => caught);
    assert.ok(error instanceof Error);
    assert.ok(!(error instanceof QueueRequestError));
    assert.equal(isTransientQueueError(error), true);
  });
});

describe('queue timestamps', () => {
  it('parses takenUntil written with Z or +00:00', () => {
    const expected = Date.UTC(2026, 11, 1, 7, 48, 13, 427);
    assert.equal(parseQueueTime('2026-12-01T07:48:13.427Z'), expected);
    assert.equal(parseQueueTime('2026-12-01T07:48:13.427+00:00'), expected);
    assert.equal(parseQueueTime(claimResponse.tasks[0].takenUntil), expected);
    assert.equal(parseQueueTime('2026-12-01T08:48:13.427+01:00'), expected);
    assert.throws(() => parseQueueTime('2026-12-01 07:48'), /ISO 8601/);
    assert.throws(() => parseQueueTime('2026-12-01T07:48:13'), /time zone/);
  });
});
