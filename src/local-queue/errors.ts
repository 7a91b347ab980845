// The errors the Queue API answers with. Domain code throws these; the HTTP layer renders them in
// Taskcluster's body shape ({code, message, requestInfo}), so the domain never deals with HTTP.

export type QueueErrorCode =
  | 'InputError'
  | 'ResourceNotFound'
  | 'RequestConflict'
  | 'InsufficientScopes'
  | 'AuthenticationFailed'
  | 'ResourceExpired'
  | 'NoMatchingMethod'
  | 'InternalServerError';

const statusCodes: Record<QueueErrorCode, number> = {
  InputError: 400,
  AuthenticationFailed: 401,
  InsufficientScopes: 403,
  ResourceNotFound: 404,
  RequestConflict: 409,
  NoMatchingMethod: 406,
  ResourceExpired: 410,
  InternalServerError: 500,
};

export class QueueError extends Error {
  readonly code: QueueErrorCode;
  readonly statusCode: number;
  /** Structured facts behind the message, logged but not sent (the real queue does not send them either). */
  readonly details: Record<string, unknown>;

  constructor(code: QueueErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'QueueError';
    this.code = code;
    this.statusCode = statusCodes[code];
    this.details = details;
  }
}

export const inputError = (message: string, details?: Record<string, unknown>): QueueError =>
  new QueueError('InputError', message, details);
export const notFound = (message: string, details?: Record<string, unknown>): QueueError =>
  new QueueError('ResourceNotFound', message, details);
export const conflict = (message: string, details?: Record<string, unknown>): QueueError =>
  new QueueError('RequestConflict', message, details);
