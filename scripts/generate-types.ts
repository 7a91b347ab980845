// Generates src/generated/<dir>/<name>.ts from schemas/<dir>/<name>.yml.
// `--check` exits 1 (listing the files) when the checked-in files are stale instead of writing them.
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderGeneratedTypes } from './render-generated-types.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const check = process.argv.includes('--check');
const stale: string[] = [];
for (const [file, text] of await renderGeneratedTypes()) {
  const path = join(root, file);
  const current = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  if (current === text) continue;
  if (check) stale.push(file);
  else {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    console.log(`wrote ${file}`);
  }
}
if (stale.length > 0) {
  console.error(`Generated types are stale; run \`npm run generate\`:\n  ${stale.join('\n  ')}`);
  process.exit(1);
}
