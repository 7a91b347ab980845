/* Generated from schemas/ by `npm run generate`. Do not edit by hand. */

/**
 * The worker's webhook server: one HTTP server that plugins publish short-lived endpoints on (the live log, the interactive shell). Without any of these keys it listens on the loopback interface on a free port, which is enough for a worker and its readers on one machine.
 */
export interface WebhooksConfig {
  /**
   * Where the webhook server listens and how readers reach it.
   */
  webhooks?: {
    /**
     * Interface to listen on. `0.0.0.0` (or `::`) to serve other machines; then set `publicUrl` too unless the machine's host name resolves for the readers.
     */
    host?: string;
    /**
     * Port to listen on; 0 picks a free one.
     */
    port?: number;
    /**
     * Base URL readers use to reach the server, for a worker behind a reverse proxy or a port mapping (e.g. `https://worker-17.example.com/tc`). Hook URLs are `<publicUrl>/hooks/<random id>`; a path in the public URL is stripped from requests that still carry it. Default: `http://<host>:<port>`.
     */
    publicUrl?: string;
  };
}
