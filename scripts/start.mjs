#!/usr/bin/env node
// `npm start`: builds only when the build is missing or older than a source file (the build's
// own output goes to stderr: stdout carries MCP only), then runs the server in this process.
// npm's `> pkg start` banner goes to stderr too, by `json=true` in the project's .npmrc.
import process from 'node:process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL, URL } from 'node:url';
import { build } from './build.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const entry = join(root, 'dist', 'src', 'cli.js');

/** The newest modification time of a TypeScript source under dir. */
function newest(dir) {
  let latest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) latest = Math.max(latest, newest(p));
    else if (e.name.endsWith('.ts')) latest = Math.max(latest, statSync(p).mtimeMs);
  }
  return latest;
}

const sources = Math.max(...['src', 'tools', 'workspace'].map((d) => newest(join(root, d))), statSync(join(root, 'tsconfig.json')).mtimeMs);
// tsc rewrites every output on each build, so the entry's time is the build's time.
if (!existsSync(entry) || statSync(entry).mtimeMs < sources) {
  process.stderr.write('nox-campaign-mcp: building (the sources changed since the last build)...\n');
  if (!(await build())) {
    process.stderr.write('nox-campaign-mcp: the build failed (above); fix it or run `npm run build` to see why.\n');
    process.exit(1);
  }
}
await import(pathToFileURL(entry).href);
