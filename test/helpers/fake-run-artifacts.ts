// A RunArtifacts that keeps artifacts in memory and accepts the PUTs of s3 artifacts on a local HTTP server,
// checking what real storage checks (an explicit Content-Length that matches the body).
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import type { CreateArtifactRequest, CreateArtifactResponse, RunArtifacts } from '../../src/queue/types.js';

export interface StoredArtifact {
  readonly name: string;
  readonly request: CreateArtifactRequest;
  /** The bytes PUT, as sent (compressed when Content-Encoding is gzip). */
  rawBody?: Buffer;
  /** The bytes PUT, decoded. */
  body?: Buffer;
  headers?: IncomingHttpHeaders;
}

export class FakeRunArtifacts implements RunArtifacts {
  readonly artifacts = new Map<string, StoredArtifact>();
  /** Every createArtifact call in order. */
  readonly calls: Array<{ name: string; request: CreateArtifactRequest }> = [];
  /** Statuses to answer the next PUTs with, one each (then 200). */
  readonly failPuts: number[] = [];
  /** How long a putUrl works. */
  urlLifetimeMs = 60 * 60 * 1000;
  /** The next this many putUrls are expired already (answer 403) although their expiry says otherwise. */
  expireNextUrls = 0;
  putCount = 0;
  readonly #server: Server;
  readonly #tokens = new Map<string, { name: string; expiresAt: number }>();
  #nextToken = 0;

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(): Promise<FakeRunArtifacts> {
    const server = createServer();
    const fake = new FakeRunArtifacts(server);
    server.on('request', (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        fake.putCount++;
        const token = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname.slice(1));
        const target = fake.#tokens.get(token);
        const body = Buffer.concat(chunks);
        const answer = (status: number, text = ''): void => {
          response.writeHead(status, { 'content-type': 'text/plain' }).end(text);
        };
        if (request.method !== 'PUT' || !target) return answer(404, 'no such upload');
        if (Date.now() > target.expiresAt) return answer(403, 'request has expired');
        if (request.headers['content-length'] !== String(body.length))
          return answer(400, `content-length ${request.headers['content-length']} != ${body.length}`);
        const failure = fake.failPuts.shift();
        if (failure !== undefined) return answer(failure, 'injected failure');
        const artifact = fake.artifacts.get(target.name);
        if (!artifact) return answer(404, 'artifact not created');
        artifact.rawBody = body;
        artifact.headers = request.headers;
        artifact.body = request.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body;
        answer(200);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  createArtifact(name: string, request: CreateArtifactRequest): Promise<CreateArtifactResponse> {
    this.calls.push({ name, request });
    this.artifacts.set(name, { name, request });
    if (request.storageType !== 's3') return Promise.resolve({ storageType: request.storageType } as never);
    const token = `t${this.#nextToken++}`;
    const expiresAt = Date.now() + this.urlLifetimeMs;
    const expired = this.expireNextUrls > 0;
    if (expired) this.expireNextUrls--;
    this.#tokens.set(token, { name, expiresAt: expired ? 0 : expiresAt });
    return Promise.resolve({
      storageType: 's3',
      contentType: request.contentType,
      expires: new Date(expiresAt).toISOString(),
      putUrl: `${this.baseUrl}/${token}`,
    });
  }

  finishArtifact(): Promise<void> {
    return Promise.resolve();
  }

  /** Makes every putUrl handed out so far answer 403, as an expired presigned URL does. */
  expireUrls(): void {
    for (const target of this.#tokens.values()) target.expiresAt = 0;
  }

  /** The decoded content of an uploaded artifact as text. */
  text(name: string): string {
    const body = this.artifacts.get(name)?.body;
    if (!body) throw new Error(`artifact ${name} has no content`);
    return body.toString('utf8');
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
