#!/usr/bin/env node
// `npm run build`: compiles with tsc into dist, then writes the tools/list JSON Schemas of the
// whole catalog into dist/src/tool-schemas.json, derived by the compiled modules themselves, so a
// start reads them instead of deriving them from zod (src/listing.ts). tsc's output goes to
// stderr: `npm start` builds before serving, and stdout carries MCP only.
import { spawnSync } from 'node:child_process';
import process from 'node:process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL, URL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Builds dist; returns false when tsc failed (its errors are on stderr). */
export async function build() {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const compiled = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json')], { stdio: ['ignore', 2, 2] });
  if (compiled.status !== 0) return false;
  // In a fresh process: this one must not keep the compiled modules it imports.
  const schemas = spawnSync(process.execPath, ['--input-type=module', '-e', WRITE_SCHEMAS], { cwd: root, stdio: ['ignore', 2, 2] });
  return schemas.status === 0;
}

const mod = (p) => JSON.stringify(pathToFileURL(join(root, 'dist', p)).href);
const WRITE_SCHEMAS = `
  const { catalog } = await import(${mod('tools/index.js')});
  const { servedOperations } = await import(${mod('src/app.js')});
  const { selectTools } = await import(${mod('src/catalog.js')});
  const { writeSchemaFile } = await import(${mod('src/listing.js')});
  writeSchemaFile(selectTools(servedOperations(catalog), {}));
`;

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (!(await build())) {
    process.stderr.write('build failed (above)\n');
    process.exit(1);
  }
}
