// A tiny implementation of the webhook contract (src/webhooks/types.ts) for plugin tests: one HTTP server on
// 127.0.0.1, every hook under a fresh 128-bit path, upgrades routed to the hook's upgrade handler.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  AttachedHook,
  HttpHookHandler,
  UpgradeHookHandler,
  WebhookServer,
} from '../../src/webhooks/types.js';

interface Hook {
  readonly handler: HttpHookHandler;
  readonly upgrade?: UpgradeHookHandler;
}

export class TestWebhookServer implements WebhookServer {
  readonly #server: Server;
  readonly #hooks = new Map<string, Hook>();
  #baseUrl = '';

  private constructor() {
    this.#server = createServer((request, response) => {
      const found = this.#find(request.url ?? '/');
      if (!found) return void response.writeHead(404).end();
      found.hook.handler(request, response, found.subPath);
    });
    this.#server.on('upgrade', (request, socket, head: Buffer) => {
      const found = this.#find(request.url ?? '/');
      if (!found?.hook.upgrade)
        return void socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      found.hook.upgrade(request, socket, head, found.subPath);
    });
  }

  static async start(): Promise<TestWebhookServer> {
    const server = new TestWebhookServer();
    await new Promise<void>((resolve) => server.#server.listen(0, '127.0.0.1', resolve));
    server.#baseUrl = `http://127.0.0.1:${(server.#server.address() as AddressInfo).port}`;
    return server;
  }

  /** Hooks attached and not detached. */
  get attachedCount(): number {
    return this.#hooks.size;
  }

  attach(handler: HttpHookHandler, options: { upgrade?: UpgradeHookHandler } = {}): AttachedHook {
    const id = randomBytes(16).toString('hex');
    this.#hooks.set(id, { handler, ...(options.upgrade ? { upgrade: options.upgrade } : {}) });
    return { url: `${this.#baseUrl}/${id}`, detach: () => void this.#hooks.delete(id) };
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #find(url: string): { hook: Hook; subPath: string } | undefined {
    const path = url.split('?')[0] ?? '';
    const match = /^\/([0-9a-f]{32})(\/.*)?$/.exec(path);
    const hook = match?.[1] !== undefined ? this.#hooks.get(match[1]) : undefined;
    return hook && match ? { hook, subPath: match[2] ?? '' } : undefined;
  }
}
