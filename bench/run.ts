// `npm run bench`: the worker's overhead against a baseline measured in the same run on the same machine.
// Figures are ratios and differences against that baseline, never absolute targets: the machine is shared.
import { benchArtifacts } from './artifacts.js';
import { benchLiveLog } from './live-log.js';
import { benchSandbox } from './sandbox.js';
import { throughWorker } from './through-worker.js';
import { spawn } from 'node:child_process';
import {
  createTask,
  startQueue,
  startWorker,
  taskLog,
  uniqueTaskQueueId,
  waitForStatus,
  type QueueHandle,
} from '../test/helpers/cluster.js';

const tasks = Number(process.env.BENCH_TASKS ?? 200);
const latencySamples = Number(process.env.BENCH_LATENCY_SAMPLES ?? 50);

function spawnOnce(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', () => resolve());
  });
}

/** Milliseconds per task when `parallel` loops spawn `true` directly, `count` times in all. */
async function directSpawn(count: number, parallel: number): Promise<number> {
  const started = performance.now();
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      for (let i = 0; i < count / parallel; i++) await spawnOnce('true', []);
    }),
  );
  return (performance.now() - started) / count;
}

/** createTask to process start with the worker idle in claimWork, in milliseconds. */
async function claimLatency(queue: QueueHandle, samples: number): Promise<number[]> {
  const taskQueueId = uniqueTaskQueueId();
  const worker = startWorker({ rootUrl: queue.rootUrl, taskQueueId, capacity: 1 });
  try {
    const latencies: number[] = [];
    for (let i = 0; i < samples + 3; i++) {
      // Let the worker settle back into its long-poll.
      await new Promise((resolve) => setTimeout(resolve, 100));
      const before = Date.now() * 1e6;
      const id = await createTask(queue.client, taskQueueId, {
        command: [['date', '+%s%N']],
        maxRunTime: 60,
      });
      await waitForStatus(queue.client, id, undefined, 60_000);
      const started = Number(/^(\d{19})$/m.exec(await taskLog(queue.rootUrl, id))?.[1]);
      if (i >= 3) latencies.push((started - before) / 1e6);
    }
    return latencies;
  } finally {
    await worker.stop();
  }
}

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};
const ms = (value: number): string => `${value.toFixed(2)} ms`;

console.log(
  `tc-worker benchmark: ${tasks} trivial tasks (\`true\`) per configuration, ${latencySamples} latency samples`,
);
const queue = await startQueue();
try {
  // Warm up the queue, the worker start path and the file cache.
  await throughWorker(queue, 10, 1);
  for (const capacity of [1, 8]) {
    const baseline = await directSpawn(tasks, capacity);
    const system = await throughWorker(queue, tasks, capacity);
    console.log(
      `capacity ${capacity}: worker ${ms(system)}/task (${(1000 / system).toFixed(1)} tasks/s), ` +
        `direct spawn ${ms(baseline)}/task (${(1000 / baseline).toFixed(1)} tasks/s); ` +
        `overhead ${ms(system - baseline)}/task, ratio ${(system / baseline).toFixed(2)}x`,
    );
  }
  const latencies = await claimLatency(queue, latencySamples);
  console.log(
    `claim latency (createTask -> process start, worker idle in claimWork): p50 ${ms(percentile(latencies, 50))}, p99 ${ms(percentile(latencies, 99))}`,
  );
  console.log(`targets: capacity-1 overhead within 10 ms of direct spawn; claim latency p50 under 20 ms`);
  if (process.env.BENCH_SKIP_SANDBOX !== '1')
    for (const line of await benchSandbox(queue, tasks)) console.log(line);
  if (process.env.BENCH_SKIP_ARTIFACTS !== '1') for (const line of await benchArtifacts()) console.log(line);
  if (process.env.BENCH_SKIP_LIVE_LOG !== '1') for (const line of await benchLiveLog()) console.log(line);
  if (process.env.BENCH_SKIP_DOCKER !== '1') await (await import('./docker.js')).printBench(queue, tasks);
} finally {
  await queue.stop();
}
