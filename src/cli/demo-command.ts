// `tc-worker demo`: the embedded queue and a process-engine worker in one process, and a hello-world task
// submitted to them, narrated as it goes. The structured logs go to files in the data dir so that the
// terminal shows the story.
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pino, type Logger } from 'pino';
import tc from 'taskcluster-client';
import { checkConfig } from '../config/load-config.js';
import type { Resolution } from '../errors.js';
import { startLocalQueue } from '../local-queue/index.js';
import { createWorkerLog } from '../log/worker-log.js';
import { buildWorker } from './build-worker.js';
import { exitCodes } from './exit-codes.js';
import type { CliIo } from './io.js';
import { artifactUrl, backingLogName, taskStatusUrl } from './queue-urls.js';
import type { Registry } from './registry.js';
import { showTaskOutput } from './show-task-output.js';
import { withTaskDefaults } from './task-file.js';
import { flush } from './work-command.js';

export interface DemoOptions {
  host: string;
  port: number;
  dataDir: string;
  exitAfterTask: boolean;
}

const demoTaskQueueId = 'tc-worker/demo';
const helloArtifact = 'public/hello.txt';

export const helloWorldPayload = {
  command: [
    ['sh', '-c', 'echo "hello from tc-worker on $(uname -s)"'],
    ['sh', '-c', 'mkdir -p public && echo hello world > public/hello.txt'],
  ],
  maxRunTime: 60,
  artifacts: [{ type: 'directory', path: 'public', name: 'public' }],
};

function fileLog(path: string): Logger {
  return createWorkerLog({ destination: pino.destination({ dest: path, sync: true }) });
}

export function exitCodeOf(resolution: Resolution): number {
  if (resolution.kind === 'completed') return exitCodes.ok;
  if (resolution.kind === 'failed') return exitCodes.taskFailed;
  return exitCodes.taskException;
}

export async function demoCommand(options: DemoOptions, io: CliIo, registry: Registry): Promise<number> {
  const dataDir = resolve(options.dataDir);
  const workDir = join(dataDir, 'tasks');
  await mkdir(workDir, { recursive: true });
  const queueLogPath = join(dataDir, 'queue-log.jsonl');
  const workerLogPath = join(dataDir, 'worker-log.jsonl');
  const queueLog = fileLog(queueLogPath);
  const workerLog = fileLog(workerLogPath);

  const queue = await startLocalQueue({
    host: options.host,
    port: options.port,
    dataDir: join(dataDir, 'queue'),
    logger: queueLog,
  });
  const { rootUrl } = queue;
  // One process, one person: the worker and the demo's own calls use the queue's root client.
  const credentials = { clientId: queue.rootClient.clientId, accessToken: queue.rootClient.accessToken };
  io.stdout(`queue:  ${rootUrl} (data in ${dataDir})\n`);
  io.stdout(`logs:   ${workerLogPath}, ${queueLogPath}\n`);

  const config = checkConfig(
    {
      rootUrl,
      credentials,
      taskQueueId: demoTaskQueueId,
      workerGroup: 'demo',
      workerId: 'demo-worker-1',
      capacity: 2,
      workDir,
      engine: 'process',
      maxTaskRunTime: 3600,
      shutdownGracePeriod: 30,
    },
    'demo config',
    registry,
  );
  const { worker, runtime } = await buildWorker(config, registry, workerLog);
  io.stdout(
    `worker: ${config.workerGroup}/${config.workerId}, capacity ${config.capacity}, ${config.engine} engine\n`,
  );

  const resolutions = new Map<string, (resolution: Resolution) => void>();
  worker.on('claimed', ({ taskId, runId }) => io.stdout(`claimed:  ${taskId} run ${runId}\n`));
  worker.on('started', ({ taskId, runId }) => io.stdout(`running:  ${taskId} run ${runId}\n`));
  worker.on('resolved', ({ taskId, runId, resolution, runDurationMs }) => {
    const detail = resolution.kind === 'exception' ? ` (${resolution.reason})` : '';
    io.stdout(`resolved: ${taskId} run ${runId} ${resolution.kind}${detail} in ${runDurationMs} ms\n`);
    if (resolution.kind !== 'canceled') {
      io.stdout(`  log:      ${artifactUrl(rootUrl, taskId, runId, backingLogName)}\n`);
      if (resolution.kind === 'completed')
        io.stdout(`  artifact: ${artifactUrl(rootUrl, taskId, runId, helloArtifact)}\n`);
    }
    resolutions.get(taskId)?.(resolution);
  });

  let signalCount = 0;
  let signaled: () => void = () => undefined;
  const signal = new Promise<void>((resolveSignal) => (signaled = resolveSignal));
  const stopListening = io.onShutdownSignal((count) => {
    signalCount = count;
    io.stdout(
      count === 1 ? 'stopping: letting running tasks finish (Ctrl-C again aborts them)\n' : 'aborting\n',
    );
    worker.stop({ graceful: count === 1 });
    signaled();
  });
  const workerDone = worker.run();

  let code: number = exitCodes.ok;
  try {
    const taskId = tc.slugid();
    const resolved = new Promise<Resolution>((resolveTask) => resolutions.set(taskId, resolveTask)).then(
      async (resolution) => {
        await showTaskOutput(io, { rootUrl, taskId, runId: 0, artifact: helloArtifact });
        return resolution;
      },
    );
    const client = new tc.Queue({ rootUrl, credentials });
    await client.createTask(
      taskId,
      withTaskDefaults(
        { payload: helloWorldPayload },
        { now: new Date(), name: 'hello world', taskQueueId: demoTaskQueueId },
      ),
    );
    io.stdout(`task:   ${taskId} submitted\n`);
    io.stdout(`  status:   ${taskStatusUrl(rootUrl, taskId)}\n`);
    io.stdout(`  log:      ${artifactUrl(rootUrl, taskId, 0, backingLogName)}\n`);
    io.stdout(`  artifact: ${artifactUrl(rootUrl, taskId, 0, helloArtifact)}\n`);
    if (options.exitAfterTask) {
      const outcome = await Promise.race([resolved, signal.then(() => undefined)]);
      if (outcome) code = exitCodeOf(outcome);
      worker.stop({ graceful: true });
    } else {
      io.stdout(
        'serving: submit more with `tc-worker submit FILE --root-url ' + rootUrl + '`; Ctrl-C stops\n',
      );
      await signal;
    }
    const result = await workerDone;
    if (signalCount > 0) code = result.forced ? exitCodes.forcedShutdown : exitCodes.ok;
  } catch (error) {
    io.stderr(`demo failed: ${(error as Error).message}\n`);
    worker.stop({ graceful: false });
    await workerDone.catch(() => undefined);
    code = exitCodes.fatal;
  } finally {
    stopListening();
    await runtime.dispose().catch(() => undefined);
    await queue.close();
    await Promise.all([flush(workerLog), flush(queueLog)]);
  }
  return code;
}
