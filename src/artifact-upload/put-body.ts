// One HTTP PUT of a body of known length to a presigned URL (S3 or the embedded queue's blob store).
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** A body that can be read again for every attempt. */
export interface UploadBody {
  readonly size: number;
  open(): Readable;
}

/** The storage answered with a status other than 2xx. */
export class PutStatusError extends Error {
  constructor(
    readonly statusCode: number,
    body: string,
  ) {
    super(`PUT answered ${statusCode}${body ? `: ${body}` : ''}`);
    this.name = 'PutStatusError';
  }
}

/** Reading the body failed (the file went away): retrying would not help. */
export class BodyReadError extends Error {
  constructor(cause: unknown) {
    super(`reading the artifact failed: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.name = 'BodyReadError';
  }
}

/** A PUT whose connection stays silent this long is given up (and retried by the caller). */
const idleTimeoutMs = 120_000;

export async function putBody(
  url: string,
  body: UploadBody,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<void> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const request = send(target, {
    method: 'PUT',
    headers: { ...headers, 'content-length': String(body.size) },
    signal,
  });
  request.setTimeout(idleTimeoutMs, () =>
    request.destroy(new Error(`storage did not answer for ${idleTimeoutMs / 1000} seconds`)),
  );
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    request.once('response', resolve);
    request.once('error', reject);
  });
  const source = body.open();
  let readError: unknown;
  source.once('error', (error) => (readError ??= error));
  // Its failures surface through the response (the request is destroyed with the error).
  const sent = pipeline(source, request).catch(() => undefined);
  let answer: IncomingMessage;
  try {
    answer = await response;
  } catch (error) {
    await sent;
    if (readError !== undefined) throw new BodyReadError(readError);
    throw error;
  }
  const status = answer.statusCode ?? 0;
  if (status < 200 || status >= 300) {
    // Storage may answer before it read the whole body; stop sending.
    source.destroy();
    const text = await readText(answer);
    request.destroy();
    await sent;
    throw new PutStatusError(status, text);
  }
  answer.resume();
  await sent;
  if (readError !== undefined) throw new BodyReadError(readError);
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
  return text.slice(0, limit).trim();
}
