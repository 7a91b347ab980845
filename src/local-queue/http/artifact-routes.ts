// Artifact calls. Downloads answer like the real queue: a 303 redirect carrying `{storageType, url}`, or
// 424 `{reason, message}` for error artifacts; the artifact-content calls answer the same facts as JSON.
import type { FastifyReply } from 'fastify';
import type { CreateArtifactRequest } from '../../generated/queue/create-artifact-request.js';
import { artifactContent, locateArtifact, type ArtifactLocation } from '../domain/artifact-downloads.js';
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

export function artifactRoutes(ctx: QueueContext): ApiRoute[] {
  const download = (name: string, paths: string[]): ApiRoute => ({
    method: 'GET',
    paths,
    wildcard: 'name',
    name,
    scopes: ['queue:get-artifact:<name>'],
    handler: async (req, reply) =>
      redirect(reply, await locateArtifact(ctx, taskIdParam(req), runOf(req), nameParam(req))),
  });
  const content = (name: string, paths: string[]): ApiRoute => ({
    method: 'GET',
    paths,
    wildcard: 'name',
    name,
    scopes: ['queue:get-artifact:<name>'],
    handler: (req) => artifactContent(ctx, taskIdParam(req), runOf(req), nameParam(req)),
  });
  const info = (name: string, paths: string[]): ApiRoute => ({
    method: 'GET',
    paths,
    wildcard: 'name',
    name,
    scopes: ['queue:list-artifacts:<taskId>:<runId>'],
    handler: (req) => artifactInfo(ctx, taskIdParam(req), runOf(req), nameParam(req)),
  });
  const list = (name: string, paths: string[]): ApiRoute => ({
    method: 'GET',
    paths,
    name,
    scopes: ['queue:list-artifacts:<taskId>:<runId>'],
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
      scopes: ['queue:create-artifact:<taskId>/<runId>'],
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
      scopes: ['queue:create-artifact:<taskId>/<runId>'],
      handler: async (req, reply) => {
        const { uploadId } = req.body as { uploadId: string };
        await finishArtifact(ctx, taskIdParam(req), runIdParam(req), nameParam(req), uploadId);
        return reply.code(204).send();
      },
    },
    download('getArtifact', ['/task/:taskId/runs/:runId/artifacts/*']),
    download('getLatestArtifact', ['/task/:taskId/artifacts/*']),
    list('listArtifacts', ['/task/:taskId/runs/:runId/artifacts']),
    list('listLatestArtifacts', ['/task/:taskId/artifacts']),
    info('artifactInfo', ['/task/:taskId/runs/:runId/artifact-info/*']),
    info('latestArtifactInfo', ['/task/:taskId/artifact-info/*']),
    content('artifact', ['/task/:taskId/runs/:runId/artifact-content/*']),
    content('latestArtifact', ['/task/:taskId/artifact-content/*']),
  ];
}
