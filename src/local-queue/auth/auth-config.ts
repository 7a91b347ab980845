// The queue's auth configuration file (schemas/local-queue/auth-config.yml): static clients, roles and the
// clock skew, read from YAML or JSON and checked against the schema, defaults filled.
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import type { QueueAuthConfig } from '../../generated/local-queue/auth-config.js';
import { compileValidator, createAjv } from '../../schema/ajv.js';
import { loadSchema } from '../../schema/schema-files.js';

export type { QueueAuthConfig };

export class QueueAuthConfigError extends Error {}

export async function loadQueueAuthConfig(path: string): Promise<Required<QueueAuthConfig>> {
  let value: unknown;
  try {
    // YAML is a superset of JSON: one parser reads both.
    value = parse(await readFile(path, 'utf8')) ?? {};
  } catch (error) {
    throw new QueueAuthConfigError(`cannot read ${path}: ${(error as Error).message}`);
  }
  const validate = compileValidator<QueueAuthConfig>(
    createAjv({ useDefaults: true }),
    loadSchema('local-queue/auth-config'),
    'config',
  );
  const problems = validate(value);
  if (problems.length > 0) {
    throw new QueueAuthConfigError(`${path} is not a valid queue config:\n  ${problems.join('\n  ')}`);
  }
  return value as Required<QueueAuthConfig>;
}
