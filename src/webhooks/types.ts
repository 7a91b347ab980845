// The webhook server's contract: plugins publish short-lived HTTP and websocket endpoints under
// unguessable paths (live log, interactive shell) and take them down again.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Serves one HTTP request to an attached hook. `subPath` is what follows the hook's path ('' or '/...'),
 * so a hook may serve several resources (e.g. a page and its socket).
 */
export type HttpHookHandler = (request: IncomingMessage, response: ServerResponse, subPath: string) => void;

/** Takes over a websocket upgrade request to an attached hook (e.g. with `ws`'s `handleUpgrade`). */
export type UpgradeHookHandler = (
  request: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  subPath: string,
) => void;

export interface AttachedHook {
  /** Absolute public URL of the hook (http or https, per the server's publicUrl), without trailing slash. */
  readonly url: string;
  /** After this the hook's path answers 404 (and upgrades are refused). Idempotent. */
  detach(): void;
}

export interface WebhookServer {
  /** Publishes a handler under a fresh path with at least 128 random bits. */
  attach(handler: HttpHookHandler, options?: { upgrade?: UpgradeHookHandler }): AttachedHook;
}
