// How a Queue (or Object service) API method is declared: its name (as in taskcluster-client's reference),
// routes, input schema and the scopes it requires. Handlers get decoded params and a checked body and
// return the JSON to send (or a custom reply); the caller is authenticated and its scopes checked before.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ScopeParams, ScopeTemplate } from '../auth/scope-templates.js';
import type { BodySchema } from './validation.js';

export interface ApiRequest {
  params: Record<string, string>;
  query: Record<string, string | undefined>;
  body: unknown;
  /** Aborted when the caller goes away or the queue closes. */
  signal: AbortSignal;
  raw: FastifyRequest;
}

/** A handler either returns the JSON body (status 200) or sends its own reply and returns `reply`. */
export type ApiHandler = (request: ApiRequest, reply: FastifyReply) => Promise<unknown>;

export interface ApiRoute {
  method: 'GET' | 'POST' | 'PUT';
  /**
   * Fastify paths below the service's prefix (`/api/queue/v1`, `/api/object/v1`); several when a parameter
   * may arrive with raw slashes too.
   */
  paths: string[];
  /** The taskcluster-client method name, used in error bodies (`requestInfo.method`) and logs. */
  name: string;
  /** Name given to a trailing `*` segment (artifact names, task queue ids). */
  wildcard?: string;
  input?: BodySchema;
  /**
   * The scope expression the real service requires (as in taskcluster-client's API reference), with
   * `<param>` placeholders filled from `scopeParams`, or from the URL parameters without it. A route
   * without scopes needs no authentication at all.
   */
  scopes?: ScopeTemplate;
  /** Parameters the scopes need that are not in the URL (from the body, or the task the call is about). */
  scopeParams?: (request: ApiRequest) => Promise<ScopeParams> | ScopeParams;
  handler: ApiHandler;
}
