// Trivial tasks through the embedded queue and one worker: the per-task time the benchmarks compare.
import {
  createTask,
  startWorker,
  uniqueTaskQueueId,
  waitForStatus,
  type QueueHandle,
} from '../test/helpers/cluster.js';

/** Milliseconds per task through queue and worker: tasks created first, then one worker drains them. */
export async function throughWorker(
  queue: QueueHandle,
  count: number,
  capacity: number,
  /** Worker config keys (the engine and its settings). */
  config: Record<string, unknown> = {},
  /** The trivial task (the engine's payload format): `true` by default. */
  payload: Record<string, unknown> = { command: [['true']], maxRunTime: 60 },
): Promise<number> {
  const taskQueueId = uniqueTaskQueueId();
  const ids: string[] = [];
  for (let i = 0; i < count; i += 20) {
    ids.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(20, count - i) }, () => createTask(queue.client, taskQueueId, payload)),
      )),
    );
  }
  const worker = startWorker({ rootUrl: queue.rootUrl, taskQueueId, capacity, extra: config });
  try {
    // The queue hands tasks out in order: wait for the last one, rarely asking, so that the benchmark's own
    // requests do not compete with the worker for the queue and the two cores; then read every status once.
    await waitForStatus(queue.client, ids.at(-1)!, undefined, 600_000, 250);
    const statuses = [];
    for (const id of ids) statuses.push(await waitForStatus(queue.client, id, undefined, 600_000, 250));
    const runs = statuses.map(
      (s) => s.runs[0] as unknown as { state: string; started: string; resolved: string },
    );
    const bad = runs.filter((r) => r.state !== 'completed').length;
    if (bad > 0) throw new Error(`${bad} benchmark tasks did not complete:\n${worker.output.slice(-2000)}`);
    const first = Math.min(...runs.map((r) => Date.parse(r.started)));
    const last = Math.max(...runs.map((r) => Date.parse(r.resolved)));
    // (count - 1) intervals between the first start and the last resolution, plus one task's own time.
    return (last - first) / count;
  } finally {
    await worker.stop();
  }
}
