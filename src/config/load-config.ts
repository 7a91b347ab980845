// Loads a worker config file (YAML or JSON): the environment fills in what the file leaves out, the composed
// schema fills defaults and finds every problem at once, and the result is frozen.
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parseDocument } from 'yaml';
import type { EngineProvider } from '../engines/types.js';
import type { WorkerConfig } from '../generated/config/worker.js';
import type { PluginProvider } from '../plugins/types.js';
import { compileValidator, createAjv } from '../schema/ajv.js';
import { ConfigError } from './config-error.js';
import { composeConfigSchema } from './config-schema.js';

/** Values from TASKCLUSTER_* variables, read by the CLI (only the CLI reads the environment). */
export interface ConfigEnvironment {
  rootUrl?: string | undefined;
  clientId?: string | undefined;
  accessToken?: string | undefined;
  certificate?: string | undefined;
}

type Defaulted =
  'capacity' | 'engine' | 'maxTaskRunTime' | 'shutdownGracePeriod' | 'keepTaskDirs' | 'logLevel';

/** The worker's keys with their defaults applied, plus the engine's and plugins' keys. */
export type LoadedConfig = Readonly<WorkerConfig & Required<Pick<WorkerConfig, Defaulted>>> & {
  readonly [key: string]: unknown;
};

export interface LoadConfigOptions {
  env?: ConfigEnvironment;
  engines: readonly EngineProvider[];
  plugins: readonly PluginProvider[];
}

/** Reads and checks a config file; throws ConfigError listing every problem. */
export function loadConfigFile(path: string, options: LoadConfigOptions): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(path, [`cannot read the file: ${(error as Error).message}`]);
  }
  return parseConfig(text, path, options);
}

/** Parses and checks config text; `file` names it in problems and picks JSON for `.json`, else YAML. */
export function parseConfig(text: string, file: string, options: LoadConfigOptions): LoadedConfig {
  return checkConfig(parseText(text, file), file, options);
}

/** Checks a config value built in code (the demo's) exactly as a file's; `file` names it in problems. */
export function checkConfig(raw: unknown, file: string, options: LoadConfigOptions): LoadedConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new ConfigError(file, ['the config must be a mapping of keys to values']);
  const config = applyEnvironment(raw as Record<string, unknown>, options.env ?? {});

  const problems: string[] = [];
  // Which engine's keys belong in the schema depends on the file itself.
  const engineName = config.engine === undefined ? 'process' : config.engine;
  const engine = options.engines.find((candidate) => candidate.name === engineName);
  if (!engine && typeof engineName === 'string') {
    const known = options.engines.map((candidate) => JSON.stringify(candidate.name)).join(', ');
    problems.push(`config.engine must be one of ${known} (not ${JSON.stringify(engineName)})`);
  }
  const schema = composeConfigSchema(engine, options.plugins);
  const validate = compileValidator<LoadedConfig>(createAjv({ useDefaults: true }), schema, 'config');
  problems.push(...validate(config));
  if (problems.length > 0) throw new ConfigError(file, problems);
  return deepFreeze(config) as LoadedConfig;
}

function parseText(text: string, file: string): unknown {
  if (extname(file).toLowerCase() === '.json') {
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new ConfigError(file, [`not valid JSON: ${(error as Error).message}`]);
    }
  }
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0)
    throw new ConfigError(
      file,
      document.errors.map((error) => `not valid YAML: ${error.message.split('\n')[0] ?? error.message}`),
    );
  return document.toJS() as unknown;
}

/**
 * The file wins: TASKCLUSTER_ROOT_URL only fills a missing `rootUrl`, and the TASKCLUSTER_CLIENT_ID /
 * _ACCESS_TOKEN / _CERTIFICATE set only a missing `credentials` (as a whole: mixing a permanent token from
 * the file with a certificate left in the environment would never authenticate).
 */
export function applyEnvironment(
  raw: Record<string, unknown>,
  env: ConfigEnvironment,
): Record<string, unknown> {
  const config: Record<string, unknown> = structuredClone(raw);
  if (config.rootUrl === undefined && env.rootUrl) config.rootUrl = env.rootUrl;
  if (config.credentials === undefined && (env.clientId || env.accessToken)) {
    config.credentials = {
      ...(env.clientId ? { clientId: env.clientId } : {}),
      ...(env.accessToken ? { accessToken: env.accessToken } : {}),
      ...(env.certificate ? { certificate: env.certificate } : {}),
    };
  }
  return config;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
