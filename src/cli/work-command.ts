// `tc-worker work --config FILE`: loads and checks the config, builds the worker and runs it until signals
// stop it: the first SIGTERM/SIGINT drains, the second aborts running tasks.
import { mkdir } from 'node:fs/promises';
import type { Logger } from 'pino';
import { ConfigError } from '../config/config-error.js';
import { loadConfigFile, type LoadedConfig } from '../config/load-config.js';
import { createWorkerLog } from '../log/worker-log.js';
import { SchemaClashError } from '../schema/compose.js';
import { buildWorker } from './build-worker.js';
import { exitCodes } from './exit-codes.js';
import type { CliIo } from './io.js';
import type { Registry } from './registry.js';

/** TASKCLUSTER_* values that fill in what the config file leaves out. */
export function configEnvironment(io: CliIo): {
  rootUrl?: string | undefined;
  clientId?: string | undefined;
  accessToken?: string | undefined;
  certificate?: string | undefined;
} {
  return {
    rootUrl: io.env.TASKCLUSTER_ROOT_URL,
    clientId: io.env.TASKCLUSTER_CLIENT_ID,
    accessToken: io.env.TASKCLUSTER_ACCESS_TOKEN,
    certificate: io.env.TASKCLUSTER_CERTIFICATE,
  };
}

export async function workCommand(configPath: string, io: CliIo, registry: Registry): Promise<number> {
  let config: LoadedConfig;
  try {
    config = loadConfigFile(configPath, { ...registry, env: configEnvironment(io) });
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr(`${error.message}\n`);
      return exitCodes.config;
    }
    throw error;
  }
  const log = createWorkerLog({
    level: config.logLevel,
    base: { workerGroup: config.workerGroup, workerId: config.workerId },
  });
  return runWorker(config, io, registry, log);
}

/** Runs a worker for a checked config until it stops; the exit code says why it stopped. */
export async function runWorker(
  config: LoadedConfig,
  io: CliIo,
  registry: Registry,
  log: Logger,
): Promise<number> {
  try {
    await mkdir(config.workDir, { recursive: true });
  } catch (error) {
    log.fatal({ err: error, workDir: config.workDir }, 'cannot create the work directory');
    io.stderr(`cannot create workDir ${config.workDir}: ${(error as Error).message}\n`);
    return exitCodes.config;
  }
  let built: Awaited<ReturnType<typeof buildWorker>>;
  try {
    built = await buildWorker(config, registry, log);
  } catch (error) {
    log.fatal({ err: error }, 'cannot build the worker');
    io.stderr(`cannot start the worker: ${(error as Error).message}\n`);
    return error instanceof SchemaClashError ? exitCodes.config : exitCodes.fatal;
  }
  const { worker, runtime } = built;
  // A bug that leaves a promise unhandled somewhere in a task's plugins must not take every other running
  // task down with the worker: log it (each task still resolves through its own error handling and timeouts).
  const stopCatching = io.onStrayError?.((error, kind) =>
    log.error({ err: error, kind }, 'an error escaped its handler; the worker keeps running'),
  );
  const stopListening = io.onShutdownSignal((count, signal) => {
    log.info({ signal, count }, count === 1 ? 'stopping gracefully' : 'stopping now');
    worker.stop({ graceful: count === 1 });
  });
  try {
    const result = await worker.run();
    return result.forced ? exitCodes.forcedShutdown : exitCodes.ok;
  } catch (error) {
    log.fatal({ err: error }, 'worker failed');
    return exitCodes.fatal;
  } finally {
    stopListening();
    stopCatching?.();
    await runtime.dispose().catch((error: unknown) => log.error({ err: error }, 'engine dispose failed'));
    await flush(log);
  }
}

/** pino writes asynchronously to stdout; make sure the last lines are out before the process exits. */
export function flush(log: Logger): Promise<void> {
  return new Promise((resolve) => log.flush(() => resolve()));
}
