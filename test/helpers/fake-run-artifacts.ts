// A RunArtifacts that keeps artifacts in memory and plays storage on a local HTTP server: the PUTs of `s3`
// artifacts, and the object service (`/api/object/v1/`, at `baseUrl` as root URL) with its data PUTs for
// `object` artifacts. It checks what real storage checks (an explicit Content-Length that matches the body,
// unexpired URLs) and records what tests assert on (bodies, digests, peak concurrency).
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import type { CreateArtifactRequest, CreateArtifactResponse, RunArtifacts } from '../../src/queue/types.js';
import { QueueRequestError } from '../../src/queue/types.js';
import { FakeObjectService, type FakeObject, type ObjectDataTarget } from './fake-object-service.js';
import { UploadSink } from './upload-sink.js';

export interface StoredArtifact {
  readonly name: string;
  readonly request: CreateArtifactRequest;
  /** The bytes PUT, as sent (compressed when Content-Encoding is gzip), when bodies are kept. */
  rawBody?: Buffer;
  /** The bytes PUT, decoded, when bodies are kept. */
  body?: Buffer;
  /** Bytes and SHA-256 of what was sent (always recorded). */
  sentSize?: number;
  sentSha256?: string;
  headers?: IncomingHttpHeaders;
  /** For object artifacts: finishArtifact was called with the right uploadId. */
  finished?: boolean;
  /** For object artifacts: the object behind it. */
  object?: FakeObject;
}

interface PutTarget {
  readonly name: string;
  expiresAt: number;
}

export class FakeRunArtifacts implements RunArtifacts {
  readonly artifacts = new Map<string, StoredArtifact>();
  /** Every createArtifact call in order. */
  readonly calls: Array<{ name: string; request: CreateArtifactRequest }> = [];
  /** Statuses to answer the next PUTs with, one each (then 200). */
  readonly failPuts: number[] = [];
  /** The next this many PUTs lose their connection before an answer. */
  resetPuts = 0;
  /** PUTs of these artifacts always answer this status. */
  readonly failingArtifacts = new Map<string, number>();
  /** createArtifact of these names answers this status (after this many ms). */
  readonly refusedArtifacts = new Map<string, { status: number; afterMs?: number }>();
  /** Each PUT waits this long before it answers (lets concurrency build up). */
  putDelayMs = 0;
  /** How long a putUrl works. */
  urlLifetimeMs = 60 * 60 * 1000;
  /** The next this many putUrls are expired already (answer 403) although their expiry says otherwise. */
  expireNextUrls = 0;
  /** The object service accepts small bodies inline. */
  acceptInline = true;
  /** Storage side of every PUT: bodies, digests, concurrency. */
  readonly sink = new UploadSink();
  readonly objects: FakeObjectService;
  readonly #server: Server;
  readonly #tokens = new Map<string, PutTarget>();
  readonly #dataTargets = new Map<string, ObjectDataTarget>();
  #nextToken = 0;

  private constructor(server: Server) {
    this.#server = server;
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the host's getters read the live settings
    const fake = this;
    this.objects = new FakeObjectService({
      get baseUrl() {
        return fake.baseUrl;
      },
      dataUrl: (target) => {
        const token = `d${this.#nextToken++}`;
        if (this.expireNextUrls > 0) {
          this.expireNextUrls--;
          target.expiresAt = 0;
        }
        this.#dataTargets.set(token, target);
        return `/object-data/${token}`;
      },
      get urlLifetimeMs() {
        return fake.urlLifetimeMs;
      },
      get acceptInline() {
        return fake.acceptInline;
      },
    });
  }

  /** PUTs so far (of either storage). */
  get putCount(): number {
    return this.sink.count;
  }

  static async start(): Promise<FakeRunArtifacts> {
    const server = createServer();
    const fake = new FakeRunArtifacts(server);
    server.on('request', (request, response) => {
      fake.#route(request, response).catch((error: unknown) => {
        if (!response.headersSent) response.writeHead(500).end(String(error));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async #route(request: import('node:http').IncomingMessage, response: import('node:http').ServerResponse) {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    const answer = (status: number, text = ''): void => {
      response.writeHead(status, { 'content-type': 'text/plain' }).end(text);
    };
    if (path.startsWith('/api/object/v1/')) {
      const chunks: Buffer[] = [];
      for await (const chunk of request as AsyncIterable<Buffer>) chunks.push(chunk);
      if (!this.objects.handle(request, path, Buffer.concat(chunks), response)) answer(404, 'no such route');
      return;
    }
    const s3 = /^\/s3\/(.+)$/.exec(path)?.[1];
    const data = /^\/object-data\/(.+)$/.exec(path)?.[1];
    const target =
      s3 !== undefined ? this.#tokens.get(s3) : data !== undefined ? this.#dataTargets.get(data) : undefined;
    if (request.method !== 'PUT' || !target) {
      request.resume();
      return answer(404, 'no such upload');
    }
    const name = 'object' in target ? target.object.artifact : target.name;
    const done = this.sink.begin();
    response.once('close', done);
    if (this.resetPuts > 0) {
      this.resetPuts--;
      request.socket.destroy();
      return;
    }
    const received = await this.sink.receive(request);
    if (!received) return;
    if (this.putDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.putDelayMs));
    if (Date.now() > target.expiresAt) return answer(403, 'Request has expired');
    if (request.headers['content-length'] !== String(received.size))
      return answer(400, `content-length ${request.headers['content-length']} != ${received.size}`);
    const failure = this.failPuts.shift() ?? this.failingArtifacts.get(name);
    if (failure !== undefined) return answer(failure, 'injected failure');
    const artifact = this.artifacts.get(name);
    if (!artifact) return answer(404, 'artifact not created');
    artifact.headers = received.headers;
    artifact.sentSize = received.size;
    artifact.sentSha256 = received.sha256;
    if (received.raw) {
      artifact.rawBody = received.raw;
      artifact.body =
        received.headers['content-encoding'] === 'gzip' ? gunzipSync(received.raw) : received.raw;
    }
    if ('object' in target)
      target.object.data = received.raw ?? { size: received.size, sha256: received.sha256 };
    answer(200);
  }

  createArtifact(name: string, request: CreateArtifactRequest): Promise<CreateArtifactResponse> {
    this.calls.push({ name, request });
    const refusal = this.refusedArtifacts.get(name);
    if (refusal)
      return new Promise((_resolve, reject) =>
        setTimeout(
          () => reject(new QueueRequestError(refusal.status, 'InjectedFailure', `refused ${name}`)),
          refusal.afterMs ?? 0,
        ),
      );
    const stored: StoredArtifact = { name, request };
    this.artifacts.set(name, stored);
    if (request.storageType === 'object') return Promise.resolve(this.#createObject(name, request, stored));
    if (request.storageType !== 's3') return Promise.resolve({ storageType: request.storageType });
    const token = `t${this.#nextToken++}`;
    const expiresAt = Date.now() + this.urlLifetimeMs;
    const expired = this.expireNextUrls > 0;
    if (expired) this.expireNextUrls--;
    this.#tokens.set(token, { name, expiresAt: expired ? 0 : expiresAt });
    return Promise.resolve({
      storageType: 's3',
      contentType: request.contentType,
      expires: new Date(expiresAt).toISOString(),
      putUrl: `${this.baseUrl}/s3/${token}`,
    });
  }

  #createObject(
    name: string,
    request: CreateArtifactRequest & { storageType: 'object' },
    stored: StoredArtifact,
  ) {
    const objectName = `t/fakeTask/0/${name}`;
    const uploadId = `upload${this.#nextToken++}`;
    const clientId = `artifact-upload/${uploadId}`;
    const object: FakeObject = {
      name: objectName,
      projectId: 'fake-project',
      uploadId,
      expires: request.expires,
      clientId,
      artifact: name,
      finished: false,
      methods: [],
    };
    this.objects.objects.set(objectName, object);
    stored.object = object;
    const certificate = JSON.stringify({
      version: 1,
      scopes: [`object:upload:fake-project:${objectName}`],
      start: Date.now(),
      expiry: Date.parse(request.expires),
      seed: 'fake-seed-fake-seed-fake-seed-fake-seed-fake-seed',
      signature: 'fake-signature',
      issuer: 'fake-queue',
    });
    return {
      storageType: 'object' as const,
      name: objectName,
      projectId: object.projectId,
      uploadId,
      expires: request.expires,
      credentials: { clientId, accessToken: 'fake-access-token', certificate },
    };
  }

  finishArtifact(name: string, uploadId: string): Promise<void> {
    const artifact = this.artifacts.get(name);
    if (!artifact?.object)
      return Promise.reject(new QueueRequestError(404, 'ResourceNotFound', `no object artifact ${name}`));
    if (artifact.object.uploadId !== uploadId)
      return Promise.reject(new QueueRequestError(400, 'InputError', 'given uploadId does not match'));
    if (!artifact.object.finished)
      return Promise.reject(
        new QueueRequestError(400, 'InputError', 'Object storing artifact data does not exist'),
      );
    artifact.finished = true;
    const data = artifact.object.data;
    if (Buffer.isBuffer(data)) {
      artifact.rawBody ??= data;
      artifact.body ??= data;
    }
    return Promise.resolve();
  }

  /** Makes every putUrl handed out so far answer 403, as an expired presigned URL does. */
  expireUrls(): void {
    for (const target of this.#tokens.values()) target.expiresAt = 0;
    for (const target of this.#dataTargets.values()) target.expiresAt = 0;
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
