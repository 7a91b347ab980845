// How a Queue (or Object service) API method is declared: its name (as in taskcluster-client's reference),
// routes, input schema and the scopes a later Hawk authentication step will check. Handlers get decoded
// params and a checked body and return the JSON to send (or a custom reply).
import type { FastifyReply, FastifyRequest } from 'fastify';
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
   * Scope expression templates the real service requires, for the authentication to come; `<param>` is
   * replaced from the request (URL parameters, and for the object service `projectId` from the body). Not
   * enforced yet.
   */
  scopes?: string[];
  handler: ApiHandler;
}

/** Asks for one API request to be allowed; the default allows everything (authentication comes later). */
export type Authorizer = (
  request: FastifyRequest,
  route: ApiRoute,
  params: Record<string, string>,
) => Promise<void>;

export const allowAll: Authorizer = () => Promise.resolve();
