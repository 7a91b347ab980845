// Starts and kills the queue in a child process (see local-queue-process.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const launcher = fileURLToPath(new URL('./local-queue-process.ts', import.meta.url));

export interface QueueProcess {
  rootUrl: string;
  child: ChildProcess;
  /** SIGKILL, no cleanup at all: what a crash or power cut looks like to the queue. */
  kill(): Promise<void>;
}

export function startQueueProcess(options: Record<string, unknown>): Promise<QueueProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', launcher, JSON.stringify(options)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`queue process did not start: ${output}`)), 30000);
    child.once('exit', (code) => reject(new Error(`queue process exited with ${code}: ${output}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /READY (\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve({
          rootUrl: match[1],
          child,
          kill: async () => {
            child.kill('SIGKILL');
            await exited;
          },
        });
      }
    });
  });
}
