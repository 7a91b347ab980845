// Process checks for tests: whether a pid is still alive, and waiting for one to die.
import { readFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie still answers signal 0; it has stopped running all the same.
  try {
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Reads the pids a task wrote into a file (one per line) once the file exists and is complete. */
export async function readPids(path: string, count: number): Promise<number[]> {
  let pids: number[] = [];
  await waitUntil(() => {
    if (!existsSync(path)) return false;
    pids = readFileSync(path, 'utf8').split('\n').filter(Boolean).map(Number);
    return pids.length >= count;
  }, `${count} pids in ${path}`);
  return pids;
}

/** A TCP port that was free a moment ago (for a queue that must restart on the same port). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
