// `tc-worker schema config|payload`: prints the composed JSON Schema, as this build validates it.
import { tmpdir } from 'node:os';
import { ConfigError } from '../config/config-error.js';
import { composeConfigSchema } from '../config/config-schema.js';
import { checkConfig, loadConfigFile, type LoadedConfig } from '../config/load-config.js';
import { silentLog } from '../log/worker-log.js';
import { buildTaskRuntime } from './build-worker.js';
import { exitCodes } from './exit-codes.js';
import type { CliIo } from './io.js';
import type { Registry } from './registry.js';
import { configEnvironment } from './work-command.js';

export function schemaConfigCommand(engineName: string, io: CliIo, registry: Registry): number {
  const engine = registry.engines.find((candidate) => candidate.name === engineName);
  if (!engine) {
    io.stderr(`unknown engine ${engineName}; known: ${registry.engines.map((e) => e.name).join(', ')}\n`);
    return exitCodes.usage;
  }
  io.stdout(`${JSON.stringify(composeConfigSchema(engine, registry.plugins), null, 2)}\n`);
  return exitCodes.ok;
}

/** A config that only serves to build the plugins when no file is given (the payload schema's defaults). */
function placeholderConfig(registry: Registry, engine: string): LoadedConfig {
  return checkConfig(
    {
      rootUrl: 'https://tc.example.com',
      credentials: { clientId: 'schema', accessToken: 'schema' },
      taskQueueId: 'tc-worker/schema',
      workerGroup: 'schema',
      workerId: 'schema',
      workDir: tmpdir(),
      engine,
    },
    '(built-in defaults)',
    registry,
  );
}

export async function schemaPayloadCommand(
  options: { config?: string | undefined; engine: string },
  io: CliIo,
  registry: Registry,
): Promise<number> {
  let config: LoadedConfig;
  try {
    config = options.config
      ? loadConfigFile(options.config, { ...registry, env: configEnvironment(io) })
      : placeholderConfig(registry, options.engine);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr(`${error.message}\n`);
    return exitCodes.config;
  }
  const runtime = await buildTaskRuntime(config, registry, silentLog());
  try {
    io.stdout(`${JSON.stringify(runtime.payloadSchema, null, 2)}\n`);
  } finally {
    await runtime.dispose();
  }
  return exitCodes.ok;
}
