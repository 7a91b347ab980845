// Running a service's start script from tests: one start at a time per machine (a lock file that a dead
// holder does not keep), its output kept for the messages. Shared by the S3 and Docker service helpers.
import { spawn } from 'node:child_process';
import { open, readFile, rm } from 'node:fs/promises';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Holds the lock file while `fn` runs; a lock left by a process that died is taken over. */
export async function withLock<T>(lockPath: string, fn: () => Promise<T>): Promise<T> {
  const until = Date.now() + 15 * 60 * 1000;
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(await readFile(lockPath, 'utf8').catch(() => ''));
      if (Number.isSafeInteger(holder) && holder > 0 && !alive(holder)) {
        await rm(lockPath, { force: true });
        continue;
      }
      if (Date.now() > until) throw new Error(`timed out waiting for ${lockPath} (held by pid ${holder})`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lockPath, { force: true });
  }
}

export function runScript(
  script: string,
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}
