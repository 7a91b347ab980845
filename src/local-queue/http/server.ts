// The HTTP face of the queue: the Queue API under /api/queue/v1, the object service subset under
// /api/object/v1, the /blobs endpoint of the file store, and Taskcluster's error shape for everything that
// goes wrong (unknown routes included).
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { BlobStore } from '../blobs/types.js';
import type { QueueContext } from '../domain/context.js';
import { notFound, QueueError } from '../errors.js';
import type { Authenticator } from '../auth/authenticate.js';
import { requireScopes } from '../auth/require-scopes.js';
import { renderScopes } from '../auth/scope-templates.js';
import type { ApiRequest, ApiRoute } from './api-route.js';
import { asQueueError, errorBody } from './api-errors.js';
import { artifactRoutes } from './artifact-routes.js';
import { registerBlobRoutes } from './blob-routes.js';
import { objectRoutes } from './object-routes.js';
import { runRoutes } from './run-routes.js';
import { taskRoutes } from './task-routes.js';
import { BodyValidator } from './validation.js';
import { workerRoutes } from './worker-routes.js';

export const API_PREFIX = '/api/queue/v1';
export const OBJECT_API_PREFIX = '/api/object/v1';

export interface ServerOptions {
  ctx: QueueContext;
  /** Serve the queue's own /blobs endpoint for this store (the file store; S3 serves its own URLs). */
  blobRoutes?: BlobStore;
  logger: Logger;
  /** Aborted when the queue closes, ending long-polls. */
  closeSignal: AbortSignal;
  /** Hawk authentication and the caller's scopes. */
  authenticator: Authenticator;
}

/** What the error handler needs to fill `requestInfo`. */
interface RouteInfo {
  method: string;
  params: Record<string, string>;
}

declare module 'fastify' {
  interface FastifyRequest {
    queueRoute?: RouteInfo;
    /** The JSON body as received, for the Hawk payload hash. */
    rawBody?: string;
  }
}

const queryOf = (request: FastifyRequest): Record<string, string | undefined> => {
  const query: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries((request.query ?? {}) as Record<string, unknown>)) {
    query[key] = Array.isArray(value) ? String(value[0]) : typeof value === 'string' ? value : undefined;
  }
  return query;
};

function paramsOf(request: FastifyRequest, route: ApiRoute): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [key, value] of Object.entries((request.params ?? {}) as Record<string, string>)) {
    params[key === '*' ? (route.wildcard ?? 'path') : key] = value;
  }
  return params;
}

/** Aborted when the client disconnects before the answer or the queue closes. */
function requestSignal(request: FastifyRequest, reply: FastifyReply, closeSignal: AbortSignal): AbortSignal {
  const controller = new AbortController();
  const onClose = (): void => {
    if (!reply.raw.writableEnded) controller.abort();
  };
  reply.raw.once('close', onClose);
  request.raw.once('aborted', onClose);
  return AbortSignal.any([controller.signal, closeSignal]);
}

export function buildServer(options: ServerOptions): FastifyInstance {
  const { ctx, logger, closeSignal } = options;
  const { authenticator } = options;
  const validator = new BodyValidator();
  const app = Fastify({ logger: false, bodyLimit: 10 * 1024 * 1024 });

  // taskcluster-client sends no body on calls without input; an empty JSON body is an empty payload.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    request.rawBody = text;
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new QueueError('InputError', 'Request body is not valid JSON'), undefined);
    }
  });

  const sendError = (request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply => {
    const queueError = asQueueError(error);
    const info = request.queueRoute ?? { method: 'unknown', params: {} };
    if (queueError.code === 'InternalServerError') {
      logger.error({ err: error, method: info.method, params: info.params }, 'queue request failed');
    }
    const body = errorBody(queueError, { ...info, payload: request.body ?? {} }, ctx.clock());
    return reply.code(queueError.statusCode).send(body);
  };

  app.setErrorHandler((error, request, reply) => sendError(request, reply, error));
  app.setNotFoundHandler((request, reply) =>
    sendError(
      request,
      reply,
      notFound(`No such route: ${request.method} ${request.url.split('?')[0] ?? ''}`),
    ),
  );

  const services = [
    {
      name: 'queue',
      prefix: API_PREFIX,
      routes: [...taskRoutes(ctx), ...runRoutes(ctx), ...artifactRoutes(ctx), ...workerRoutes(ctx)],
    },
    { name: 'object', prefix: OBJECT_API_PREFIX, routes: objectRoutes(ctx) },
  ];
  for (const service of services) {
    for (const route of service.routes) {
      for (const path of route.paths) {
        app.route({
          method: route.method,
          url: `${service.prefix}${path}`,
          handler: async (request, reply) => {
            const params = paramsOf(request, route);
            request.queueRoute = { method: route.name, params };
            // Bad credentials are refused before anything else, even where the route ends up asking no scope.
            const caller = route.scopes
              ? await authenticator.authenticate(request.raw, request.rawBody)
              : authenticator.anonymous;
            const body = route.input ? validator.check(route.input, request.body ?? {}) : request.body;
            let signal: AbortSignal | undefined;
            const apiRequest: ApiRequest = {
              params,
              query: queryOf(request),
              body,
              // Made on first use: only the long-poll needs one, and every request would pay for it.
              get signal() {
                return (signal ??= requestSignal(request, reply, closeSignal));
              },
              raw: request,
            };
            if (route.scopes) {
              const scopeParams = route.scopeParams ? await route.scopeParams(apiRequest) : params;
              requireScopes(caller, renderScopes(route.scopes, scopeParams));
            }
            const result = await route.handler(apiRequest, reply);
            if (result === reply) return reply;
            return reply.code(200).send(result);
          },
        });
      }
    }
    const { prefix, name } = service;
    app.get(`${prefix}/ping`, () => ({ alive: true, uptime: process.uptime() }));
    app.get(`${prefix}/__lbheartbeat__`, () => ({}));
    app.get(`${prefix}/__heartbeat__`, () => ({}));
    app.get(`${prefix}/__version__`, () => ({ source: 'tc-worker', version: 'embedded', name }));
  }

  if (options.blobRoutes) {
    registerBlobRoutes(app, {
      blobStore: options.blobRoutes,
      signer: ctx.blobSigner,
      clock: ctx.clock,
      logger,
    });
  }
  return app;
}
