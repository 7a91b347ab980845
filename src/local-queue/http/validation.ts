// Request bodies are checked against the JSON Schemas (schemas/queue/*.yml, schemas/object/*.yml) with
// Ajv before any handler sees them; a failure is an InputError listing every problem.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { listSchemas, loadSchema } from '../../schema/schema-files.js';
import { inputError } from '../errors.js';

// ajv-formats is CommonJS; under NodeNext its default export arrives as the module object.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

export type BodySchema =
  | 'queue/create-task-request'
  | 'queue/claim-work-request'
  | 'queue/report-exception-request'
  | 'queue/create-artifact-request'
  | 'queue/finish-artifact-request'
  | 'queue/tasks-request'
  | 'queue/quarantine-worker-request'
  | 'object/create-upload-request'
  | 'object/finish-upload-request'
  | 'object/download-object-request';

export class BodyValidator {
  private readonly ajv: Ajv;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor() {
    this.ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
    addFormats(this.ajv);
    // Register every queue and object schema so `$ref: identifier.yml` resolves against its $id.
    for (const name of listSchemas().filter((n) => n.startsWith('queue/') || n.startsWith('object/')))
      this.ajv.addSchema(loadSchema(name));
  }

  /** Throws an InputError unless `body` matches the schema. */
  check<T>(schema: BodySchema, body: unknown): T {
    const validate = this.validator(schema);
    if (!validate(body)) {
      const lines = (validate.errors ?? []).filter(useful).map(describe);
      throw inputError(
        `Schema Validation Failed!\nRejecting Schema: ${String(loadSchema(schema).$id)}\nErrors:\n` +
          [...new Set(lines)].map((line) => `  * ${line}`).join('\n'),
      );
    }
    return body as T;
  }

  private validator(schema: BodySchema): ValidateFunction {
    let validate = this.compiled.get(schema);
    if (!validate) {
      const id = String(loadSchema(schema).$id);
      validate = this.ajv.getSchema(id);
      if (!validate) throw new Error(`schema ${schema} is not registered`);
      this.compiled.set(schema, validate);
    }
    return validate;
  }
}

// oneOf summaries repeat what their branches said.
const useful = (error: ErrorObject): boolean => error.keyword !== 'oneOf' && error.keyword !== 'if';

const describe = (error: ErrorObject): string => {
  const where = `data${error.instancePath.replace(/\//g, '.')}`;
  if (error.keyword === 'additionalProperties') {
    return `${where} must NOT have additional property \`${String(error.params.additionalProperty)}\``;
  }
  if (error.keyword === 'const') return `${where} must be ${JSON.stringify(error.params.allowedValue)}`;
  if (error.keyword === 'enum') {
    return `${where} must be one of ${JSON.stringify(error.params.allowedValues)}`;
  }
  return `${where} ${error.message ?? 'is invalid'}`;
};
