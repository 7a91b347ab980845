// The payload schema of a worker: the engine's part composed with every enabled plugin's part, checked once at
// start-up (a clash throws SchemaClashError there, not when a task arrives).
import type { Engine } from '../engines/types.js';
import type { Plugin } from '../plugins/types.js';
import { compileValidator, createAjv } from '../schema/ajv.js';
import { composeObjectSchema, type SchemaPart } from '../schema/compose.js';
import type { JsonSchema } from '../schema/schema-files.js';

/** Composes the payload schema; throws SchemaClashError when two parts define the same property. */
export function composePayloadSchema(engine: Engine, plugins: readonly Plugin[]): JsonSchema {
  const parts: SchemaPart[] = [{ owner: `engine ${engine.name}`, schema: engine.payloadSchema }];
  for (const plugin of plugins) {
    if (plugin.payloadSchema) parts.push({ owner: `plugin ${plugin.name}`, schema: plugin.payloadSchema });
  }
  return composeObjectSchema(parts, {
    title: 'Payload',
    description: `Task payload of a worker running the ${engine.name} engine.`,
  });
}

/**
 * A validator for the composed schema: returns readable problem lines rooted at `payload` (empty when
 * valid) and fills defaults into the value it is given, in place (callers pass a copy).
 */
export function createPayloadValidator(schema: JsonSchema): (payload: unknown) => string[] {
  return compileValidator<unknown>(createAjv({ useDefaults: true }), schema, 'payload');
}
