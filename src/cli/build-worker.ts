// Builds a worker from a checked config: the engine, every plugin, the composed payload validator and the
// queue adapter, explicitly, in one place (shared by `work`, `demo` and `schema payload`).
import type { Logger } from 'pino';
import type { LoadedConfig } from '../config/load-config.js';
import type { Engine } from '../engines/types.js';
import type { Plugin, WorkerIdentity } from '../plugins/types.js';
import { createTaskclusterQueue } from '../queue/taskcluster-queue.js';
import type { WorkerQueue } from '../queue/types.js';
import type { JsonSchema } from '../schema/schema-files.js';
import { composePayloadSchema, createPayloadValidator } from '../task-run/payload-schema.js';
import { runTask } from '../task-run/run-task.js';
import { HttpWebhookServer } from '../webhooks/http-webhook-server.js';
import { webhookSettingsFrom } from '../webhooks/webhook-settings.js';
import type { WebhookServer } from '../webhooks/types.js';
import { Worker } from '../worker/worker.js';
import type { Registry } from './registry.js';

export function workerIdentity(config: LoadedConfig): WorkerIdentity {
  return {
    rootUrl: config.rootUrl,
    taskQueueId: config.taskQueueId,
    workerGroup: config.workerGroup,
    workerId: config.workerId,
    maxTaskRunTime: config.maxTaskRunTime,
    ...(config.workerLocation !== undefined ? { workerLocation: config.workerLocation } : {}),
    ...(config.instanceType !== undefined ? { instanceType: config.instanceType } : {}),
  };
}

export interface TaskRuntime {
  readonly engine: Engine;
  readonly plugins: readonly Plugin[];
  readonly payloadSchema: JsonSchema;
  readonly validatePayload: (payload: unknown) => string[];
  /** The one webhook server every plugin publishes its endpoints on. */
  readonly webhooks: WebhookServer & { readonly url: string };
  /** Releases the engine's resources and closes the webhook server. */
  dispose(): Promise<void>;
}

/** Creates the engine and the plugins; throws SchemaClashError when their payload parts clash. */
export async function buildTaskRuntime(
  config: LoadedConfig,
  registry: Registry,
  log: Logger,
): Promise<TaskRuntime> {
  const provider = registry.engines.find((engine) => engine.name === config.engine);
  if (!provider) throw new Error(`no engine named ${config.engine}`);
  const identity = workerIdentity(config);
  const engine = await provider.create({ config, log: log.child({ engine: provider.name }) });
  const webhooks = await HttpWebhookServer.start(
    webhookSettingsFrom(config),
    log.child({ component: 'webhooks' }),
  );
  const dispose = async (): Promise<void> => {
    // Open streams (live logs of tasks aborted at shutdown) end with the server.
    await Promise.all([engine.dispose?.(), webhooks.close()]);
  };
  try {
    const plugins = await Promise.all(
      registry.plugins.map(async (plugin) =>
        plugin.create({
          config,
          log: log.child({ plugin: plugin.name }),
          worker: identity,
          webhooks,
          payloadFormat: engine.payloadFormat ?? 'generic-worker',
        }),
      ),
    );
    const payloadSchema = composePayloadSchema(engine, plugins);
    return {
      engine,
      plugins,
      payloadSchema,
      validatePayload: createPayloadValidator(payloadSchema),
      webhooks,
      dispose,
    };
  } catch (error) {
    await dispose().catch(() => undefined);
    throw error;
  }
}

export interface BuiltWorker {
  readonly worker: Worker;
  readonly runtime: TaskRuntime;
}

export async function buildWorker(
  config: LoadedConfig,
  registry: Registry,
  log: Logger,
  queue?: WorkerQueue,
): Promise<BuiltWorker> {
  const runtime = await buildTaskRuntime(config, registry, log);
  const worker = new Worker({
    settings: {
      taskQueueId: config.taskQueueId,
      workerGroup: config.workerGroup,
      workerId: config.workerId,
      capacity: config.capacity,
      workDir: config.workDir,
      keepTaskDirs: config.keepTaskDirs,
      shutdownGracePeriod: config.shutdownGracePeriod,
    },
    identity: workerIdentity(config),
    queue: queue ?? createTaskclusterQueue({ rootUrl: config.rootUrl, credentials: config.credentials, log }),
    engine: runtime.engine,
    plugins: runtime.plugins,
    validatePayload: runtime.validatePayload,
    runTask,
    log,
  });
  return { worker, runtime };
}
