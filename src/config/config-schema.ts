// The full config schema: the worker's own keys (schemas/config/worker.yml), the engine's and each plugin's.
// Every plugin provider is part of it whether or not a task uses it, so a typo in any key is caught.
import type { EngineProvider } from '../engines/types.js';
import type { PluginProvider } from '../plugins/types.js';
import { composeObjectSchema, type SchemaPart } from '../schema/compose.js';
import { loadSchema, type JsonSchema } from '../schema/schema-files.js';

/** Composes the config schema; throws SchemaClashError when two parts define the same key. */
export function composeConfigSchema(
  engine: EngineProvider | undefined,
  plugins: readonly PluginProvider[],
): JsonSchema {
  const parts: SchemaPart[] = [{ owner: 'worker', schema: loadSchema('config/worker') }];
  if (engine?.configSchema) parts.push({ owner: `engine ${engine.name}`, schema: engine.configSchema });
  for (const plugin of plugins) {
    if (plugin.configSchema) parts.push({ owner: `plugin ${plugin.name}`, schema: plugin.configSchema });
  }
  return composeObjectSchema(parts, {
    title: 'Config',
    description: engine
      ? `Worker config with the ${engine.name} engine and ${plugins.length} plugins.`
      : 'Worker config.',
  });
}
