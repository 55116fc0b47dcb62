// The JSON Schemas that tools/list shows, derived from the tools' zod schemas ahead of time.
// Deriving them for the whole catalog was most of a start's own work (about 130 ms of a 560 ms
// start, docs/bench.md), so the build derives them once into dist/src/tool-schemas.json
// (scripts/build.mjs) and a start reads that file. listTools derives whatever the file does not
// hold (the compact surface's own tools, a test's catalog), and the whole file is ignored when the
// modules beside it are not the ones that wrote it (a later `tsc` alone, another zod), so a stale
// file is never listed. test/unit/listing.test.ts keeps file and derivation equal.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { Listable } from './catalog.js';
import { inputJsonSchema, outputJsonSchema } from './catalog.js';

export interface ToolSchemas {
  inputSchema: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
}

/** The listed schemas of tools, by tool name. */
export type SchemaTable = ReadonlyMap<string, ToolSchemas>;

interface SchemaFile {
  /** What built the file: the compiled modules' sizes and times, and zod's version. */
  build: string;
  tools: Record<string, ToolSchemas>;
}

/** Beside the compiled engine: dist/src/tool-schemas.json (absent when running from the sources). */
export const SCHEMA_FILE = join(dirname(fileURLToPath(import.meta.url)), 'tool-schemas.json');

/** The schemas of one tool as tools/list shows them (outputSchema only where the tool has an output). */
export function deriveSchemas(t: Listable): ToolSchemas {
  return { inputSchema: inputJsonSchema(t), ...(t.output ? { outputSchema: outputJsonSchema({ output: t.output }) } : {}) };
}

/**
 * The compiled modules that can shape a schema (the engine and the contracts; not the embedded
 * workspace) and zod's version. By content, not by time: a packed and installed build keeps its
 * file, and any compile that changes a module makes the file another build's. About 2 ms, on files
 * the start has just loaded.
 */
function buildStamp(file: string): string {
  const dist = join(dirname(file), '..');
  const h = createHash('sha256').update(`zod ${JSON.stringify(z.core.version)}\n`);
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.js')) h.update(`${relative(dist, p)}\n`).update(readFileSync(p));
    }
  };
  for (const top of ['src', 'tools']) walk(join(dist, top));
  return h.digest('hex');
}

/** Writes the schemas of the given tools for the modules beside this one (the build's last step). */
export function writeSchemaFile(tools: Listable[], path = SCHEMA_FILE): void {
  const file: SchemaFile = { build: buildStamp(path), tools: Object.fromEntries(tools.map((t) => [t.name, deriveSchemas(t)])) };
  writeFileSync(path, JSON.stringify(file));
}

/** The build's schemas, or undefined when there is no file or it is not this build's (then listTools derives). */
export function readSchemaFile(path = SCHEMA_FILE): SchemaTable | undefined {
  try {
    const file = JSON.parse(readFileSync(path, 'utf8')) as SchemaFile;
    return file.build === buildStamp(path) ? new Map(Object.entries(file.tools)) : undefined;
  } catch {
    return undefined; // no file (running from the sources), or not one of ours
  }
}
