// The part of the Taskcluster object service an upload uses (`/api/object/v1/`): createUpload (putUrl or
// dataInline), finishUpload with hashes, served on FakeRunArtifacts' server. Checks what the real service
// checks for an upload: the uploadId the queue locked in, the credentials the queue handed out (by
// clientId; signatures are not verified), a known upload method, and that the data is there on finish.
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface FakeObject {
  readonly name: string;
  readonly projectId: string;
  readonly uploadId: string;
  readonly expires: string;
  /** The clientId allowed to upload it. */
  readonly clientId: string;
  /** The artifact it belongs to. */
  readonly artifact: string;
  data?: Buffer | { size: number; sha256: string };
  hashes?: Record<string, string>;
  finished: boolean;
  /** Methods chosen by createUpload calls, in order. */
  readonly methods: string[];
}

export interface ObjectDataTarget {
  readonly object: FakeObject;
  expiresAt: number;
}

/** What the fake object service needs from its host server. */
export interface ObjectServiceHost {
  readonly baseUrl: string;
  /** Registers a PUT target for an object's data; returns its path. */
  dataUrl(target: ObjectDataTarget): string;
  readonly urlLifetimeMs: number;
  /** Offer dataInline when proposed (the real service may refuse it). */
  readonly acceptInline: boolean;
}

export class FakeObjectService {
  readonly objects = new Map<string, FakeObject>();
  /** createUpload and finishUpload calls, in order. */
  readonly calls: Array<{ method: string; name: string; body: unknown }> = [];

  constructor(private readonly host: ObjectServiceHost) {}

  /** Handles `/api/object/v1/...`; false when the path is not the object service's. */
  handle(request: IncomingMessage, path: string, body: Buffer, response: ServerResponse): boolean {
    const match = /^\/api\/object\/v1\/(upload|finish-upload)\/(.+)$/.exec(path);
    if (!match) return false;
    const [, route, encoded] = match as unknown as [string, string, string];
    const name = decodeURIComponent(encoded);
    const reply = (status: number, value: unknown): void => {
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    };
    let input: Record<string, unknown>;
    try {
      input = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    } catch {
      reply(400, { code: 'InputError', message: 'not JSON' });
      return true;
    }
    this.calls.push({ method: route, name, body: input });
    const object = this.objects.get(name);
    if (!object) {
      reply(404, { code: 'ResourceNotFound', message: `no upload for ${name}` });
      return true;
    }
    const auth = request.headers.authorization ?? '';
    if (!auth.startsWith('Hawk ') || !auth.includes(`id="${object.clientId}"`)) {
      reply(401, { code: 'AuthenticationFailed', message: 'not the credentials createArtifact issued' });
      return true;
    }
    if (input.uploadId !== object.uploadId || input.projectId !== object.projectId) {
      reply(409, { code: 'RequestConflict', message: 'uploadId or projectId differs from the upload' });
      return true;
    }
    if (route === 'upload' && input.expires !== object.expires)
      reply(400, { code: 'InputError', message: 'expires differs from the upload' });
    else if (route === 'upload') reply(200, this.#createUpload(object, input));
    else if (!object.data) reply(400, { code: 'InputError', message: 'no data was uploaded' });
    else {
      object.hashes = input.hashes as Record<string, string>;
      object.finished = true;
      reply(200, {});
    }
    return true;
  }

  #createUpload(object: FakeObject, input: Record<string, unknown>): unknown {
    const proposed = (input.proposedUploadMethods ?? {}) as {
      dataInline?: { contentType: string; objectData: string };
      putUrl?: { contentType: string; contentLength: number };
    };
    const answer = { projectId: object.projectId, uploadId: object.uploadId, expires: object.expires };
    if (proposed.dataInline && this.host.acceptInline) {
      object.data = Buffer.from(proposed.dataInline.objectData, 'base64');
      object.methods.push('dataInline');
      return { ...answer, uploadMethod: { dataInline: true } };
    }
    if (proposed.putUrl) {
      object.methods.push('putUrl');
      const expiresAt = Date.now() + this.host.urlLifetimeMs;
      const path = this.host.dataUrl({ object, expiresAt });
      return {
        ...answer,
        uploadMethod: {
          putUrl: {
            url: `${this.host.baseUrl}${path}`,
            expires: new Date(expiresAt).toISOString(),
            headers: {
              'Content-Type': proposed.putUrl.contentType,
              'Content-Length': String(proposed.putUrl.contentLength),
            },
          },
        },
      };
    }
    return { ...answer, uploadMethod: {} };
  }
}
