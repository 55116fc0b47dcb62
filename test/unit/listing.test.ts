// The build's tools/list schemas (dist/src/tool-schemas.json, src/listing.ts) are exactly what
// deriving them from zod gives, the built server lists exactly the derived list, and a file that
// is not the build's own is never used.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { selectTools } from '../../src/catalog.js';
import { servedOperations } from '../../src/app.js';
import { listTools } from '../../src/server.js';
import { deriveSchemas, readSchemaFile, writeSchemaFile } from '../../src/listing.js';
import { catalog } from '../../tools/index.js';
import { repoRoot, spawnServer } from '../helpers/spawn.js';

const all = selectTools(servedOperations(catalog), {});
const scratch = mkdtempSync(join(tmpdir(), 'nox-listing-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the build’s tools/list schemas', () => {
  it('hold every served tool, each exactly as derived from its zod schemas', async () => {
    const built: typeof import('../../src/listing.js') = await import(pathToFileURL(join(repoRoot, 'dist/src/listing.js')).href);
    const table = built.readSchemaFile();
    expect(table, 'dist/src/tool-schemas.json missing or stale: run npm run build').toBeDefined();
    expect([...table!.keys()]).toEqual(all.map((t) => t.name));
    for (const t of all) expect(table!.get(t.name), t.name).toEqual(deriveSchemas(t));
  });

  it('give the built server the derived list, with and without output schemas, read from the build', async () => {
    for (const args of [[], ['--no-output-schemas']]) {
      const s = await spawnServer(join(scratch, `data-${args.length}`), { NOX_LOG_LEVEL: 'info' }, args);
      try {
        const listed = (await s.client.listTools()).tools;
        expect(listed).toEqual(JSON.parse(JSON.stringify(listTools(all, { outputSchemas: args.length === 0 }))));
        // The start says where its schemas came from (the log is asynchronous: wait for the line).
        for (let i = 0; i < 100 && !s.stderr().includes('serving MCP over stdio'); i++) await new Promise((r) => setTimeout(r, 50));
        expect(s.stderr()).toContain('"schemas":"build"');
      } finally {
        await s.close();
      }
    }
  });

  it('are used only by the build that wrote them', () => {
    const dist = join(scratch, 'dist');
    mkdirSync(join(dist, 'src'), { recursive: true });
    mkdirSync(join(dist, 'tools'), { recursive: true });
    const contract = join(dist, 'tools', 'contract.js');
    writeFileSync(contract, 'export {};\n');
    const file = join(dist, 'src', 'tool-schemas.json');
    const two = all.slice(0, 2);
    writeSchemaFile(two, file);
    expect([...readSchemaFile(file)!.entries()]).toEqual(two.map((t) => [t.name, deriveSchemas(t)]));
    // A later compile alone that changes a module makes the file another build's.
    writeFileSync(contract, 'export const changed = true;\n');
    expect(readSchemaFile(file)).toBeUndefined();
    expect(readSchemaFile(join(scratch, 'nowhere', 'tool-schemas.json'))).toBeUndefined();
  });

  it('are what listTools lists for the tools they hold; a tool they lack is derived', () => {
    const [first, second] = all;
    const marked = { inputSchema: { type: 'object', title: 'from the table' } };
    const listed = listTools([first!, second!], { schemas: new Map([[first!.name, marked]]) });
    expect(listed[0]!.inputSchema).toEqual(marked.inputSchema);
    expect(listed[0]!.outputSchema).toBeUndefined();
    expect(listed[1]).toEqual(listTools([second!])[0]);
  });
});
