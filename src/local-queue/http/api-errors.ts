// Renders errors in Taskcluster's body shape, with the message trailer the real services append.
import { QueueError } from '../errors.js';

export interface RequestInfo {
  method: string;
  params: Record<string, string>;
  payload: unknown;
  time: string;
}

export interface ErrorBody {
  code: string;
  message: string;
  requestInfo: RequestInfo;
}

export function errorBody(error: QueueError, info: Omit<RequestInfo, 'time'>, now: number): ErrorBody {
  const time = new Date(now).toJSON();
  const message =
    `${error.message}\n\n---\n\n* method:     ${info.method}\n* errorCode:  ${error.code}\n` +
    `* statusCode: ${error.statusCode}\n* time:       ${time}`;
  return { code: error.code, message, requestInfo: { ...info, time } };
}

/** Anything that is not a QueueError is an internal error; its details stay in the log. */
export function asQueueError(error: unknown): QueueError {
  if (error instanceof QueueError) return error;
  const statusCode = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    // Fastify's own client errors (malformed JSON, body too large, ...).
    return new QueueError('InputError', error instanceof Error ? error.message : 'Bad request');
  }
  return new QueueError('InternalServerError', 'Internal Server Error');
}
