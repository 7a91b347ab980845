// The sandbox engine's cost: trivial tasks through the queue with `engine: sandbox` against the same tasks
// with `engine: process`, in the same run (target: under 25 ms more per task), and its capacity-8 throughput.
// Where the engine cannot run (not root, no bubblewrap, no cgroups) it says so and measures nothing.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { QueueHandle } from '../test/helpers/cluster.js';
import { throughWorker } from './through-worker.js';

const installScript = fileURLToPath(new URL('../scripts/services/install-sandbox.sh', import.meta.url));
const ms = (value: number): string => `${value.toFixed(2)} ms`;

export async function benchSandbox(queue: QueueHandle, tasks: number): Promise<string[]> {
  const install = spawnSync('bash', [installScript], { encoding: 'utf8' });
  if (install.status !== 0)
    return [`sandbox engine: not measured: ${install.stderr.trim().split('\n').at(-1) ?? 'cannot install'}`];
  const sandbox = { engine: 'sandbox' };
  // Warm up: the first sandbox task pays for loading what bubblewrap needs and for building the helpers.
  await throughWorker(queue, 5, 1, sandbox);
  const processMs = await throughWorker(queue, tasks, 1, { engine: 'process' });
  const sandboxMs = await throughWorker(queue, tasks, 1, sandbox);
  const sandbox8 = await throughWorker(queue, tasks, 8, sandbox);
  return [
    `sandbox engine, capacity 1: ${ms(sandboxMs)}/task against ${ms(processMs)}/task for the process engine; ` +
      `${ms(sandboxMs - processMs)} more per task (target: under 25 ms)`,
    `sandbox engine, capacity 8: ${ms(sandbox8)}/task (${(1000 / sandbox8).toFixed(1)} tasks/s)`,
  ];
}
