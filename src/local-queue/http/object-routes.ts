// The object service subset served next to the queue, at /api/object/v1: uploads (createUpload,
// finishUpload), downloads (startDownload, and download, the `simple` redirect) and object metadata.
// taskcluster-client's upload() and download() helpers, and the queue's object artifacts, use these.
import type { CreateUploadRequest } from '../../generated/object/create-upload-request.js';
import type { DownloadObjectRequest } from '../../generated/object/download-object-request.js';
import type { FinishUploadRequest } from '../../generated/object/finish-upload-request.js';
import { read, type QueueContext } from '../domain/context.js';
import {
  createUpload,
  finishedObject,
  finishUpload,
  objectDownloadUrl,
  objectMetadata,
  startDownload,
} from '../domain/object-operations.js';
import type { ApiRoute } from './api-route.js';
import { nameParam } from './params.js';
import { withBody } from './scope-params.js';

export function objectRoutes(ctx: QueueContext): ApiRoute[] {
  return [
    {
      method: 'PUT',
      paths: ['/upload/*'],
      wildcard: 'name',
      name: 'createUpload',
      input: 'object/create-upload-request',
      scopes: 'object:upload:<projectId>:<name>',
      scopeParams: (req) => withBody(req),
      handler: (req) => createUpload(ctx, nameParam(req), req.body as CreateUploadRequest),
    },
    {
      method: 'POST',
      paths: ['/finish-upload/*'],
      wildcard: 'name',
      name: 'finishUpload',
      input: 'object/finish-upload-request',
      scopes: 'object:upload:<projectId>:<name>',
      scopeParams: (req) => withBody(req),
      handler: async (req) => {
        await finishUpload(ctx, nameParam(req), req.body as FinishUploadRequest);
        return {};
      },
    },
    {
      method: 'PUT',
      paths: ['/start-download/*'],
      wildcard: 'name',
      name: 'startDownload',
      input: 'object/download-object-request',
      scopes: 'object:download:<name>',
      handler: (req) =>
        startDownload(ctx, nameParam(req), (req.body as DownloadObjectRequest).acceptDownloadMethods),
    },
    {
      method: 'GET',
      paths: ['/metadata/*'],
      wildcard: 'name',
      name: 'object',
      scopes: 'object:download:<name>',
      handler: (req) => objectMetadata(ctx, nameParam(req)),
    },
    {
      method: 'GET',
      paths: ['/download/*'],
      wildcard: 'name',
      name: 'download',
      scopes: 'object:download:<name>',
      handler: async (req, reply) => {
        const name = nameParam(req);
        await read(ctx, (tx, now) => finishedObject(tx, name, now));
        const { url } = await objectDownloadUrl(ctx, name);
        return reply.code(303).header('location', url).send();
      },
    },
  ];
}
