// The docker engine's cost: trivial tasks (`true` in local/busybox) through the queue and a worker with
// `engine: docker`, against a raw `docker run --rm` of the same image and command, in the same run (target:
// within 1.3x). Where no Docker daemon can be started it says so and measures nothing.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { QueueHandle } from '../test/helpers/cluster.js';
import { throughWorker } from './through-worker.js';

const startScript = fileURLToPath(new URL('../scripts/services/start-docker.sh', import.meta.url));
const image = 'local/busybox:latest';
const ms = (value: number): string => `${value.toFixed(1)} ms`;

function dockerRun(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', ['run', '--rm', '--network', 'none', image, 'true'], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`docker run exited ${code}`))));
  });
}

/** Milliseconds per `docker run --rm`, one after another. */
async function rawDockerRuns(count: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < count; i++) await dockerRun();
  return (performance.now() - started) / count;
}

export async function benchDocker(queue: QueueHandle, tasks: number): Promise<string[]> {
  const start = spawnSync('bash', [startScript], { encoding: 'utf8' });
  if (start.status !== 0)
    return [`docker engine: not measured: ${start.stderr.trim().split('\n').at(-1) ?? 'no Docker daemon'}`];
  const socket = /^DOCKER_SOCKET=(.+)$/m.exec(start.stdout)?.[1] ?? '/var/run/docker.sock';
  // A container costs about half a second: fewer tasks than the other benchmarks, the same for both sides.
  const count = Math.max(5, Math.min(tasks, Number(process.env.BENCH_DOCKER_TASKS ?? 30)));
  const config = { engine: 'docker', docker: { socket, network: 'none', imageGc: { keepImages: [image] } } };
  const payload = { image, command: ['true'], maxRunTime: 60 };
  // Warm up both paths (the image's layers, the daemon's caches, the worker's start).
  await rawDockerRuns(3);
  await throughWorker(queue, 3, 1, config, payload);
  const raw = await rawDockerRuns(count);
  const worker = await throughWorker(queue, count, 1, config, payload);
  return [
    `docker engine, capacity 1 (${count} tasks): ${ms(worker)}/task through the worker against ` +
      `${ms(raw)}/task for \`docker run --rm\` of the same image; ratio ${(worker / raw).toFixed(2)}x (target: within 1.3x)`,
  ];
}

/** Prints the docker engine's lines (`npm run bench` calls it last; BENCH_SKIP_DOCKER=1 skips it). */
export async function printBench(queue: QueueHandle, tasks: number): Promise<void> {
  for (const line of await benchDocker(queue, tasks)) console.log(line);
}
