// What commands take from the process: output streams, the environment and shutdown signals. The real
// process is wired in here only; tests pass their own.

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * Calls `handler` with 1, 2, ... for each SIGTERM or SIGINT; returns a function that stops listening.
   * While it listens, the signals no longer kill the process.
   */
  readonly onShutdownSignal: (handler: (count: number, signal: string) => void) => () => void;
  /**
   * Calls `handler` for an error nothing caught (a rejected promise nobody awaited, an exception thrown from
   * a callback) instead of letting Node end the process; returns a function that stops listening.
   */
  readonly onStrayError?: (handler: (error: unknown, kind: string) => void) => () => void;
}

export function processIo(): CliIo {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    env: process.env,
    onShutdownSignal(handler) {
      let count = 0;
      const listener = (signal: NodeJS.Signals): void => handler(++count, signal);
      process.on('SIGTERM', listener);
      process.on('SIGINT', listener);
      return () => {
        process.off('SIGTERM', listener);
        process.off('SIGINT', listener);
      };
    },
    onStrayError(handler) {
      const onRejection = (reason: unknown): void => handler(reason, 'unhandledRejection');
      const onException = (error: Error): void => handler(error, 'uncaughtException');
      process.on('unhandledRejection', onRejection);
      process.on('uncaughtException', onException);
      return () => {
        process.off('unhandledRejection', onRejection);
        process.off('uncaughtException', onException);
      };
    },
  };
}
