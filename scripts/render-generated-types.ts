// Renders the TypeScript types of every schema in schemas/ (shared by the generator and its staleness test).
import { compile } from 'json-schema-to-typescript';
import { format } from 'prettier';
import { dirname, join } from 'node:path';
import { listSchemas, loadSchema, schemasDir } from '../src/schema/schema-files.js';

const banner = '/* Generated from schemas/ by `npm run generate`. Do not edit by hand. */\n';

/** Returns `[relative file path, file text]` for each schema. */
export async function renderGeneratedTypes(): Promise<Array<[string, string]>> {
  const out: Array<[string, string]> = [];
  for (const name of listSchemas()) {
    const schema = structuredClone(loadSchema(name));
    const typeName = typeof schema.title === 'string' ? schema.title : name;
    const ts = await compile(schema, typeName, {
      bannerComment: banner,
      cwd: join(schemasDir, dirname(name)),
      additionalProperties: false,
      strictIndexSignatures: true,
      format: false,
      declareExternallyReferenced: true,
    });
    out.push([
      `src/generated/${name}.ts`,
      await format(ts, { parser: 'typescript', singleQuote: true, printWidth: 110 }),
    ]);
  }
  return out;
}
