// Reads the JSON Schema sources (YAML) shipped in the package's schemas/ folder.
// The folder sits two levels above this file both in src/ (tsx) and in dist/ (compiled).
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export type JsonSchema = Record<string, unknown>;

export const schemasDir = fileURLToPath(new URL('../../schemas/', import.meta.url));

const cache = new Map<string, JsonSchema>();

/** Loads `schemas/<name>.yml`, e.g. `loadSchema('payload/env')`. Cached; callers must not mutate it. */
export function loadSchema(name: string): JsonSchema {
  let schema = cache.get(name);
  if (!schema) {
    schema = parse(readFileSync(join(schemasDir, `${name}.yml`), 'utf8')) as JsonSchema;
    cache.set(name, schema);
  }
  return schema;
}

/** Every schema name under schemas/, e.g. `['config/worker', 'payload/env', ...]`, sorted. */
export function listSchemas(): string[] {
  const names: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.yml')) names.push(relative(schemasDir, path).slice(0, -'.yml'.length));
    }
  };
  walk(schemasDir);
  return names.sort();
}
