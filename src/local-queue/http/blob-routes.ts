// The queue's own stand-in for an S3 bucket: `PUT /blobs/<key>` with a signed putUrl stores the bytes with
// the Content-Type and Content-Encoding of the upload; `GET /blobs/<key>` with a signed URL serves them back
// unchanged (no decoding, no compression), with Content-Length.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { BlobSigner } from '../blobs/blob-signer.js';
import type { BlobStore } from '../blobs/types.js';
import type { Clock } from '../time.js';

export interface BlobRouteOptions {
  blobStore: BlobStore;
  signer: BlobSigner;
  clock: Clock;
  logger: Logger;
}

type BlobRequest = FastifyRequest<{
  Params: { '*': string };
  Querystring: { expires?: string; signature?: string };
}>;

const denied = (reply: FastifyReply): FastifyReply =>
  reply
    .code(403)
    .send({ code: 'AccessDenied', message: 'The URL is not signed for this request or has expired' });

const header = (request: FastifyRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

export function registerBlobRoutes(app: FastifyInstance, options: BlobRouteOptions): void {
  const { blobStore, signer, clock, logger } = options;
  void app.register((scope, _opts, done) => {
    // Uploads are opaque bytes whatever their Content-Type: read the raw request stream, without a size limit.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, parsed) => parsed(null, undefined));

    scope.put('/blobs/*', async (request: BlobRequest, reply) => {
      const key = request.params['*'];
      if (!signer.verify('PUT', key, request.query, clock())) return denied(reply);
      const contentType = header(request, 'content-type') ?? 'application/octet-stream';
      const contentEncoding = header(request, 'content-encoding');
      const contentLength = Number(header(request, 'content-length') ?? NaN);
      const { size } = await blobStore.put(key, request.raw, {
        contentType,
        ...(contentEncoding !== undefined ? { contentEncoding } : {}),
        ...(Number.isSafeInteger(contentLength) && contentLength >= 0 ? { contentLength } : {}),
      });
      logger.debug({ key, size, contentType, contentEncoding }, 'blob stored');
      return reply.code(200).header('etag', `"${size}"`).send();
    });

    scope.get('/blobs/*', async (request: BlobRequest, reply) => {
      const key = request.params['*'];
      if (!signer.verify('GET', key, request.query, clock())) return denied(reply);
      const blob = await blobStore.get(key);
      if (!blob)
        return reply.code(404).send({ code: 'NoSuchKey', message: 'The artifact has not been uploaded' });
      reply.header('content-type', blob.contentType).header('content-length', String(blob.size));
      if (blob.contentEncoding !== undefined) reply.header('content-encoding', blob.contentEncoding);
      return reply.code(200).send(blob.body);
    });
    done();
  });
}
