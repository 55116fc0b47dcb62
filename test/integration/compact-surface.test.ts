// The compact surface (--surface compact): a short static list that reaches every tool of the
// catalog by name, each call on exactly the granular tool's path, with the route enforced.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { selectTools } from '../../src/catalog.js';
import { servedOperations } from '../../src/app.js';
import { createMcpServer } from '../../src/server.js';
import { CALL_TOOLS, routeOf, servedAsItself } from '../../src/surface.js';
import { catalog } from '../../tools/index.js';
import { GUIDE_URI } from '../../tools/guide.js';
import { startServer, workspaceChecksum, type ErrorEnvelope, type TestServer } from '../helpers/server.js';
import type { PreviewExamples } from '../helpers/examples/types.js';

const modules = import.meta.glob<{ previewExamples: PreviewExamples }>('../helpers/examples/*.ts', { eager: true });
const examples: PreviewExamples = Object.assign({}, ...Object.values(modules).map((m) => m.previewExamples ?? {}));
// Every tool the server serves: the catalog's and its own (files_stage, files_list).
const all = selectTools(servedOperations(catalog), {});
const COMPACT = ['campaign_list', 'campaign_get', 'campaign_context_get', 'creator_search', 'find_tools', 'call_read', 'call_write', 'call_apply'];

let s: TestServer;
/** A client of the same app on the default surface: the granular tools, called as themselves. */
let granular: Client;
beforeAll(async () => {
  s = await startServer({ argv: ['--surface', 'compact'] });
  const mcp = createMcpServer({ ...s.app.serverParts(), tools: s.app.tools.map(servedAsItself) });
  const [a, b] = InMemoryTransport.createLinkedPair();
  await mcp.connect(b);
  granular = new Client({ name: 'granular', version: '0' });
  await granular.connect(a);
});
afterAll(async () => {
  await granular.close();
  await s.close();
});

/** A raw call on the compact client: the envelope or the structured result. */
async function raw(name: string, args: Record<string, unknown>, client: Client = s.client): Promise<{ ok: boolean; body: Record<string, any> }> {
  const res = await client.callTool({ name, arguments: args });
  const text = (res.content as { text: string }[])[0]!.text;
  return { ok: !res.isError, body: JSON.parse(text) };
}
/** An outcome without what differs by design: the request id, and the hint saying where the input schema is. */
const comparable = (b: Record<string, any>) => JSON.parse(JSON.stringify(b, (k, v) => (k === 'request_id' || (k === 'hint' && /input schema/.test(v)) ? undefined : v)));

describe('compact surface', () => {
  it('lists the core reads, find_tools and the three call tools, the same on every call and every connection', async () => {
    const first = (await s.client.listTools()).tools;
    expect(first.map((t) => t.name)).toEqual(COMPACT);
    expect((await s.client.listTools()).tools).toEqual(first);
    const other = new Client({ name: 'second', version: '0' });
    const mcp = createMcpServer(s.app.serverParts());
    const [a, b] = InMemoryTransport.createLinkedPair();
    await mcp.connect(b);
    await other.connect(a);
    expect((await other.listTools()).tools).toEqual(first);
    await other.close();
    const byName = Object.fromEntries(first.map((t) => [t.name, t.annotations]));
    expect(byName.call_read).toMatchObject({ readOnlyHint: true, destructiveHint: false });
    expect(byName.call_apply).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    expect(byName.call_write!.readOnlyHint).toBe(false);
  });

  it('reaches every tool of the catalog through find_tools, each with the call tool of its route', async () => {
    const seen = new Map<string, string>();
    for (const { toolset } of (await s.ok('find_tools', {})).toolsets) {
      for (const m of (await s.ok('find_tools', { toolset })).matches) for (const st of m.stages) seen.set(st.tool, st.call);
    }
    const expected = new Map(all.map((t) => [t.name, catalog.compactCore!.includes(t.name) ? 'direct' : CALL_TOOLS[routeOf(t)]]));
    expect(seen).toEqual(expected);
  });

  it('finds tools by words, by workflow step, and gives the input schema the default surface lists', async () => {
    const send = await s.ok('find_tools', { query: 'send email task' });
    expect(send.matches.slice(0, 3).map((m: any) => m.operation)).toContain('email_send');
    const step = await s.ok('find_tools', { step: 9 });
    expect(step.matches.map((m: any) => m.operation)).toEqual(expect.arrayContaining(['email_get', 'email_send', 'email_schedule']));
    const schemas = await s.ok('find_tools', { schemas: ['email_send_apply'], with_output: true });
    const listed = (await granular.listTools()).tools.find((t) => t.name === 'email_send_apply')!;
    expect(schemas.schemas[0]).toMatchObject({ tool: 'email_send_apply', call: 'call_apply', input_schema: listed.inputSchema });
    // The same output schema as tools/list, and none where the backend lists none (cli: results pass through).
    expect(schemas.schemas[0].output_schema).toEqual(listed.outputSchema);
    const bad = await s.err('find_tools', { schemas: ['email_sendd_preview'] });
    expect(bad.error_code).toBe('UNKNOWN_TOOL');
    expect(bad.details!.closest).toContain('email_send_preview');
  });

  it('runs every read through call_read with the outcome of the granular tool', async () => {
    const reads = all.filter((t) => t.stage === 'run' && routeOf(t) === 'read');
    expect(reads.length).toBeGreaterThan(40);
    for (const t of reads) {
      const via = await raw('call_read', { tool: t.name, arguments: {} });
      const direct = await raw(t.name, {}, granular);
      expect(comparable(via), t.name).toEqual(comparable(direct));
    }
  });

  it('validates and previews every high-risk operation through call_read, writing nothing', async () => {
    for (const t of all.filter((x) => x.stage === 'preview')) {
      const base = t.name.replace(/_preview$/, '');
      const args = await examples[base]!(s);
      const before = workspaceChecksum(s.workspaceDb);
      if (t.op.kind === 'staged') expect((await raw('call_read', { tool: `${base}_validate`, arguments: args })).body.operation, base).toBe(t.op.name);
      const p = await raw('call_read', { tool: t.name, arguments: args });
      expect(p.ok ? p.body.preview_token : p.body, t.name).toEqual(expect.any(String));
      expect(workspaceChecksum(s.workspaceDb), t.name).toBe(before);
    }
  });

  it('reaches every low-risk write through call_write (no route refusal)', async () => {
    const writes = all.filter((t) => routeOf(t) === 'write');
    expect(writes.length).toBeGreaterThan(10);
    for (const t of writes) {
      const r = await raw('call_write', { tool: t.name, arguments: { __not_a_field: true } });
      if (!r.ok) expect(r.body.error_code, t.name).not.toMatch(/^(USE_|UNKNOWN_TOOL|TOOL_DISABLED)/);
    }
  });

  it('previews through call_read and applies through call_apply, once, journaled, with the granular output', async () => {
    const args = await examples.collection_add_creators!(s);
    const p = await s.ok('call_read', { tool: 'collection_add_creators_preview', arguments: args });
    const a = await s.ok('call_apply', { tool: 'collection_add_creators_apply', arguments: { ...args, preview_token: p.preview_token } });
    expect(a).toMatchObject({ operation: 'collection.add_creators', applied: true, replayed: false });
    expect(all.find((t) => t.name === 'collection_add_creators_apply')!.output.safeParse(a).success).toBe(true);
    const again = await s.ok('call_apply', { tool: 'collection_add_creators_apply', arguments: { ...args, preview_token: p.preview_token } });
    expect(again).toMatchObject({ replayed: true, token_id: a.token_id });
    const journaled = s.app.store.prepare(`SELECT COUNT(*) FROM journal WHERE operation = 'collection.add_creators'`).pluck().get() as number;
    expect(journaled).toBe(1);
    const missing = await s.err('call_apply', { tool: 'collection_add_creators_apply', arguments: args });
    expect(missing.error_code).toBe('PREVIEW_REQUIRED');
  });

  it('refuses a tool sent through the wrong call tool with a code naming the right one', async () => {
    const cases: [string, string, string][] = [
      ['call_read', 'collection_add_creators_apply', 'USE_CALL_APPLY'],
      ['call_write', 'collection_add_creators_apply', 'USE_CALL_APPLY'],
      ['call_apply', 'campaign_get', 'USE_CALL_READ'],
      ['call_apply', 'collection_add_creators_preview', 'USE_CALL_READ'],
      ['call_read', 'collection_create', 'USE_CALL_WRITE'],
      ['call_write', 'collection_list', 'USE_CALL_READ'],
    ];
    for (const [via, tool, code] of cases) {
      const e = (await raw(via, { tool, arguments: {} })).body as ErrorEnvelope;
      expect(e.error_code, `${via} ${tool}`).toBe(code);
      expect(e.action!.hint).toContain(code.slice(4).toLowerCase());
    }
  });

  it('refuses an unknown name with the closest names, and bad arguments with where the schema is', async () => {
    const e = await s.err('call_read', { tool: 'campaign_gett', arguments: {} });
    expect(e.error_code).toBe('UNKNOWN_TOOL');
    expect((e.details!.closest as string[])[0]).toBe('campaign_get');
    expect(e.summary).toContain('campaign_get');
    expect((await s.err('call_read', { arguments: {} })).error_code).toBe('INVALID_REQUEST');
    const bad = await s.err('call_read', { tool: 'collection_items', arguments: { page_size: 'many' } });
    expect(bad.error_code).toBe('INVALID_REQUEST');
    expect(bad.action!.hint).toContain('find_tools {schemas: ["collection_items"]}');
  });

  it('says how to reach the tools in the guide, the prompts and the instructions', async () => {
    const guide = await s.client.readResource({ uri: GUIDE_URI });
    const text = (guide.contents[0] as { text: string }).text;
    expect(text).toContain('call_read');
    expect(text).toContain('find_tools');
    const prompt = await s.client.getPrompt({ name: 'follow_up_replies', arguments: { task_id: 'task_1820' } });
    expect((prompt.messages[0]!.content as { text: string }).text).toContain('call_apply for *_apply');
    expect(s.client.getInstructions()).toContain('call_write for low-risk writes');
  });
});

describe('compact surface, narrowed and confirmed', () => {
  it('lists no write or apply tool with --read-only, and refuses applies as not served', async () => {
    const r = await startServer({ argv: ['--surface', 'compact', '--read-only'] });
    try {
      expect((await r.client.listTools()).tools.map((t) => t.name)).toEqual(['campaign_list', 'campaign_get', 'campaign_context_get', 'creator_search', 'find_tools', 'call_read']);
      expect((await r.err('call_read', { tool: 'collection_add_creators_apply', arguments: {} })).error_code).toBe('TOOL_DISABLED');
    } finally {
      await r.close();
    }
  });

  it('leaves output schemas out with --no-output-schemas and still returns structured results', async () => {
    const n = await startServer({ argv: ['--no-output-schemas'] });
    try {
      const listed = (await n.client.listTools()).tools;
      expect(listed.length).toBe(all.length);
      expect(listed.filter((t) => t.outputSchema)).toEqual([]);
      expect((await n.ok('campaign_list', {})).items.length).toBeGreaterThan(0);
    } finally {
      await n.close();
    }
  });

  it('asks the person before a confirm-worthy apply, as the granular tool does', async () => {
    const asked: string[] = [];
    const c = await startServer({
      argv: ['--surface', 'compact'],
      capabilities: { elicitation: {} },
      onClient: (client) =>
        client.setRequestHandler(ElicitRequestSchema, async (req) => {
          asked.push((req.params as { message: string }).message);
          return { action: 'decline' };
        }),
    });
    try {
      const args = await examples.campaign_delete!(c);
      const p = await c.ok('call_read', { tool: 'campaign_delete_preview', arguments: args });
      const e = await c.err('call_apply', { tool: 'campaign_delete_apply', arguments: { ...args, preview_token: p.preview_token } });
      expect(e.error_code).toBe('CONFIRMATION_DECLINED');
      expect(asked).toHaveLength(1);
    } finally {
      await c.close();
    }
  });
});
