// Every call to the Docker daemon goes through here: bounded by a timeout (a stuck daemon must never hang a
// task past its max run time) and the caller's signal, and with the daemon's failures told apart from a
// task's own: a daemon that cannot be reached (socket gone, connection refused or reset, no answer in time)
// is a DockerUnavailableError, which resolves the task as exception/resource-unavailable.
import { ResourceUnavailableError } from '../../errors.js';

export class DockerUnavailableError extends ResourceUnavailableError {
  /** The daemon took too long (rather than refusing the connection). */
  readonly timedOut: boolean;
  constructor(what: string, detail: string, options?: ErrorOptions & { timedOut?: boolean }) {
    super(`the Docker daemon did not answer (${what}): ${detail}`, options);
    this.timedOut = options?.timedOut ?? false;
  }
}

/** An answer of the daemon: its HTTP status (404 no such image/container, 409 conflict, ...). */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

const connectionCodes = new Set(['ECONNREFUSED', 'ENOENT', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EAGAIN']);

/** True when the error says the daemon could not be reached at all (rather than answering an error). */
export function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && connectionCodes.has(code);
}

export interface CallOptions {
  readonly timeoutMs: number;
  /** Aborting it (the task's signal) ends the wait at once with the signal's reason. */
  readonly signal?: AbortSignal;
}

/**
 * Runs `fn` with a signal that aborts at the timeout or with `options.signal`; whichever comes first ends the
 * wait even if the daemon never answers (the request is abandoned).
 */
export async function daemonCall<T>(
  what: string,
  options: CallOptions,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  options.signal?.throwIfAborted();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const onAbort = (): void => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const bounded = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new DockerUnavailableError(what, `no answer within ${options.timeoutMs / 1000} seconds`, {
        timedOut: true,
      });
      controller.abort(error);
      reject(error);
    }, options.timeoutMs);
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason as Error), {
      once: true,
    });
  });
  try {
    return await Promise.race([fn(controller.signal), bounded]);
  } catch (error) {
    if (controller.signal.aborted) throw controller.signal.reason;
    if (isConnectionError(error)) throw new DockerUnavailableError(what, String(error), { cause: error });
    throw error;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}
