// Composes one object schema from several parts (the engine's and each plugin's), refusing clashes.
// Each part is an object schema; its `properties` become top-level properties of the composed schema,
// except `features`, whose own properties are merged key by key (each plugin adds its feature flags).
import type { JsonSchema } from './schema-files.js';

export interface SchemaPart {
  /** Who contributed the part (an engine or plugin name), for clash messages. */
  readonly owner: string;
  readonly schema: JsonSchema;
}

/** Properties whose sub-properties several parts may contribute to. */
const mergedObjects = ['features'] as const;

export class SchemaClashError extends Error {
  constructor(readonly clashes: readonly string[]) {
    super(`schema parts clash:\n  ${clashes.join('\n  ')}`);
    this.name = 'SchemaClashError';
  }
}

interface Owned {
  owner: string;
  schema: unknown;
}

export function composeObjectSchema(
  parts: readonly SchemaPart[],
  meta: { title: string; description?: string },
): JsonSchema {
  const properties = new Map<string, Owned>();
  const nested = new Map<string, Map<string, Owned>>(mergedObjects.map((key) => [key, new Map()]));
  const nestedDescriptions = new Map<string, string>();
  const definitions = new Map<string, Owned>();
  const required = new Set<string>();
  const clashes: string[] = [];

  const claim = (
    table: Map<string, Owned>,
    key: string,
    owner: string,
    schema: unknown,
    what: string,
  ): void => {
    const existing = table.get(key);
    if (existing && existing.owner !== owner)
      clashes.push(`${what} "${key}" is defined by both ${existing.owner} and ${owner}`);
    else table.set(key, { owner, schema });
  };

  for (const { owner, schema } of parts) {
    if (schema.type !== 'object') clashes.push(`${owner}: a schema part must be an object schema`);
    const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
    for (const [key, value] of Object.entries(props)) {
      const table = nested.get(key);
      if (table) {
        for (const [sub, subSchema] of Object.entries((value.properties ?? {}) as Record<string, unknown>)) {
          claim(table, sub, owner, subSchema, `${key}`);
        }
        if (typeof value.description === 'string') nestedDescriptions.set(key, value.description);
      } else claim(properties, key, owner, value, 'property');
    }
    for (const key of (schema.required ?? []) as string[]) required.add(key);
    const defs = (schema.definitions ?? {}) as Record<string, unknown>;
    for (const [key, value] of Object.entries(defs)) claim(definitions, key, owner, value, 'definition');
  }
  if (clashes.length > 0) throw new SchemaClashError(clashes);

  const composed: Record<string, unknown> = {};
  for (const [key, { schema }] of properties) composed[key] = schema;
  for (const [key, table] of nested) {
    if (table.size === 0) continue;
    composed[key] = {
      type: 'object',
      ...(nestedDescriptions.has(key) ? { description: nestedDescriptions.get(key) } : {}),
      additionalProperties: false,
      properties: Object.fromEntries([...table].map(([sub, { schema }]) => [sub, schema])),
      default: {},
    };
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: meta.title,
    ...(meta.description ? { description: meta.description } : {}),
    type: 'object',
    additionalProperties: false,
    required: [...required].sort(),
    properties: composed,
    ...(definitions.size > 0
      ? { definitions: Object.fromEntries([...definitions].map(([k, { schema }]) => [k, schema])) }
      : {}),
  };
}
