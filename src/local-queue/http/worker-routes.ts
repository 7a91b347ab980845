// Worker metadata calls: task queues, counts, pending and claimed listings, workers, provisioners.
import type { QueueContext } from '../domain/context.js';
import { joinTaskQueueId } from '../domain/task-model.js';
import {
  getProvisioner,
  getTaskQueue,
  getWorker,
  getWorkerType,
  listClaimedTasks,
  listPendingTasks,
  listProvisioners,
  listTaskQueues,
  listWorkers,
  listWorkerTypes,
  pendingTasks,
  quarantineWorker,
  taskQueueCounts,
} from '../domain/worker-views.js';
import { inputError } from '../errors.js';
import type { ApiRequest, ApiRoute } from './api-route.js';
import { identifierParam, pageQuery, taskQueueIdParam } from './params.js';

/** Encoded (`/x/prov%2Fwt/y`) and raw (`/x/prov/wt/y`) forms of a route with a taskQueueId. */
const both = (prefix: string, suffix = ''): string[] => [
  `${prefix}/:taskQueueId${suffix}`,
  `${prefix}/:taskQueueId/:workerType${suffix}`,
];

const provisionerQueue = (req: ApiRequest): string =>
  joinTaskQueueId(identifierParam(req, 'provisionerId'), identifierParam(req, 'workerType'));

const worker = (req: ApiRequest) =>
  [provisionerQueue(req), identifierParam(req, 'workerGroup'), identifierParam(req, 'workerId')] as const;

export function workerRoutes(ctx: QueueContext): ApiRoute[] {
  return [
    {
      method: 'GET',
      paths: both('/task-queues', '/counts'),
      name: 'taskQueueCounts',
      scopes: { AllOf: ['queue:pending-count:<taskQueueId>', 'queue:claimed-count:<taskQueueId>'] },
      scopeParams: (req) => ({ taskQueueId: taskQueueIdParam(req) }),
      handler: (req) => taskQueueCounts(ctx, taskQueueIdParam(req)),
    },
    {
      method: 'GET',
      paths: both('/task-queues', '/pending'),
      name: 'listPendingTasks',
      scopes: 'queue:pending-list:<taskQueueId>',
      scopeParams: (req) => ({ taskQueueId: taskQueueIdParam(req) }),
      handler: (req) => listPendingTasks(ctx, taskQueueIdParam(req), pageQuery(req)),
    },
    {
      method: 'GET',
      paths: both('/task-queues', '/claimed'),
      name: 'listClaimedTasks',
      scopes: 'queue:claimed-list:<taskQueueId>',
      scopeParams: (req) => ({ taskQueueId: taskQueueIdParam(req) }),
      handler: (req) => listClaimedTasks(ctx, taskQueueIdParam(req), pageQuery(req)),
    },
    {
      method: 'GET',
      paths: ['/pending/*'],
      wildcard: 'taskQueueId',
      name: 'pendingTasks',
      scopes: 'queue:pending-count:<taskQueueId>',
      scopeParams: (req) => ({ taskQueueId: taskQueueIdParam(req) }),
      handler: (req) => pendingTasks(ctx, taskQueueIdParam(req)),
    },
    {
      method: 'GET',
      paths: ['/task-queues'],
      name: 'listTaskQueues',
      scopes: 'queue:list-task-queues',
      handler: (req) => listTaskQueues(ctx, pageQuery(req)),
    },
    {
      method: 'GET',
      paths: both('/task-queues'),
      name: 'getTaskQueue',
      scopes: 'queue:get-task-queue:<taskQueueId>',
      scopeParams: (req) => ({ taskQueueId: taskQueueIdParam(req) }),
      handler: (req) => getTaskQueue(ctx, taskQueueIdParam(req)),
    },
    {
      method: 'GET',
      paths: ['/provisioners'],
      name: 'listProvisioners',
      scopes: 'queue:list-provisioners',
      handler: (req) => listProvisioners(ctx, pageQuery(req)),
    },
    {
      method: 'GET',
      paths: ['/provisioners/:provisionerId'],
      name: 'getProvisioner',
      scopes: 'queue:get-provisioner:<provisionerId>',
      handler: (req) => getProvisioner(ctx, identifierParam(req, 'provisionerId')),
    },
    {
      method: 'GET',
      paths: ['/provisioners/:provisionerId/worker-types'],
      name: 'listWorkerTypes',
      scopes: 'queue:list-worker-types:<provisionerId>',
      handler: (req) => listWorkerTypes(ctx, identifierParam(req, 'provisionerId'), pageQuery(req)),
    },
    {
      method: 'GET',
      paths: ['/provisioners/:provisionerId/worker-types/:workerType'],
      name: 'getWorkerType',
      scopes: 'queue:get-worker-type:<provisionerId>/<workerType>',
      handler: (req) => getWorkerType(ctx, provisionerQueue(req)),
    },
    {
      method: 'GET',
      paths: ['/provisioners/:provisionerId/worker-types/:workerType/workers'],
      name: 'listWorkers',
      scopes: 'queue:list-workers:<provisionerId>/<workerType>',
      handler: (req) => {
        const { quarantined } = req.query;
        if (quarantined !== undefined && quarantined !== 'true' && quarantined !== 'false') {
          throw inputError('Invalid query parameter `quarantined`: expected true or false');
        }
        const filter = quarantined === undefined ? undefined : quarantined === 'true';
        return listWorkers(ctx, provisionerQueue(req), pageQuery(req), filter);
      },
    },
    {
      method: 'GET',
      paths: ['/provisioners/:provisionerId/worker-types/:workerType/workers/:workerGroup/:workerId'],
      name: 'getWorker',
      scopes: 'queue:get-worker:<provisionerId>/<workerType>/<workerGroup>/<workerId>',
      handler: (req) => getWorker(ctx, ...worker(req)),
    },
    {
      method: 'PUT',
      paths: ['/provisioners/:provisionerId/worker-types/:workerType/workers/:workerGroup/:workerId'],
      name: 'quarantineWorker',
      scopes: { AllOf: ['queue:quarantine-worker:<provisionerId>/<workerType>/<workerGroup>/<workerId>'] },
      input: 'queue/quarantine-worker-request',
      handler: (req) =>
        quarantineWorker(
          ctx,
          ...worker(req),
          req.body as { quarantineUntil: string; quarantineInfo?: string },
        ),
    },
  ];
}
