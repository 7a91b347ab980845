// The live log's HTTP endpoint: GET streams the task log from byte 0 (or from `Range: bytes=N-`) and stays
// open until the log ends; HEAD answers the headers; OPTIONS answers CORS preflights. Browsers and tools on
// other origins (the Taskcluster UI, Treeherder) read it, so CORS is open: the URL itself is the secret.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { logContentType } from '../../log/log-artifacts.js';
import type { FollowableTaskLog } from '../../log/task-log.js';
import type { HttpHookHandler } from '../../webhooks/types.js';
import { resumeOffset } from './byte-range.js';
import { followLog } from './log-follower.js';

const corsHeaders = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'Content-Range, Content-Length, Accept-Ranges',
};

export interface LiveLogEndpoint {
  readonly handler: HttpHookHandler;
  /** Readers still streaming. */
  readonly readers: number;
  /** Ends every reader that has not got the whole log within `graceMs` (called once the log ended). */
  expire(graceMs: number): void;
}

export function createLiveLogEndpoint(log: FollowableTaskLog, workerLog: Logger): LiveLogEndpoint {
  const readers = new Set<AbortController>();
  /** Set once the log ended: how long a reader still gets to take the rest. */
  let graceMs: number | undefined;
  // A reader that is still behind after the grace period is stalled; it must not hold the run's file forever.
  const abortLater = (reader: AbortController, ms: number): void =>
    void setTimeout(() => reader.abort(), ms).unref();

  const handler: HttpHookHandler = (request, response, subPath) => {
    if (subPath !== '' && subPath !== '/') return void plain(response, 404, 'not found\n');
    switch (request.method) {
      case 'OPTIONS':
        response
          .writeHead(204, {
            ...corsHeaders,
            'access-control-allow-methods': 'GET, HEAD, OPTIONS',
            'access-control-allow-headers': 'Range',
            'access-control-max-age': '86400',
          })
          .end();
        return;
      case 'GET':
      case 'HEAD':
        serve(request, response);
        return;
      default:
        response.setHeader('allow', 'GET, HEAD, OPTIONS');
        plain(response, 405, 'method not allowed\n');
    }
  };

  const serve = (request: IncomingMessage, response: ServerResponse): void => {
    const requested = resumeOffset(request.headers.range);
    const offset = requested ?? 0;
    // Once ended the size is final, so the answer can be exact; while the task runs the length is unknown.
    const ended = log.ended;
    const size = log.flushedSize;
    if (ended && offset > size) {
      response.writeHead(416, { ...corsHeaders, 'content-range': `bytes */${size}` }).end();
      return;
    }
    const headers: Record<string, string> = {
      ...corsHeaders,
      'content-type': logContentType,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      // Tells nginx-like reverse proxies not to buffer the stream.
      'x-accel-buffering': 'no',
      'accept-ranges': 'bytes',
    };
    if (ended) headers['content-length'] = String(size - offset);
    if (requested !== undefined) {
      // While the log grows its last byte is unknown; `*` says so (the total length is unknown too).
      headers['content-range'] =
        ended && size > offset ? `bytes ${offset}-${size - 1}/${size}` : `bytes ${offset}-*/*`;
    }
    response.writeHead(requested === undefined ? 200 : 206, headers);
    if (request.method === 'HEAD' || (ended && offset === size)) {
      response.end();
      return;
    }
    response.flushHeaders();
    const reader = new AbortController();
    readers.add(reader);
    if (graceMs !== undefined) abortLater(reader, graceMs);
    response.on('close', () => reader.abort());
    followLog({ log, offset, out: response, signal: reader.signal })
      .then(() => {
        if (reader.signal.aborted) response.destroy();
        else response.end();
      })
      .catch((error: unknown) => {
        workerLog.warn({ err: error }, 'live log reader failed');
        response.destroy();
      })
      .finally(() => readers.delete(reader));
  };

  return {
    handler,
    get readers() {
      return readers.size;
    },
    expire(ms) {
      graceMs = ms;
      for (const reader of readers) abortLater(reader, ms);
    },
  };
}

function plain(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { ...corsHeaders, 'content-type': 'text/plain; charset=utf-8' }).end(text);
}
