// The worker's one HTTP server for plugin endpoints (live log, interactive shell). Each hook lives under a
// fresh unguessable path (/hooks/<id>); knowing the URL is the capability, so ids carry 144 random bits and
// a detached hook is indistinguishable from one that never existed (404).
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { WebhookSettings } from './webhook-settings.js';
import type { AttachedHook, HttpHookHandler, UpgradeHookHandler, WebhookServer } from './types.js';

const hookPrefix = '/hooks/';
/** 18 bytes: 144 bits, 24 base64url characters (no padding). */
const idBytes = 18;

interface Hook {
  readonly http: HttpHookHandler;
  readonly upgrade?: UpgradeHookHandler;
}

/** What routing found for a request: the hook and the part of the path after the hook's id. */
interface Route {
  readonly hook: Hook;
  readonly subPath: string;
}

export class HttpWebhookServer implements WebhookServer {
  readonly #server: Server;
  readonly #hooks = new Map<string, Hook>();
  readonly #log: Logger | undefined;
  #baseUrl = '';
  /** The public URL's path (e.g. `/tc` behind a proxy), stripped from requests that still carry it. */
  #basePath = '';

  private constructor(log: Logger | undefined) {
    this.#log = log;
    // noDelay: live-log lines are small and must not wait for Nagle.
    this.#server = createServer({ noDelay: true }, (request, response) => this.#request(request, response));
    this.#server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.#upgrade(request, socket, head),
    );
    this.#server.on('clientError', (_error, socket) => socket.destroy());
  }

  /** Starts listening; resolves once the port is known. */
  static async start(settings: WebhookSettings, log?: Logger): Promise<HttpWebhookServer> {
    const server = new HttpWebhookServer(log);
    server.#server.listen(settings.port, settings.host);
    await once(server.#server, 'listening');
    const { port } = server.#server.address() as AddressInfo;
    const base = new URL(settings.publicUrl ?? `http://${publicHost(settings.host)}:${port}`);
    server.#basePath = base.pathname.replace(/\/+$/, '');
    server.#baseUrl = `${base.origin}${server.#basePath}`;
    log?.info({ host: settings.host, port, publicUrl: server.#baseUrl }, 'webhook server listening');
    return server;
  }

  /** Base URL of the server (the public URL), without trailing slash. */
  get url(): string {
    return this.#baseUrl;
  }

  /** The port actually listened on. */
  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  /** Number of attached hooks (for tests and metrics). */
  get hookCount(): number {
    return this.#hooks.size;
  }

  attach(handler: HttpHookHandler, options: { upgrade?: UpgradeHookHandler } = {}): AttachedHook {
    const id = randomBytes(idBytes).toString('base64url');
    this.#hooks.set(id, { http: handler, ...(options.upgrade ? { upgrade: options.upgrade } : {}) });
    const hooks = this.#hooks;
    return {
      url: `${this.#baseUrl}${hookPrefix}${id}`,
      detach: () => void hooks.delete(id),
    };
  }

  /** Stops listening, detaches every hook and ends every open connection (streams included). */
  async close(): Promise<void> {
    this.#hooks.clear();
    const closed = once(this.#server, 'close');
    this.#server.close();
    this.#server.closeAllConnections();
    await closed;
  }

  /**
   * The one place every request passes (HTTP and upgrade): authentication goes here when it comes.
   * Returns undefined for anything that is not an attached hook.
   */
  #route(request: IncomingMessage): Route | undefined {
    let path = (request.url ?? '/').split('?', 1)[0] ?? '/';
    if (this.#basePath !== '' && path.startsWith(`${this.#basePath}/`))
      path = path.slice(this.#basePath.length);
    if (!path.startsWith(hookPrefix)) return undefined;
    const rest = path.slice(hookPrefix.length);
    const slash = rest.indexOf('/');
    const id = slash === -1 ? rest : rest.slice(0, slash);
    const hook = this.#hooks.get(id);
    return hook ? { hook, subPath: slash === -1 ? '' : rest.slice(slash) } : undefined;
  }

  #request(request: IncomingMessage, response: ServerResponse): void {
    const route = this.#route(request);
    if (!route) {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    try {
      route.hook.http(request, response, route.subPath);
    } catch (error) {
      this.#log?.error({ err: error }, 'webhook handler failed');
      if (!response.headersSent) response.writeHead(500);
      response.end();
    }
  }

  #upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const route = this.#route(request);
    const upgrade = route?.hook.upgrade;
    if (!route || !upgrade) {
      refuse(socket);
      return;
    }
    try {
      upgrade(request, socket, head, route.subPath);
    } catch (error) {
      this.#log?.error({ err: error }, 'webhook upgrade handler failed');
      socket.destroy();
    }
  }
}

/** Answers a refused upgrade with a plain 404 and drops the connection. */
function refuse(socket: Duplex): void {
  socket.on('error', () => undefined);
  socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n', () =>
    socket.destroy(),
  );
  // A peer that never reads must not keep the socket.
  setTimeout(() => socket.destroy(), 1000).unref();
}

/** A wildcard address is no place to send a reader: name the machine instead. */
function publicHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return hostname();
  return host.includes(':') ? `[${host}]` : host;
}
