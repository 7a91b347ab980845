// Calls to the queue for artifacts. The client retries 5xx and network errors itself; what is left of them
// is a service the worker could not get past (exception/resource-unavailable).
import { ResourceUnavailableError } from '../errors.js';
import { QueueRequestError } from '../queue/types.js';

export async function callQueue<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isTransient(error))
      throw new ResourceUnavailableError(`${what} failed: ${messageOf(error)}`, { cause: error });
    throw error;
  }
}

/** True for errors a later retry could get past: no answer at all, 5xx, 429. */
export function isTransient(error: unknown): boolean {
  const status = statusOf(error);
  if (status !== undefined) return status >= 500 || status === 429;
  // No answer (network); a bug in the worker is not the service's trouble.
  return !(error instanceof TypeError || error instanceof RangeError || error instanceof ReferenceError);
}

/** The HTTP status of a QueueRequestError or a taskcluster-client error, if the service answered. */
export function statusOf(error: unknown): number | undefined {
  if (error instanceof QueueRequestError) return error.statusCode;
  const status = (error as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

export function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  // Taskcluster error messages append a block of request details after the first line.
  return text.split('\n', 1)[0] ?? text;
}
