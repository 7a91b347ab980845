// The websocket endpoint of one task's shells, on the worker's webhook server: `<hook>/shell/<secret>`.
// The hook's own path is already unguessable; the secret in the sub-path gives the generic-worker URL shape
// and a second 128 bits. Anything else is refused before the upgrade, so a wrong URL never gets a socket.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { Shell, ShellSize } from '../../engines/types.js';
import type { TaskLog } from '../../log/task-log.js';
import type { AttachedHook, WebhookServer } from '../../webhooks/types.js';
import { ShellSession } from './shell-session.js';
import { socketUrlOf } from './shell-urls.js';

export interface ShellEndpointOptions {
  readonly webhooks: WebhookServer;
  readonly openShell: (size: ShellSize) => Promise<Shell>;
  readonly maxSessions: number;
  readonly log: TaskLog;
  readonly workerLog: Logger;
}

/** Until the client's first resize frame arrives. */
const initialSize: ShellSize = { rows: 24, cols: 80 };

export class ShellEndpoint {
  /** The websocket URL clients connect to (carries the secret: never log it). */
  readonly socketUrl: string;
  readonly #options: ShellEndpointOptions;
  readonly #subPath: Buffer;
  readonly #hook: AttachedHook;
  readonly #wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  readonly #sessions = new Set<ShellSession>();
  /** Upgrades accepted but whose shell is not open yet: they count against maxSessions too. */
  #pending = 0;
  #closed = false;
  #opened = 0;

  constructor(options: ShellEndpointOptions) {
    this.#options = options;
    const subPath = `/shell/${randomBytes(16).toString('hex')}`;
    this.#subPath = Buffer.from(subPath);
    this.#hook = options.webhooks.attach(
      (_request, response) => {
        // The shell is only a websocket; a plain request learns nothing, not even whether the path is right.
        response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      },
      { upgrade: (request, socket, head, path) => this.#upgrade(request, socket, head, path) },
    );
    this.socketUrl = socketUrlOf(this.#hook.url, subPath);
  }

  /** Ends every session (shells killed) and takes the endpoint down. Idempotent. */
  async close(reason: string): Promise<void> {
    this.#closed = true;
    this.#hook.detach();
    await Promise.all([...this.#sessions].map((session) => session.end(reason)));
    this.#wss.close();
  }

  #upgrade(request: IncomingMessage, socket: Duplex, head: Buffer, subPath: string): void {
    if (this.#closed || !this.#isSecret(subPath)) return refuse(socket, 404, 'Not Found');
    if (this.#sessions.size + this.#pending >= this.#options.maxSessions) {
      this.#options.log.warn(
        `Interactive shell refused: ${this.#options.maxSessions} sessions are open already`,
      );
      return refuse(socket, 503, 'Service Unavailable');
    }
    this.#pending++;
    this.#wss.handleUpgrade(request, socket, head, (ws) => {
      void this.#start(ws).finally(() => this.#pending--);
    });
  }

  async #start(ws: WebSocket): Promise<void> {
    // What the client sends while the shell is being opened (a container's exec takes a while) is kept
    // for the shell, not dropped.
    const early: Array<[RawData, boolean]> = [];
    const keep = (data: RawData, isBinary: boolean): void => void early.push([data, isBinary]);
    ws.on('message', keep);
    let shell: Shell;
    try {
      shell = await this.#options.openShell(initialSize);
    } catch (error) {
      this.#options.workerLog.warn({ err: error }, 'interactive shell could not be opened');
      ws.close(1011, 'the shell could not be opened');
      return;
    }
    if (this.#closed || ws.readyState !== ws.OPEN) {
      // The task ended or the client left while the shell was starting.
      await shell.kill();
      ws.terminate();
      return;
    }
    const session = new ShellSession(ws, shell);
    ws.off('message', keep);
    for (const [data, isBinary] of early) ws.emit('message', data, isBinary);
    const number = ++this.#opened;
    this.#sessions.add(session);
    this.#options.log.info(`Interactive shell ${number} opened`);
    this.#options.workerLog.info({ session: number }, 'interactive shell opened');
    void session.ended.then(() => {
      this.#sessions.delete(session);
      this.#options.log.info(`Interactive shell ${number} closed`);
      this.#options.workerLog.info({ session: number }, 'interactive shell closed');
    });
  }

  #isSecret(subPath: string): boolean {
    const candidate = Buffer.from(subPath.split('?')[0] ?? '');
    return candidate.length === this.#subPath.length && timingSafeEqual(candidate, this.#subPath);
  }
}

/** Answers a refused upgrade with a plain HTTP status, before any websocket exists. */
function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
