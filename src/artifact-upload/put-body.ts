// One HTTP PUT of a body of known length (a presigned S3 URL, the object service's upload URL, the embedded
// queue's blob store), streamed from its source with an explicit Content-Length, optionally hashing the
// bytes on the way. Reading errors are told apart from network errors: only the latter are worth a retry.
import { createHash } from 'node:crypto';
import {
  Agent as HttpAgent,
  request as httpRequest,
  type ClientRequest,
  type IncomingMessage,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { inspect } from 'node:util';
import { BodyReadError } from './body-read-error.js';
import { ExactLength } from './exact-length.js';
import { pumpBody, type PositionalBody } from './file-pump.js';
import { offloadThreshold, Sha256Stream } from './sha256-stream.js';

export { BodyReadError };

/** A body that can be read again for every attempt. */
export interface UploadBody {
  readonly size: number;
  open(): Readable;
  /**
   * Reads up to `length` bytes at `position` into `buffer` and resolves how many it read (0 at the end).
   * Optional; files have it, and large ones are then sent through reused buffers and hashed without copies.
   */
  readonly read?: (buffer: Uint8Array, length: number, position: number) => Promise<number>;
  /** The whole body, when it is in memory (a small compressed copy): sent in one write. */
  readonly bytes?: Buffer;
}

/** The storage answered with a status other than 2xx. */
export class PutStatusError extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: string,
  ) {
    super(`storage answered ${statusCode}${body ? `: ${body}` : ''}`);
    this.name = 'PutStatusError';
  }
}

export interface PutOptions {
  readonly headers: Readonly<Record<string, string>>;
  readonly signal: AbortSignal;
  /** Compute the SHA-256 of the bytes sent. */
  readonly hash?: boolean;
  /** A connection silent this long is given up (and retried by the caller). Default 120 s. */
  readonly idleTimeoutMs?: number;
}

export interface PutResult {
  /** Hex SHA-256 of the bytes sent, when asked for. */
  readonly sha256?: string;
}

// Storage is one endpoint (S3, the embedded queue) that every upload goes to: warm connections save a
// handshake (and a TLS one) per artifact. A socket the server closed while idle fails the attempt, which the
// caller retries.
const agentOptions = { keepAlive: true, maxSockets: 64, maxFreeSockets: 16, scheduling: 'lifo' as const };
const agents = { http: new HttpAgent(agentOptions), https: new HttpsAgent(agentOptions) };

export async function putBody(url: string, body: UploadBody, options: PutOptions): Promise<PutResult> {
  const { signal } = options;
  const idleTimeoutMs = options.idleTimeoutMs ?? 120_000;
  const target = new URL(url);
  const https = target.protocol === 'https:';
  const send = https ? httpsRequest : httpRequest;
  // Header names are case-insensitive; the length is ours, whatever the caller's headers say.
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.headers)) headers[name.toLowerCase()] = value;
  headers['content-length'] = String(body.size);
  const request = send(target, { method: 'PUT', headers, signal, agent: https ? agents.https : agents.http });
  request.setTimeout(idleTimeoutMs, () =>
    request.destroy(new Error(`storage did not answer for ${idleTimeoutMs / 1000} seconds`)),
  );
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    request.once('response', resolve);
    request.once('error', reject);
  });
  // Failures are reported through the response and the sending; a second 'error' event must not crash.
  request.on('error', ignore);

  const { read } = body;
  const { sent, result, abandon } = body.bytes
    ? written(body.bytes, request, options.hash ?? false)
    : read && body.size >= offloadThreshold
      ? pumped({ size: body.size, read }, request, options.hash ?? false)
      : streamed(body, request, options.hash ?? false);

  let answer: IncomingMessage;
  try {
    answer = await response;
  } catch (error) {
    const failure = await sent;
    throw failure instanceof BodyReadError ? failure : error;
  }
  const status = answer.statusCode ?? 0;
  if (status < 200 || status >= 300) {
    // Storage may answer before it read the whole body: stop sending.
    abandon();
    const text = await readText(answer);
    request.destroy();
    await sent;
    throw new PutStatusError(status, text);
  }
  answer.resume();
  const failure = await sent;
  if (failure !== undefined) throw failure instanceof Error ? failure : new Error(inspect(failure));
  return result();
}

interface Sending {
  /** Resolves with what went wrong (a BodyReadError when reading did), or undefined. */
  readonly sent: Promise<unknown>;
  /** The digest, once sent. */
  readonly result: () => PutResult;
  /** Stops sending. */
  readonly abandon: () => void;
}

/** A body in memory: one write, hashed inline (it is small). */
function written(bytes: Buffer, request: ClientRequest, hash: boolean): Sending {
  const sha256 = hash ? createHash('sha256').update(bytes).digest('hex') : undefined;
  const sent = new Promise<unknown>((resolve) => {
    request.once('error', resolve);
    request.end(bytes, () => resolve(undefined));
  });
  return { sent, result: () => (sha256 !== undefined ? { sha256 } : {}), abandon: () => request.destroy() };
}

function pumped(body: PositionalBody, request: ClientRequest, hash: boolean): Sending {
  let sha256: string | undefined;
  const sent = pumpBody(body, request, hash).then(
    (result) => void (sha256 = result.sha256),
    (error: unknown) => error,
  );
  return { sent, result: () => (sha256 !== undefined ? { sha256 } : {}), abandon: () => request.destroy() };
}

function streamed(body: UploadBody, request: ClientRequest, hash: boolean): Sending {
  // The first stream to fail is where the trouble is: the pipeline then destroys the others with the same
  // error, so a lost connection would otherwise look like a failed read (and never be retried).
  let readError: unknown;
  let failedFirst: 'read' | 'send' | undefined;
  const onError = (side: 'read' | 'send') => (error: unknown) => {
    failedFirst ??= side;
    if (side === 'read' && failedFirst === 'read') readError ??= error;
  };
  const source = body.open();
  source.on('error', ignore);
  source.once('error', onError('read'));
  const length = new ExactLength(body.size);
  length.once('error', onError('read'));
  const hasher = hash ? new Sha256Stream(body.size) : undefined;
  hasher?.once('error', onError('send'));
  request.once('error', onError('send'));
  // Its failures surface through the response too (the request is destroyed with the error).
  const sent = pipeline([source, length, ...(hasher ? [hasher] : []), request]).then(
    () => (readError !== undefined ? new BodyReadError(readError) : undefined),
    (error: unknown) => (readError !== undefined ? new BodyReadError(readError) : error),
  );
  return {
    sent,
    result: () => (hasher ? { sha256: hasher.sha256 } : {}),
    abandon: () => source.destroy(),
  };
}

function ignore(): void {
  // Reported elsewhere.
}

async function readText(response: IncomingMessage, limit = 2048): Promise<string> {
  let text = '';
  try {
    for await (const chunk of response) {
      if (text.length < limit) text += String(chunk);
    }
  } catch {
    // The body of an error answer is only for the message.
  }
  return text.slice(0, limit).replace(/\s+/g, ' ').trim();
}
