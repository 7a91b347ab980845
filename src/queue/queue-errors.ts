// Maps what taskcluster-client rejects with to QueueRequestError, and tells transient errors from final ones.
import { QueueRequestError } from './types.js';

/** A QueueRequestError when the service answered with an HTTP error; other errors (network) unchanged. */
export function toQueueRequestError(error: unknown): unknown {
  if (error instanceof QueueRequestError) return error;
  if (error instanceof Error) {
    const { statusCode, code } = error as Error & { statusCode?: unknown; code?: unknown };
    if (typeof statusCode === 'number')
      return new QueueRequestError(
        statusCode,
        typeof code === 'string' ? code : 'UnknownError',
        error.message,
        {
          cause: error,
        },
      );
  }
  return error;
}

/** Worth retrying: no answer at all (network, timeout), 5xx, or 429. */
export function isTransientQueueError(error: unknown): boolean {
  if (error instanceof QueueRequestError) return error.statusCode >= 500 || error.statusCode === 429;
  return true;
}

/** Short text for logs (never the request, which may carry a signature). */
export function describeError(error: unknown): { message: string; statusCode?: number; code?: string } {
  if (error instanceof QueueRequestError)
    return { message: firstLine(error.message), statusCode: error.statusCode, code: error.code };
  if (error instanceof Error) {
    const code = (error as Error & { code?: unknown }).code;
    return typeof code === 'string'
      ? { message: firstLine(error.message), code }
      : { message: firstLine(error.message) };
  }
  return { message: String(error) };
}

// Taskcluster error messages append a block of request details after the first line.
function firstLine(message: string): string {
  return message.split('\n', 1)[0] ?? message;
}
