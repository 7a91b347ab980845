// The worker interface: claimWork, reclaimTask and the reports.
import type { QueueContext } from '../domain/context.js';
import {
  claimWork,
  reclaimTask,
  reportException,
  reportResult,
  type ClaimWorkRequest,
  type ExceptionReason,
} from '../domain/run-operations.js';
import type { ApiRoute } from './api-route.js';
import { runIdParam, taskIdParam, taskQueueIdParam } from './params.js';
import { withBody } from './scope-params.js';

export function runRoutes(ctx: QueueContext): ApiRoute[] {
  return [
    {
      method: 'POST',
      paths: ['/claim-work/*'],
      wildcard: 'taskQueueId',
      name: 'claimWork',
      input: 'queue/claim-work-request',
      scopes: { AllOf: ['queue:claim-work:<taskQueueId>', 'queue:worker-id:<workerGroup>/<workerId>'] },
      scopeParams: (req) => withBody(req, { taskQueueId: taskQueueIdParam(req) }),
      handler: async (req) => ({
        tasks: await claimWork(ctx, taskQueueIdParam(req), req.body as ClaimWorkRequest, req.signal),
      }),
    },
    {
      method: 'POST',
      paths: ['/task/:taskId/runs/:runId/reclaim'],
      name: 'reclaimTask',
      scopes: 'queue:reclaim-task:<taskId>/<runId>',
      handler: (req) => reclaimTask(ctx, taskIdParam(req), runIdParam(req)),
    },
    {
      method: 'POST',
      paths: ['/task/:taskId/runs/:runId/completed'],
      name: 'reportCompleted',
      scopes: 'queue:resolve-task:<taskId>/<runId>',
      handler: async (req) => ({
        status: await reportResult(ctx, taskIdParam(req), runIdParam(req), 'completed'),
      }),
    },
    {
      method: 'POST',
      paths: ['/task/:taskId/runs/:runId/failed'],
      name: 'reportFailed',
      scopes: 'queue:resolve-task:<taskId>/<runId>',
      handler: async (req) => ({
        status: await reportResult(ctx, taskIdParam(req), runIdParam(req), 'failed'),
      }),
    },
    {
      method: 'POST',
      paths: ['/task/:taskId/runs/:runId/exception'],
      name: 'reportException',
      input: 'queue/report-exception-request',
      scopes: 'queue:resolve-task:<taskId>/<runId>',
      handler: async (req) => {
        const { reason } = req.body as { reason: ExceptionReason };
        return { status: await reportException(ctx, taskIdParam(req), runIdParam(req), reason) };
      },
    },
  ];
}
