// Signed JSON calls to a Taskcluster service, made the way taskcluster-client makes them: the API URL under
// the root URL, a Hawk header (sha256) with the certificate of temporary credentials in `ext`, a 30 s
// timeout, and retries of 5xx answers and network errors with exponential back-off. The worker makes several
// calls per task (claim, artifacts, reclaims, report); the official client spends most of a millisecond of
// CPU in each on its general-purpose HTTP stack, this plain keep-alive request a small part of that.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { checkCertificate, hawkHeader, signedGetUrl } from './hawk-signing.js';
import { QueueRequestError, type Credentials } from './types.js';

/** The client knobs taskcluster-client has, with its defaults (tests shorten the retries). */
export interface ClientTuning {
  /** Per attempt, in ms (default 30 s). */
  readonly timeout?: number;
  /** Retries after the first attempt (default 5). */
  readonly retries?: number;
  /** Retry n waits 2^n times this, in ms (default 100). */
  readonly delayFactor?: number;
  /** Each wait is spread by ± this fraction (default 0.25). */
  readonly randomizationFactor?: number;
  /** Upper bound of a wait, in ms (default 30 s). */
  readonly maxDelay?: number;
}

export interface ServiceClientOptions {
  readonly rootUrl: string;
  /** `queue`, with `v1`: calls go to `<rootUrl>/api/queue/v1<path>`. */
  readonly service: string;
  readonly version: string;
  /** Without credentials calls go unsigned. */
  readonly credentials?: Credentials;
  readonly tuning?: ClientTuning;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

// Shared by every client: one warm connection serves the worker's calls of all runs. LIFO keeps the most
// recently used socket busy, so idle ones age out instead of all going stale together.
const agentOptions = { keepAlive: true, maxSockets: 64, maxFreeSockets: 16, scheduling: 'lifo' as const };
const agents = { http: new HttpAgent(agentOptions), https: new HttpsAgent(agentOptions) };

export class ServiceClient {
  readonly #baseUrl: string;
  readonly #credentials: Credentials | undefined;
  readonly #tuning: Required<ClientTuning>;

  constructor(options: ServiceClientOptions) {
    this.#baseUrl = `${options.rootUrl.replace(/\/+$/, '')}/api/${options.service}/${options.version}`;
    const { credentials } = options;
    this.#credentials = credentials?.clientId && credentials.accessToken ? credentials : undefined;
    // A certificate that is not JSON is refused now rather than at the first call.
    if (this.#credentials) checkCertificate(this.#credentials);
    this.#tuning = {
      timeout: options.tuning?.timeout ?? 30_000,
      retries: options.tuning?.retries ?? 5,
      delayFactor: options.tuning?.delayFactor ?? 100,
      randomizationFactor: options.tuning?.randomizationFactor ?? 0.25,
      maxDelay: options.tuning?.maxDelay ?? 30_000,
    };
  }

  /**
   * Calls `path` (already URL-encoded, starting with `/`) and resolves the JSON answer. Rejects with
   * QueueRequestError for an HTTP error answer, with the network error when no answer came at all.
   */
  async call<T>(method: HttpMethod, path: string, payload?: unknown): Promise<T> {
    const url = this.#baseUrl + path;
    const body = payload === undefined ? undefined : JSON.stringify(payload);
    for (let attempt = 1; ; attempt++) {
      try {
        return (await this.#attempt(method, url, body)) as T;
      } catch (error) {
        const retriable = !(error instanceof QueueRequestError) || error.statusCode >= 500;
        if (!retriable || attempt > this.#tuning.retries) throw error;
        await new Promise((resolve) => setTimeout(resolve, this.#retryDelay(attempt)));
      }
    }
  }

  /**
   * `path` (already URL-encoded, starting with `/`) as a GET URL that carries its own signature (a Hawk
   * bewit, with the certificate of temporary credentials in its `ext`), valid for `ttlSeconds`; without
   * credentials, the plain URL.
   */
  signedUrl(path: string, ttlSeconds: number): string {
    const url = this.#baseUrl + path;
    return this.#credentials ? signedGetUrl(url, this.#credentials, ttlSeconds) : url;
  }

  #retryDelay(attempt: number): number {
    const { delayFactor, randomizationFactor: spread, maxDelay } = this.#tuning;
    const nominal = 2 ** attempt * delayFactor;
    return Math.min(maxDelay, nominal * (1 - spread + 2 * spread * Math.random()));
  }

  #attempt(method: HttpMethod, url: string, body: string | undefined): Promise<unknown> {
    const target = new URL(url);
    const https = target.protocol === 'https:';
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    // Signed per attempt: Hawk headers carry a timestamp and a nonce.
    if (this.#credentials) headers.authorization = hawkHeader(url, method, this.#credentials);
    return new Promise((resolve, reject) => {
      const request = (https ? httpsRequest : httpRequest)(target, {
        method,
        headers,
        agent: https ? agents.https : agents.http,
      });
      const timer = setTimeout(
        () =>
          request.destroy(
            new Error(`no answer from ${method} ${target.pathname} within ${this.#tuning.timeout} ms`),
          ),
        this.#tuning.timeout,
      );
      request.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      request.once('response', (response) => {
        readAnswer(response).then(
          (answer) => {
            clearTimeout(timer);
            if (answer.status >= 200 && answer.status < 300) resolve(answer.json);
            else reject(answerError(answer));
          },
          (error: unknown) => {
            clearTimeout(timer);
            reject(error instanceof Error ? error : new Error(String(error)));
          },
        );
      });
      request.end(body);
    });
  }
}

interface Answer {
  status: number;
  json: unknown;
}

/** The whole answer. Events rather than an async iterator: a few microtasks less on every call of a task. */
function readAnswer(response: IncomingMessage): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.once('error', reject);
    response.once('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const isJson = (response.headers['content-type'] ?? '').startsWith('application/json');
      let json: unknown;
      if (isJson && text.length > 0) {
        try {
          json = JSON.parse(text);
        } catch {
          // A proxy's error page labelled JSON: keep the status, lose the body.
        }
      }
      resolve({ status: response.statusCode ?? 0, json });
    });
  });
}

/** Taskcluster error bodies are `{code, message, requestInfo}`; anything else still gets a status and code. */
function answerError(answer: Answer): QueueRequestError {
  const body = (typeof answer.json === 'object' && answer.json !== null ? answer.json : {}) as {
    code?: unknown;
    message?: unknown;
  };
  const code = typeof body.code === 'string' ? body.code : 'UnknownError';
  const fallback =
    answer.status === 401
      ? 'Authentication Error'
      : answer.status >= 300 && answer.status < 400
        ? 'Unexpected Redirect'
        : answer.status >= 500
          ? 'Internal Server Error'
          : 'Unknown Server Error';
  const message = typeof body.message === 'string' && body.message ? body.message : fallback;
  return new QueueRequestError(answer.status, code, message);
}
