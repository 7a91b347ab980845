// URL parameter and query checks shared by the routes, with the real queue's patterns.
import { inputError } from '../errors.js';
import { joinTaskQueueId } from '../domain/task-model.js';
import type { PageQuery } from '../storage/types.js';
import type { ApiRequest } from './api-route.js';

const SLUGID = /^[A-Za-z0-9_-]{8}[Q-T][A-Za-z0-9_-][CGKOSWaeimquy26-][A-Za-z0-9_-]{10}[AQgw]$/;
const IDENTIFIER = /^[a-zA-Z0-9-_]{1,38}$/;
const RUN_ID = /^[1-9]*[0-9]+$/;
const ARTIFACT_NAME = /^[\x20-\x7e]+$/;

const param = (request: ApiRequest, name: string, pattern: RegExp): string => {
  const value = request.params[name] ?? '';
  if (!pattern.test(value)) {
    throw inputError(`Invalid URL parameter \`${name}\`: \`${value}\` does not match ${String(pattern)}`);
  }
  return value;
};

export const taskIdParam = (request: ApiRequest, name = 'taskId'): string => param(request, name, SLUGID);
export const runIdParam = (request: ApiRequest): number => Number(param(request, 'runId', RUN_ID));
export const nameParam = (request: ApiRequest): string => param(request, 'name', ARTIFACT_NAME);
export const identifierParam = (request: ApiRequest, name: string): string =>
  param(request, name, IDENTIFIER);

/** A taskQueueId arrives percent-encoded as one segment, or with a raw slash as two (`taskQueueId/workerType`). */
export const taskQueueIdParam = (request: ApiRequest): string => {
  const { taskQueueId = '', workerType } = request.params;
  const joined = workerType !== undefined ? joinTaskQueueId(taskQueueId, workerType) : taskQueueId;
  const [provisionerId, type, ...rest] = joined.split('/');
  if (rest.length > 0 || !IDENTIFIER.test(provisionerId ?? '') || !IDENTIFIER.test(type ?? '')) {
    throw inputError(
      `Invalid URL parameter \`taskQueueId\`: \`${joined}\` is not <provisionerId>/<workerType>`,
    );
  }
  return joined;
};

export const pageQuery = (request: ApiRequest, max = 1000): PageQuery => {
  const { limit, continuationToken } = request.query;
  let parsed = max;
  if (limit !== undefined) {
    if (!/^[0-9]+$/.test(limit)) throw inputError(`Invalid query parameter \`limit\`: \`${limit}\``);
    parsed = Math.max(1, Math.min(max, Number(limit)));
  }
  return { limit: parsed, ...(continuationToken ? { after: continuationToken } : {}) };
};

/** Lists answer `continuationToken` only when there may be more. */
export const withContinuation = <T extends object>(body: T, next: string | undefined) =>
  next === undefined ? body : { ...body, continuationToken: next };
