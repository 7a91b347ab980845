// Reads a live log over HTTP the way a viewer does, keeping every byte in arrival order, with helpers to
// wait for content and to stall (pause the socket) for the slow-reader cases.
import { request, type IncomingMessage } from 'node:http';

export interface LiveReader {
  readonly response: IncomingMessage;
  /** Every byte received so far. */
  received(): Buffer;
  /** Resolves once the received text contains `text` (fails after `timeoutMs`). */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
  /** Resolves with all bytes once the response ended. */
  done: Promise<Buffer>;
  pause(): void;
  resume(): void;
  destroy(): void;
}

/** Opens a GET (following no redirects: give it the hook URL) with optional extra headers. */
export function openLiveReader(url: string, headers: Record<string, string> = {}): Promise<LiveReader> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers });
    req.on('error', reject);
    req.on('response', (response) => {
      const chunks: Buffer[] = [];
      const waiters = new Set<() => void>();
      response.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        for (const waiter of [...waiters]) waiter();
      });
      const done = new Promise<Buffer>((resolveDone, rejectDone) => {
        response.on('end', () => resolveDone(Buffer.concat(chunks)));
        response.on('error', rejectDone);
        response.on('aborted', () => rejectDone(new Error('response aborted')));
      });
      done.catch(() => undefined);
      const received = (): Buffer => Buffer.concat(chunks);
      resolve({
        response,
        received,
        done,
        waitFor: (text, timeoutMs = 30_000) =>
          new Promise<void>((ok, fail) => {
            const check = (): void => {
              if (!received().toString().includes(text)) return;
              waiters.delete(check);
              clearTimeout(timer);
              ok();
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              fail(new Error(`no ${JSON.stringify(text)} in the live log after ${timeoutMs} ms`));
            }, timeoutMs);
            waiters.add(check);
            check();
          }),
        pause: () => {
          response.pause();
          response.socket.pause();
        },
        resume: () => {
          response.socket.resume();
          response.resume();
        },
        destroy: () => {
          req.destroy();
        },
      });
    });
    req.end();
  });
}
