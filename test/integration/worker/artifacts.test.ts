// Artifacts end to end: a real worker publishing to the embedded queue, read back through taskcluster-client
// and plain HTTP, with every storage the queue offers: its own file store, the object service, and a real S3
// server (radosgw) that checks signatures.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import {
  createTask,
  startQueue,
  startWorker,
  taskLog,
  uniqueTaskQueueId,
  waitForStatus,
  type CliProcess,
  type QueueHandle,
} from '../../helpers/cluster.js';
import { rawGet } from '../../helpers/local-queue-http.js';
import { s3Service } from '../../helpers/s3-service.js';

const s3 = await s3Service();

/** Writes a small tree of files, a root-only file outside the task directory, and links out of it. */
const makeFiles = [
  'sh',
  '-c',
  [
    'mkdir -p out/sub public',
    'echo "plain text" > out/a.txt',
    'echo \'{"k": 1}\' > out/sub/b.json',
    'printf "\\211PNG" > out/c.png',
    'echo "custom" > public/custom.bin',
    'ln -s /etc/passwd public/escape.txt',
    'ln -s ../.. public/up',
  ].join(' && '),
];

const payload = {
  command: [makeFiles],
  maxRunTime: 60,
  artifacts: [
    { type: 'directory', path: 'out', name: 'public/out' },
    { type: 'file', path: 'public/custom.bin', contentType: 'text/x-custom', contentEncoding: 'identity' },
    { type: 'file', path: 'missing.txt', name: 'public/optional-missing.txt', optional: true },
    { type: 'file', path: 'public/escape.txt', optional: true },
  ],
};

interface Raw {
  status: number;
  header(name: string): string | undefined;
  body: Buffer;
}

/** The artifact's bytes as stored (no decoding), following the queue's 303 by hand. */
async function rawArtifact(queue: QueueHandle, taskId: string, name: string): Promise<Raw> {
  const url = queue.client.externalBuildUrl(queue.client.getArtifact, taskId, 0, name);
  const response = await fetch(url, { redirect: 'manual' });
  const location = response.headers.get('location');
  assert.equal(response.status, 303, `getArtifact ${name}`);
  assert.ok(location, `303 without Location for ${name}`);
  // fetch would undo a gzip Content-Encoding; the assertions look at the stored bytes and headers.
  const raw = await rawGet(location);
  return { status: raw.status, header: (h) => raw.headers[h] as string | undefined, body: raw.body };
}

const decoded = (raw: Raw): string =>
  (raw.header('content-encoding') === 'gzip' ? gunzipSync(raw.body) : raw.body).toString();

function artifactSuite(
  title: string,
  setup: {
    queueArgs?: () => string[];
    queueEnv?: Record<string, string>;
    workerExtra?: Record<string, unknown>;
  },
  skip: string | false = false,
): void {
  describe(title, { timeout: 120_000, skip }, () => {
    let queue: QueueHandle;
    let worker: CliProcess;
    const taskQueueId = uniqueTaskQueueId();
    let taskId: string;

    before(async () => {
      queue = await startQueue({ args: setup.queueArgs?.() ?? [], env: setup.queueEnv ?? {} });
      worker = startWorker({
        rootUrl: queue.rootUrl,
        taskQueueId,
        capacity: 2,
        extra: setup.workerExtra ?? {},
      });
      taskId = await createTask(queue.client, taskQueueId, payload);
      const status = await waitForStatus(queue.client, taskId);
      assert.equal(
        status.state,
        'completed',
        `${await taskLog(queue.rootUrl, taskId)}\n${worker.output.slice(-3000)}`,
      );
    });
    after(async () => {
      await worker?.stop();
      await queue?.stop();
    });

    it('publishes a directory as one artifact per file, with content types by extension', async () => {
      const text = await rawArtifact(queue, taskId, 'public/out/a.txt');
      assert.equal(text.status, 200);
      assert.equal(text.header('content-type'), 'text/plain; charset=utf-8');
      assert.equal(decoded(text), 'plain text\n');
      const json = await rawArtifact(queue, taskId, 'public/out/sub/b.json');
      assert.equal(json.header('content-type'), 'application/json');
      assert.deepEqual(JSON.parse(decoded(json)), { k: 1 });
      const png = await rawArtifact(queue, taskId, 'public/out/c.png');
      assert.equal(png.header('content-type'), 'image/png');
      assert.equal(png.body.toString('latin1'), '\x89PNG');
    });

    it('honours an explicit content type and encoding', async () => {
      const custom = await rawArtifact(queue, taskId, 'public/custom.bin');
      assert.equal(custom.header('content-type'), 'text/x-custom');
      assert.notEqual(custom.header('content-encoding'), 'gzip');
      assert.equal(custom.body.toString(), 'custom\n');
    });

    it('turns a missing optional file and a link out of the task directory into error artifacts', async () => {
      for (const name of ['public/optional-missing.txt', 'public/escape.txt']) {
        const response = await fetch(
          queue.client.externalBuildUrl(queue.client.getArtifact, taskId, 0, name),
          {
            redirect: 'manual',
          },
        );
        assert.equal(response.status, 424, name);
      }
      const { artifacts } = (await queue.client.listArtifacts(taskId, 0)) as {
        artifacts: Array<{ name: string; storageType: string }>;
      };
      const byName = new Map(artifacts.map((a) => [a.name, a.storageType]));
      assert.equal(byName.get('public/escape.txt'), 'error');
      assert.equal(byName.get('public/logs/live_backing.log') !== undefined, true);
      assert.equal(byName.get('public/logs/live.log'), 'link');
      // Nothing of the passwd file was published.
      assert.ok(
        ![...byName.keys()].some((name) => name.startsWith('public/up')),
        [...byName.keys()].join(', '),
      );
    });

    it('serves the backing log gzip-encoded as text/plain', async () => {
      const log = await rawArtifact(queue, taskId, 'public/logs/live_backing.log');
      assert.equal(log.header('content-type'), 'text/plain; charset=utf-8');
      assert.match(decoded(log), /=== Task Finished ===/);
    });
  });
}

artifactSuite('artifacts on the queue file store (s3 storage type)', {});
artifactSuite('artifacts through the object service (object storage type)', {
  workerExtra: { artifacts: { storageType: 'object' } },
});
artifactSuite(
  'artifacts in a real S3 server (radosgw)',
  {
    queueArgs: () => {
      if ('skip' in s3) return [];
      return [
        '--artifact-store',
        `s3://tcw-e2e-${process.pid}-${Date.now()}`,
        '--s3-endpoint',
        s3.endpoint,
        '--s3-region',
        s3.region,
      ];
    },
    queueEnv:
      'skip' in s3
        ? {}
        : {
            AWS_ACCESS_KEY_ID: s3.accessKeyId,
            AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
            AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          },
  },
  'skip' in s3 ? s3.skip : false,
);

describe('malformed artifact entries', { timeout: 60_000 }, () => {
  it('a name with `..` is malformed-payload, and the log says which entry and why', async () => {
    const queue = await startQueue();
    const taskQueueId = uniqueTaskQueueId();
    const worker = startWorker({ rootUrl: queue.rootUrl, taskQueueId });
    try {
      const taskId = await createTask(queue.client, taskQueueId, {
        command: [['true']],
        maxRunTime: 30,
        artifacts: [{ type: 'file', path: 'a.txt', name: 'public/../secret.txt' }],
      });
      const status = await waitForStatus(queue.client, taskId);
      const log = await taskLog(queue.rootUrl, taskId);
      assert.equal(status.runs[0]!.reasonResolved, 'malformed-payload', log);
      assert.match(log, /\[taskcluster:error\].*public\/\.\.\/secret\.txt/);
    } finally {
      await worker.stop();
      await queue.stop();
    }
  });
});
