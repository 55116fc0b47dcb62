// Tool schemas every model API and MCP client can read: every input property has a type (or typed
// anyOf branches), and no schema anywhere spells a type as an array (`type: ["string", "null"]`),
// which single-type consumers drop and the MCP Inspector flags.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineContract, selectTools } from '../../src/catalog.js';
import { listTools } from '../../src/server.js';
import { servedOperations } from '../../src/app.js';
import { catalog } from '../../tools/index.js';

type Node = Record<string, unknown>;

/** Every schema node under a root, with its location. */
function* nodes(node: unknown, at: string): Generator<[string, Node]> {
  if (Array.isArray(node)) for (const [i, n] of node.entries()) yield* nodes(n, `${at}[${i}]`);
  else if (node && typeof node === 'object') {
    yield [at, node as Node];
    for (const [k, v] of Object.entries(node)) yield* nodes(v, `${at}.${k}`);
  }
}

const typed = (s: Node): boolean => typeof s.type === 'string' || s.enum !== undefined || s.const !== undefined || (Array.isArray(s.anyOf) && (s.anyOf as Node[]).every(typed));

describe('schema portability', () => {
  const listed = listTools(selectTools(servedOperations(catalog), {}));

  it('types every input property, at every depth', () => {
    const untyped: string[] = [];
    for (const t of listed)
      for (const [at, n] of nodes(t.inputSchema, t.name))
        for (const [field, p] of Object.entries((n.properties as Record<string, Node> | undefined) ?? {})) if (!typed(p)) untyped.push(`${at}.${field}`);
    expect(untyped).toEqual([]);
  });

  it('never spells a type as an array, in inputs or outputs', () => {
    const unions: string[] = [];
    for (const t of listed) for (const [at, n] of [...nodes(t.inputSchema, `${t.name}.in`), ...nodes(t.outputSchema, `${t.name}.out`)]) if (Array.isArray(n.type)) unions.push(at);
    expect(unions).toEqual([]);
  });

  it('rewrites a nullable scalar as typed anyOf branches, keeping its description beside them', () => {
    const op = defineContract({
      name: 'probe.read',
      title: 'Probe',
      description: 'A probe operation for this test only.',
      kind: 'read',
      risk: 'low',
      route: { method: 'GET', path: '/probe' },
      input: z.strictObject({}),
      output: z.object({ note: z.string().nullable().describe('A note.'), flag: z.boolean().nullable() }),
    });
    const [tool] = listTools(selectTools([op], {}));
    const props = (tool!.outputSchema as Node).properties as Record<string, Node>;
    expect(props.note).toEqual({ description: 'A note.', anyOf: [{ type: 'string' }, { type: 'null' }] });
    expect(props.flag).toEqual({ anyOf: [{ type: 'boolean' }, { type: 'null' }] });
  });
});
