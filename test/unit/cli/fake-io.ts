// A CliIo for tests: captured output, a given environment and signals the test sends.
import type { CliIo } from '../../../src/cli/io.js';

export interface FakeIo extends CliIo {
  out: string;
  err: string;
  /** Sends the next SIGTERM to whoever listens. */
  signal(): void;
}

export function fakeIo(env: Record<string, string> = {}): FakeIo {
  const handlers = new Set<(count: number, signal: string) => void>();
  let count = 0;
  const io: FakeIo = {
    out: '',
    err: '',
    env,
    stdout: (text) => void (io.out += text),
    stderr: (text) => void (io.err += text),
    onShutdownSignal(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    signal() {
      count += 1;
      for (const handler of handlers) handler(count, 'SIGTERM');
    },
  };
  return io;
}
