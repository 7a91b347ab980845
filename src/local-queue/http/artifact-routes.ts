// Artifact calls. Downloads answer like the real queue: a 303 redirect carrying `{storageType, url}`, or
// 424 `{reason, message}` for error artifacts; the artifact-content calls answer the same facts as JSON.
import type { FastifyReply } from 'fastify';
import type { CreateArtifactRequest } from '../../generated/queue/create-artifact-request.js';
import type { ScopeTemplate } from '../auth/scope-templates.js';
import {
  artifactContent,
  artifactNames,
  locateArtifact,
  type ArtifactLocation,
} from '../domain/artifact-downloads.js';
import {
  artifactInfo,
  createArtifact,
  finishArtifact,
  listArtifacts,
} from '../domain/artifact-operations.js';
import type { QueueContext } from '../domain/context.js';
import type { ApiRequest, ApiRoute } from './api-route.js';
import { nameParam, pageQuery, runIdParam, taskIdParam, withContinuation } from './params.js';

const runOf = (req: ApiRequest): number | 'latest' =>
  req.params.runId === undefined ? 'latest' : runIdParam(req);

function redirect(reply: FastifyReply, location: ArtifactLocation): FastifyReply {
  reply.header('x-taskcluster-artifact-storage-type', location.storageType);
  if (location.storageType === 'error') {
    return reply.code(424).send({ reason: location.reason, message: location.message });
  }
  return reply
    .code(303)
    .header('location', location.url)
    .send({ storageType: location.storageType, url: location.url });
}

/** Reading an artifact takes the scope of its name and of every link on the way to its content. */
const getArtifactScopes: ScopeTemplate = {
  AllOf: [{ for: 'name', in: 'names', each: 'queue:get-artifact:<name>' }],
};

export function artifactRoutes(ctx: QueueContext): ApiRoute[] {
  const artifactScopeParams = async (req: ApiRequest) => ({
    names: await artifactNames(ctx, taskIdParam(req), runOf(req), nameParam(req)),
  });
  const download = (name: string, paths: string[]): ApiRoute => ({
    method: 'GET',
    paths,
    wildcard: 'name',
    name,
    scopes: getArtifactScopes,
    scopeParams: (req) => artifactScopeParams(req),
    handler: async (req, reply) =>
      redirect(reply, await locateArtifact(ctx, taskIdParam(req), runOf(req), nameParam(req))),
  });
  const content = (name: string, paths: string[]): ApiRoute => ({
    method: 'GET',
    paths,
    wildcard: 'name',
    name,
    scopes: getArtifactScopes,
    scopeParams: (req) => artifactScopeParams(req),
    handler: (req) => artifactContent(ctx, taskIdParam(req), runOf(req), nameParam(req)),
  });
  const info = (name: string, paths: string[], scopes: string): ApiRoute => ({
    method: 'GET',
    paths,
    wildcard: 'name',
    name,
    scopes,
    handler: (req) => artifactInfo(ctx, taskIdParam(req), runOf(req), nameParam(req)),
  });
  const list = (name: string, paths: string[], scopes: string): ApiRoute => ({
    method: 'GET',
    paths,
    name,
    scopes,
    handler: async (req) => {
      const page = await listArtifacts(ctx, taskIdParam(req), runOf(req), pageQuery(req));
      return withContinuation({ artifacts: page.rows }, page.next);
    },
  });
  return [
    {
      method: 'POST',
      paths: ['/task/:taskId/runs/:runId/artifacts/*'],
      wildcard: 'name',
      name: 'createArtifact',
      input: 'queue/create-artifact-request',
      scopes: 'queue:create-artifact:<taskId>/<runId>',
      handler: (req) =>
        createArtifact(
          ctx,
          taskIdParam(req),
          runIdParam(req),
          nameParam(req),
          req.body as CreateArtifactRequest,
        ),
    },
    {
      method: 'PUT',
      paths: ['/task/:taskId/runs/:runId/artifacts/*'],
      wildcard: 'name',
      name: 'finishArtifact',
      input: 'queue/finish-artifact-request',
      scopes: 'queue:create-artifact:<taskId>/<runId>',
      handler: async (req, reply) => {
        const { uploadId } = req.body as { uploadId: string };
        await finishArtifact(ctx, taskIdParam(req), runIdParam(req), nameParam(req), uploadId);
        return reply.code(204).send();
      },
    },
    download('getArtifact', ['/task/:taskId/runs/:runId/artifacts/*']),
    download('getLatestArtifact', ['/task/:taskId/artifacts/*']),
    list('listArtifacts', ['/task/:taskId/runs/:runId/artifacts'], 'queue:list-artifacts:<taskId>:<runId>'),
    list('listLatestArtifacts', ['/task/:taskId/artifacts'], 'queue:list-artifacts:<taskId>'),
    info(
      'artifactInfo',
      ['/task/:taskId/runs/:runId/artifact-info/*'],
      'queue:list-artifacts:<taskId>:<runId>',
    ),
    info('latestArtifactInfo', ['/task/:taskId/artifact-info/*'], 'queue:list-artifacts:<taskId>'),
    content('artifact', ['/task/:taskId/runs/:runId/artifact-content/*']),
    content('latestArtifact', ['/task/:taskId/artifact-content/*']),
  ];
}
