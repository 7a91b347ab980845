// The Ajv instances the worker uses. One for documents whose defaults we fill (config, payload),
// configured once so that every schema is checked the same way.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { JsonSchema } from './schema-files.js';

// ajv-formats is CommonJS; its default export arrives as the module object under NodeNext.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

export function createAjv(options: { useDefaults: boolean }): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    useDefaults: options.useDefaults,
    strict: true,
    strictRequired: false,
    allowUnionTypes: true,
  });
  addFormats(ajv);
  return ajv;
}

export interface Validator<T> {
  /** Returns the readable problems (empty when valid). Fills defaults into `value` in place. */
  (value: unknown): string[];
  readonly schema: JsonSchema;
  readonly _type?: T;
}

/** Compiles a schema into a validator that reports readable lines rooted at `rootName`. */
export function compileValidator<T>(ajv: Ajv, schema: JsonSchema, rootName: string): Validator<T> {
  const validate: ValidateFunction = ajv.compile(schema);
  const check = (value: unknown): string[] =>
    validate(value) ? [] : formatErrors(validate.errors ?? [], rootName);
  return Object.assign(check, { schema });
}

/** Turns Ajv errors into lines such as `payload.env.FOO must be string`. */
export function formatErrors(errors: readonly ErrorObject[], rootName: string): string[] {
  const lines = new Set<string>();
  for (const error of errors) {
    // oneOf/anyOf summaries repeat what their branches already said.
    if (error.keyword === 'oneOf' || error.keyword === 'anyOf' || error.keyword === 'if') continue;
    lines.add(`${pathOf(rootName, error.instancePath)} ${describe(error)}`);
  }
  return [...lines];
}

function pathOf(rootName: string, instancePath: string): string {
  if (instancePath === '') return rootName;
  return (
    rootName +
    instancePath
      .split('/')
      .slice(1)
      .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
      .map((segment) =>
        /^\d+$/.test(segment)
          ? `[${segment}]`
          : /^[A-Za-z_$][\w$]*$/.test(segment)
            ? `.${segment}`
            : `[${JSON.stringify(segment)}]`,
      )
      .join('')
  );
}

function describe(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return `has a property that is not allowed: "${String(params.additionalProperty)}"`;
    case 'required':
      return `is missing the required property "${String(params.missingProperty)}"`;
    case 'enum':
      return `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(params.allowedValue)}`;
    case 'uniqueItems':
      return `must not contain duplicate items (items ${String(params.j)} and ${String(params.i)} are identical)`;
    default:
      return error.message ?? `fails ${error.keyword}`;
  }
}
