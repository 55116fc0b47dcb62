// Walks the whole catalog through a spawned server over stdio with generated hostile inputs: every
// call gets a structured tool error or a valid result (the client checks results against their
// output schemas), the process never dies, stdout carries nothing but MCP, and no refused call or
// read-only tool changes the workspace.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import Database from 'better-sqlite3';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { workspaceChecksum } from '../helpers/server.js';
import { spawnServer, type Spawned } from '../helpers/spawn.js';

const INPUTS_PER_TOOL = Number(process.env.NOX_FUZZ_INPUTS ?? 16);

let dir: string;
let server: Spawned;
let tools: Tool[];
let db: Database.Database;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nox-fuzz-'));
  server = await spawnServer(dir);
  tools = (await server.client.listTools()).tools;
  db = new Database(join(dir, 'nox.sqlite'), { readonly: true, fileMustExist: true });
});

afterAll(async () => {
  db?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const hostileString = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    'NaN',
    'Infinity',
    '-0',
    'null',
    'undefined',
    '\uD800',
    'a\uDC00b',
    '\u0000',
    '../../etc/passwd',
    '%2e%2e/x',
    'C:\\x',
    '<p><br></p>',
    'https://youtube.com/@x',
    '__proto__',
    'constructor',
    'id_does_not_exist',
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ minLength: 5000, maxLength: 5000 }).map((s) => s.repeat(20)),
);
const hostileNumber = fc.oneof(fc.constantFrom(-1, 0, -0, 1e308, -1e308, 2 ** 53 + 1, 0.5, Number.MAX_SAFE_INTEGER), fc.double(), fc.integer());
const leaf: fc.Arbitrary<unknown> = fc.oneof(hostileString, hostileNumber, fc.boolean(), fc.constant(null));
const deep = fc.integer({ min: 50, max: 400 }).map((depth) => {
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { nested: v };
  return v;
});
const value: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: leaf },
  { weight: 2, arbitrary: fc.array(leaf, { maxLength: 5 }) },
  { weight: 1, arbitrary: fc.array(fc.string({ maxLength: 8 }), { minLength: 10_000, maxLength: 10_000 }) },
  { weight: 1, arbitrary: deep },
  { weight: 1, arbitrary: fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'prototype', 'x'), leaf) },
);

/**
 * The workspace checksum, recomputed only when the server committed anything since the last look
 * (SQLite's data_version moves on every commit by another connection): most refused calls commit
 * nothing, so this keeps thousands of calls fast without weakening the check.
 */
let lastVersion = -1;
let lastChecksum = '';
function checksum(): string {
  const version = db.pragma('data_version', { simple: true }) as number;
  if (version !== lastVersion) {
    lastVersion = version;
    lastChecksum = workspaceChecksum(db);
  }
  return lastChecksum;
}

/** Inputs built from the tool's own field names (wrong types, missing and extra fields) and plain junk. */
function inputsFor(tool: Tool): fc.Arbitrary<Record<string, unknown>> {
  const fields = Object.keys(tool.inputSchema.properties ?? {});
  const shaped = fc.tuple(fc.subarray(fields), fc.array(value, { minLength: fields.length, maxLength: fields.length }), fc.boolean()).map(([chosen, values, extra]) => {
    const o: Record<string, unknown> = {};
    chosen.forEach((f, i) => (o[f] = values[i]));
    if (extra) Object.defineProperty(o, '__proto__', { value: { polluted: true }, enumerable: true, configurable: true, writable: true });
    return o;
  });
  const junk = fc.dictionary(fc.string({ maxLength: 12 }), value, { maxKeys: 4 });
  return fc.oneof({ weight: 4, arbitrary: shaped }, { weight: 1, arbitrary: junk });
}

describe('fuzzing the catalog over stdio', () => {
  it('answers every generated input with a structured error or a valid result, and never writes when it refuses', async () => {
    const tried: Record<string, { inputs: number; refused: number }> = {};
    let seed = 20261128;
    for (const tool of tools) {
      const samples = fc.sample(inputsFor(tool), { numRuns: INPUTS_PER_TOOL, seed: seed++ });
      const stats = (tried[tool.name] = { inputs: 0, refused: 0 });
      for (const args of samples) {
        const before = checksum();
        let res;
        try {
          res = await server.client.callTool({ name: tool.name, arguments: args }, undefined, { timeout: 30_000 });
        } catch (e) {
          throw new Error(`${tool.name} failed at the protocol level for ${JSON.stringify(args).slice(0, 300)}: ${(e as Error).message}`, { cause: e });
        }
        stats.inputs++;
        if (res.isError) {
          stats.refused++;
          const envelope = JSON.parse((res.content as { text: string }[])[0]!.text);
          expect(typeof envelope.error_code, tool.name).toBe('string');
          expect(typeof envelope.summary, tool.name).toBe('string');
          expect(envelope.error_code, `${tool.name}: ${envelope.summary}`).not.toBe('INTERNAL_ERROR');
          expect(JSON.stringify(envelope)).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/); // no stack traces
        }
        if (res.isError || tool.annotations?.readOnlyHint) expect(checksum(), `${tool.name} wrote on ${JSON.stringify(args).slice(0, 200)}`).toBe(before);
      }
    }
    expect(server.protocolErrors).toEqual([]);
    const total = Object.values(tried).reduce((n, t) => n + t.inputs, 0);
    expect(total).toBe(tools.length * INPUTS_PER_TOOL); // every tool got its inputs
    // npm test stays quiet unless something fails; NOX_FUZZ_STATS=1 shows what each tool refused.
    if (process.env.NOX_FUZZ_STATS)
      process.stderr.write(
        `fuzz: ${total} inputs over ${tools.length} tools (${INPUTS_PER_TOOL} each)\n${Object.entries(tried)
          .map(([n, t]) => `  ${n}: ${t.inputs} tried, ${t.refused} refused`)
          .join('\n')}\n`,
      );
    // still alive and answering
    expect((await server.client.callTool({ name: 'campaign_list', arguments: {} })).isError).toBeFalsy();
    expect(server.stderr()).toBe('');
    // Every tool's inputs in one test: on a loaded two-core machine it has taken 50 s of the default 60.
  }, 180_000);
});
