// The taskcluster proxy of one task: an HTTP server on an address the task can reach that forwards
// `<proxy>/api/<service>/<version>/...` (or the older `<proxy>/<service>/<version>/...`) to the deployment's
// root URL, signed with Hawk by the run's current temporary credentials, so a task calls Taskcluster with
// its own scopes without ever holding credentials. `POST <proxy>/bewit` with a URL of the deployment answers
// that URL signed (a bewit, valid 15 minutes). The proxy's URL carries an unguessable secret as its first
// path segment: other tasks that can reach the address cannot use this task's scopes.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { hawkHeader, signedGetUrl } from '../../queue/hawk-signing.js';
import type { Credentials } from '../../queue/types.js';

export interface ProxyOptions {
  /** The deployment every request goes to. */
  readonly rootUrl: string;
  /** The credentials at the moment of each request (a reclaim renews them), with their authorizedScopes. */
  readonly credentials: () => Credentials;
  /** Where to listen: an address of the host the task can reach. */
  readonly host: string;
  readonly log: Logger;
}

/** Headers that belong to one connection, never forwarded (RFC 9110 7.6.1), and those the proxy sets. */
const notForwarded = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'authorization',
]);

const bewitTtlSeconds = 15 * 60;
const maxBewitRequestBytes = 8192;

export class TaskclusterProxy {
  readonly #server: Server;
  readonly #options: ProxyOptions;
  readonly #secret: string;
  readonly #rootUrl: URL;
  /** Requests forwarded, for the worker log. */
  requests = 0;

  private constructor(server: Server, options: ProxyOptions, secret: string) {
    this.#server = server;
    this.#options = options;
    this.#secret = secret;
    this.#rootUrl = new URL(options.rootUrl);
  }

  static async start(options: ProxyOptions): Promise<TaskclusterProxy> {
    const secret = randomBytes(18).toString('base64url');
    const server = createServer();
    const proxy = new TaskclusterProxy(server, options, secret);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => proxy.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return proxy;
  }

  /** `http://<host>:<port>/<secret>`: what the task gets as TASKCLUSTER_PROXY_URL (its root URL). */
  get url(): string {
    const { port } = this.#server.address() as AddressInfo;
    const host = this.#options.host.includes(':') ? `[${this.#options.host}]` : this.#options.host;
    return `http://${host}:${port}/${this.#secret}`;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const [, first, ...rest] = url.pathname.split('/');
    if (!this.#secretMatches(first ?? '')) {
      answer(res, 404, { code: 'ResourceNotFound', message: 'no such proxy' });
      return;
    }
    const path = `/${rest.join('/')}`;
    if (path === '/bewit') {
      void this.#bewit(req, res);
      return;
    }
    const target = this.#target(path, url.search);
    if (!target) {
      answer(res, 404, {
        code: 'ResourceNotFound',
        message: `the proxy forwards /api/<service>/<version>/... (or /<service>/<version>/...), not ${path}`,
      });
      return;
    }
    this.#forward(req, res, target);
  }

  #secretMatches(candidate: string): boolean {
    const a = Buffer.from(candidate);
    const b = Buffer.from(this.#secret);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  /** The deployment's URL for a proxy path, or undefined for a path that names no service. */
  #target(path: string, search: string): URL | undefined {
    const segments = path.split('/').slice(1);
    const apiPath = segments[0] === 'api' ? segments.slice(1) : segments;
    const [service, version] = apiPath;
    if (!service || !version || !/^v\d+$/.test(version)) return undefined;
    const base = this.#options.rootUrl.replace(/\/+$/, '');
    return new URL(`${base}/api/${apiPath.join('/')}${search}`);
  }

  #forward(req: IncomingMessage, res: ServerResponse, target: URL): void {
    const method = req.method ?? 'GET';
    const headers: IncomingHttpHeaders = {};
    for (const [name, value] of Object.entries(req.headers))
      if (!notForwarded.has(name) && value !== undefined) headers[name] = value;
    headers.authorization = hawkHeader(target.toString(), method, this.#options.credentials());
    this.requests += 1;
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const upstream = send(target, { method, headers }, (response) => {
      const back: IncomingHttpHeaders = {};
      for (const [name, value] of Object.entries(response.headers))
        if (!notForwarded.has(name) && value !== undefined) back[name] = value;
      res.writeHead(response.statusCode ?? 502, back);
      response.pipe(res);
    });
    upstream.once('error', (error) => {
      this.#options.log.warn({ err: error, target: target.pathname }, 'taskcluster proxy request failed');
      if (!res.headersSent)
        answer(res, 502, { code: 'ProxyError', message: `the proxy could not reach ${target.origin}` });
      else res.destroy(error);
    });
    req.once('aborted', () => upstream.destroy());
    req.pipe(upstream);
  }

  async #bewit(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') {
      answer(res, 405, { code: 'MethodNotAllowed', message: 'POST a URL of the deployment to /bewit' });
      return;
    }
    let body = '';
    for await (const chunk of req) {
      body += (chunk as Buffer).toString();
      if (body.length > maxBewitRequestBytes) {
        answer(res, 413, { code: 'PayloadTooLarge', message: 'a URL is expected' });
        return;
      }
    }
    let url: URL;
    try {
      url = new URL(body.trim());
    } catch {
      answer(res, 400, { code: 'InputError', message: 'the body must be a URL' });
      return;
    }
    // Only URLs of the deployment: the proxy signs for Taskcluster's services, nothing else.
    if (url.origin !== this.#rootUrl.origin) {
      answer(res, 400, { code: 'InputError', message: `only URLs under ${this.#rootUrl.origin} are signed` });
      return;
    }
    const signed = signedGetUrl(url.toString(), this.#options.credentials(), bewitTtlSeconds);
    res.writeHead(303, { location: signed, 'content-type': 'text/plain; charset=utf-8' });
    res.end(signed);
  }
}

function answer(res: ServerResponse, status: number, body: { code: string; message: string }): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}
