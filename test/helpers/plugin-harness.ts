// Runs plugins through every stage of a real task run (runTask) against an engine (the fake one by default),
// with artifacts going to a FakeRunArtifacts, and returns what a test asserts on.
import { chmod, readFile } from 'node:fs/promises';
import type { Engine, PayloadFormat } from '../../src/engines/types.js';
import type { Resolution } from '../../src/errors.js';
import type { TaskDefinition } from '../../src/generated/queue/task-definition.js';
import { silentLog } from '../../src/log/worker-log.js';
import type {
  Plugin,
  PluginProvider,
  RunCredentials,
  TaskContext,
  TaskPlugin,
  WorkerIdentity,
} from '../../src/plugins/types.js';
import { composePayloadSchema, createPayloadValidator } from '../../src/task-run/payload-schema.js';
import { runTask } from '../../src/task-run/run-task.js';
import { FakeEngine, type FakeEngineOptions } from './fake-engine.js';
import { FakeRunArtifacts } from './fake-run-artifacts.js';
import { makeTask, newTaskId, tempDir, testWorker } from './task-fixtures.js';

export interface HarnessOptions {
  plugins: ReadonlyArray<PluginProvider | Plugin>;
  payload: unknown;
  /** An engine, or the fake engine's options. */
  engine?: Engine | FakeEngineOptions;
  worker?: Partial<WorkerIdentity>;
  task?: Partial<TaskDefinition>;
  signal?: AbortSignal;
  hookTimeoutMs?: number;
  /** Artifacts to use (default: a fresh FakeRunArtifacts, closed at the end). */
  artifacts?: FakeRunArtifacts;
  /** Worker config the plugins are created with (e.g. `{ artifacts: { storageType: 'object' } }`). */
  config?: Record<string, unknown>;
  /** The payload format the plugins are created for (default: generic-worker). */
  payloadFormat?: PayloadFormat;
  /** The run's credentials, for plugins that act for the task. */
  credentials?: RunCredentials;
}

export interface HarnessResult {
  resolution: Resolution;
  /** The complete task log. */
  log: string;
  artifacts: FakeRunArtifacts;
  engine: Engine;
  /** Stages seen by a recording plugin that runs beside the plugins under test. */
  stages: string[];
}

/** A plugin that records every stage and keeps a copy of the closed task log. */
export function recorderPlugin(): { plugin: Plugin; stages: string[]; log: () => string } {
  const stages: string[] = [];
  let log = '';
  const hooks = (ctx: TaskContext): TaskPlugin => ({
    buildSandbox: () => void stages.push('buildSandbox'),
    started: () => void stages.push('started'),
    stopped: () => void stages.push('stopped'),
    finished: async (resolution) => {
      stages.push(`finished:${resolution.kind}`);
      // As a plugin must: the file may still be taking the log's last write.
      await ctx.log.close?.();
      log = await readFile(ctx.taskLogPath, 'utf8');
    },
    exception: (resolution) => void stages.push(`exception:${resolution.kind}`),
    dispose: () => void stages.push('dispose'),
  });
  return {
    plugin: { name: 'recorder', runsForMalformedPayload: true, forTask: (ctx) => hooks(ctx) },
    stages,
    log: () => log,
  };
}

export async function runWithPlugins(options: HarnessOptions): Promise<HarnessResult> {
  const artifacts = options.artifacts ?? (await FakeRunArtifacts.start());
  const config = options.config ?? {};
  // The fake also plays the object service, at its base URL as the deployment's root URL.
  const objectStorage = (config.artifacts as { storageType?: string } | undefined)?.storageType === 'object';
  const worker = {
    ...testWorker,
    ...(objectStorage ? { rootUrl: artifacts.baseUrl } : {}),
    ...options.worker,
  };
  const plugins: Plugin[] = [];
  for (const item of options.plugins)
    plugins.push(
      'create' in item
        ? await item.create({
            config,
            log: silentLog(),
            worker,
            ...(options.payloadFormat ? { payloadFormat: options.payloadFormat } : {}),
          })
        : item,
    );
  const recorder = recorderPlugin();
  plugins.push(recorder.plugin);
  const engine =
    options.engine && 'prepare' in options.engine ? options.engine : new FakeEngine(options.engine ?? {});
  const validatePayload = createPayloadValidator(composePayloadSchema(engine, plugins));
  const workDir = await tempDir();
  // Searchable like a worker's workDir (created 0755), so that the sandbox engine's task user reaches its run.
  await chmod(workDir.path, 0o711);
  try {
    const resolution = await runTask({
      taskId: newTaskId(),
      runId: 0,
      task: makeTask(options.payload, options.task),
      engine,
      plugins,
      validatePayload,
      workDir: workDir.path,
      keepTaskDir: false,
      artifacts,
      worker,
      workerLog: silentLog(),
      signal: options.signal ?? new AbortController().signal,
      ...(options.hookTimeoutMs !== undefined ? { hookTimeoutMs: options.hookTimeoutMs } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
    });
    return { resolution, log: recorder.log(), artifacts, engine, stages: recorder.stages };
  } finally {
    if (!options.artifacts) await artifacts.close();
    await workDir.remove();
  }
}
