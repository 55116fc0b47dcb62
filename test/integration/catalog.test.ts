// The tool surface: every tool is complete, the tools/list snapshot and docs/tools.md are current,
// and the selection flags narrow the list.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { IDEMPOTENCY_KEY_RULE, inputJsonSchema, selectTools, toolsetsOf } from '../../src/catalog.js';
import { renderApprovalsDoc, renderConfigTable, renderToolsDoc, renderToolsetTable, withSection } from '../../src/docs.js';
import { CONFIG_DOC } from '../../src/config.js';
import { listTools } from '../../src/server.js';
import { servedOperations } from '../../src/app.js';
import { catalog, operations } from '../../tools/index.js';
import { startServer } from '../helpers/server.js';

const all = selectTools(servedOperations(catalog), {});

/** Every schema node under a property named `name`, through objects, arrays, unions and optionals. */
function fieldsNamed(schema: unknown, name: string, out: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (!schema || typeof schema !== 'object') return out;
  const s = schema as Record<string, unknown>;
  for (const [k, v] of Object.entries((s.properties as Record<string, unknown>) ?? {})) {
    if (k === name) out.push(v as Record<string, unknown>);
    fieldsNamed(v, name, out);
  }
  for (const key of ['items', 'anyOf', 'oneOf', 'allOf']) {
    const v = s[key];
    for (const sub of Array.isArray(v) ? v : v ? [v] : []) fieldsNamed(sub, name, out);
  }
  return out;
}
const stringsOf = (node: Record<string, unknown>): Record<string, unknown>[] =>
  node.type === 'string' ? [node] : node.type === 'array' ? stringsOf(node.items as Record<string, unknown>) : ((node.anyOf as Record<string, unknown>[] | undefined) ?? []).flatMap(stringsOf);

describe('documented limits in the schemas', () => {
  const tools = listTools(all);
  it('gives every creator id input one maximum length, the 256 NoxInfluencer allows', () => {
    let seen = 0;
    // Validate and apply list the preview's arguments by type only; the preview lists their limits.
    for (const t of tools.filter((x) => !/_(validate|apply)$/.test(x.name))) {
      for (const field of ['creator_id', 'creator_ids']) {
        for (const node of fieldsNamed(t.inputSchema, field)) {
          for (const str of stringsOf(node)) {
            seen++;
            expect(str.maxLength, `${t.name}.${field}`).toBe(256);
          }
        }
      }
    }
    expect(seen).toBeGreaterThan(15);
  });

  it('still checks on apply the limits it lists only on the preview', () => {
    const apply = all.find((t) => t.name === 'collection_add_creators_apply')!;
    expect(JSON.stringify(inputJsonSchema(apply))).not.toMatch(/maxLength|maxItems/);
    const args = { collection_ids: ['col_1'], platform: 'youtube', preview_token: 't' };
    expect(apply.input.safeParse({ ...args, creator_ids: ['c'.repeat(256)] }).success).toBe(true);
    expect(apply.input.safeParse({ ...args, creator_ids: ['c'.repeat(257)] }).success).toBe(false);
  });

  it('states product cards, import sizes and formats, and the Excel export in the schemas', () => {
    const tool = (n: string) => tools.find((t) => t.name === n)!;
    const props = (n: string) => tool(n).inputSchema.properties as Record<string, any>;
    expect(props('email_content_save').product_collect_ids.maxItems).toBe(5);
    const b64Max = (mb: number) => Math.ceil((mb * 1024 * 1024) / 3) * 4 + 4;
    for (const [name, mb] of [
      ['crm_import_file_preview', 10],
      ['email_recipients_import_preview', 8],
      ['affiliation_members_import_file_preview', 10],
    ] as const) {
      const p = props(name);
      expect(p.content_base64.maxLength, name).toBe(b64Max(mb));
      for (const f of ['path', 'filename']) {
        const re = new RegExp(p[f].pattern);
        expect(['a.xlsx', 'a.XLS'].every((x) => re.test(x)) && !['a.csv', 'a.pdf'].some((x) => re.test(x)), `${name}.${f}`).toBe(true);
      }
    }
    expect(tool('crm_import_file_preview').description).toMatch(/10 MB, ≤500 rows/);
    const out = new RegExp(props('affiliation_campaigns_export_preview').output_path.pattern);
    expect(out.test('perf.xlsx') && !out.test('perf.csv')).toBe(true);
  });
});

describe('catalog', () => {
  it('gives every tool a title, a description, described inputs, annotations and an output schema', () => {
    for (const t of listTools(all)) {
      expect(t.title, t.name).toBeTruthy();
      // An apply's description is derived and complete: it names its preview.
      if (!t.name.endsWith('_apply')) expect(t.description!.length, t.name).toBeGreaterThan(30);
      expect(t.name).toMatch(/^[a-z]+(_[a-z]+)*$/);
      expect(t.outputSchema?.type, t.name).toBe('object');
      expect(t.inputSchema.type, t.name).toBe('object');
      // Validate and apply take the preview's arguments, described once on the preview's listing.
      const preview = /_(validate|apply)$/.test(t.name) ? listTools(all).find((x) => x.name === t.name.replace(/_(validate|apply)$/, '_preview')) : undefined;
      if (/_(validate|apply)$/.test(t.name)) expect(preview, t.name).toBeDefined();
      for (const [field, own] of Object.entries(t.inputSchema.properties ?? {})) {
        // idempotency_key is explained once by the instructions (IDEMPOTENCY_KEY_RULE).
        if (field === 'idempotency_key') continue;
        const schema = preview?.inputSchema.properties?.[field] ?? own;
        const s = schema as { description?: string; anyOf?: { description?: string }[] };
        const described = s.description ?? s.anyOf?.find((x) => x.description)?.description;
        if (['platform', 'page', 'page_size'].includes(field)) continue;
        // A shared field is explained once, by the instructions.
        const shared = catalog.sharedFields?.[field];
        if (!described && shared && catalog.instructions.includes(`${field} ${shared}`)) continue;
        expect(described, `${t.name}.${field}`).toBeTruthy();
      }
      const a = t.annotations!;
      for (const k of ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'] as const) expect(typeof a[k], `${t.name}.${k}`).toBe('boolean');
    }
  });

  it('explains idempotency_key once, in the instructions and docs/tools.md, rather than on every write tool', () => {
    const writes = listTools(all).filter((t) => t.inputSchema.properties?.idempotency_key);
    expect(writes.length).toBeGreaterThan(80);
    for (const t of writes) expect(t.inputSchema.properties!.idempotency_key, t.name).toEqual({ type: 'string' });
    expect(catalog.instructions).toContain(IDEMPOTENCY_KEY_RULE);
    expect(renderToolsDoc(all)).toContain(IDEMPOTENCY_KEY_RULE);
  });

  it('pairs every high-risk operation with preview and apply (and validate when staged)', () => {
    const names = new Set(all.map((t) => t.name));
    for (const op of operations.filter((o) => o.risk === 'high')) {
      const base = op.name.replace('.', '_');
      expect(names.has(`${base}_preview`) && names.has(`${base}_apply`), op.name).toBe(true);
      expect(names.has(`${base}_validate`), op.name).toBe(op.kind === 'staged');
      expect(names.has(base), op.name).toBe(false);
    }
  });

  it('matches the committed tools/list snapshot and docs/tools.md (run `npm run docs` after a catalog change)', async () => {
    await expect(JSON.stringify(listTools(all), null, 2) + '\n').toMatchFileSnapshot('../snapshots/tools-list.json');
    expect(readFileSync(new URL('../../docs/tools.md', import.meta.url), 'utf8')).toBe(renderToolsDoc(all, catalog.sharedFields) + '\n');
    expect(readFileSync(new URL('../../docs/approvals.md', import.meta.url), 'utf8')).toBe(renderApprovalsDoc(operations) + '\n');
    // README's generated tables (configuration, toolsets) are current too.
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(withSection(withSection(readme, 'config', renderConfigTable(CONFIG_DOC)), 'toolsets', renderToolsetTable(all, catalog.toolsetPurposes ?? {}))).toBe(readme);
  });

  it('classifies every write with a reason, and annotates the same action alike in email and message', () => {
    for (const op of operations.filter((o) => o.kind !== 'read')) expect(op.riskReason?.length, op.name).toBeGreaterThan(10);
    const writer = (name: string) => all.find((t) => t.name === name || t.name === `${name}_apply`)!;
    for (const action of ['send', 'schedule', 'cancel', 'attachments_upload', 'attachments_delete', 'attachments_download']) {
      const [email, message] = [writer(`email_${action}`), writer(`message_${action}`)];
      expect({ risk: email.op.risk, ...email.annotations }, action).toEqual({ risk: message.op.risk, ...message.annotations });
    }
    // A schedule can be cancelled; a send cannot.
    expect(writer('email_schedule').annotations.destructiveHint).toBe(false);
    expect(writer('email_send').annotations.destructiveHint).toBe(true);
    // The CRM tool reference asks approval for update, restore and group create/update/delete.
    for (const name of ['crm.update', 'crm.restore', 'crm.groups_create', 'crm.groups_update', 'crm.groups_delete']) expect(operations.find((o) => o.name === name)?.risk, name).toBe('high');
  });

  it('summarises each stage tool in docs/tools.md by what that stage does', () => {
    const rows = renderToolsDoc(all)
      .split('\n')
      .filter((l) => l.startsWith('| [`'));
    const preview = rows.filter((r) => r.includes('_preview`]'));
    expect(preview.length).toBe(all.filter((t) => t.stage === 'preview').length);
    for (const r of preview) expect(r, r).toMatch(/\| Shows what \w+_apply would do \(.+\) and returns its preview_token; changes nothing\. \|$/);
    expect(rows.find((r) => r.includes('[`campaign_delete_preview`]'))).toContain('(deletes one campaign and its context;');
    for (const r of rows.filter((x) => x.includes('_apply`]'))) expect(r, r).toMatch(/\| Applies \w+_preview\. \|$/);
    for (const r of rows.filter((x) => x.includes('_validate`]'))) expect(r, r).toContain('changes nothing');
  });

  it('narrows the served list with --toolsets, --read-only and --tools', async () => {
    const s = await startServer({ argv: ['--toolsets', 'campaign', '--read-only'] });
    try {
      const listed = (await s.client.listTools()).tools;
      expect(listed.length).toBeGreaterThan(0);
      expect(listed.every((t) => t.name.startsWith('campaign_') && t.annotations?.readOnlyHint)).toBe(true);
      expect(listed.map((t) => t.name)).toContain('campaign_delete_preview');
      expect(listed.map((t) => t.name)).not.toContain('campaign_delete_apply');
      expect((await s.err('collection_list', {})).error_code).toBe('TOOL_DISABLED');
    } finally {
      await s.close();
    }
    const t = await startServer({ argv: ['--tools', 'campaign_get,creator_search'] });
    try {
      expect((await t.client.listTools()).tools.map((x) => x.name).sort()).toEqual(['campaign_get', 'creator_search']);
    } finally {
      await t.close();
    }
    expect(toolsetsOf(operations)).toEqual(expect.arrayContaining(['campaign', 'discovery', 'collection']));
    expect(() => selectTools(operations, { toolsets: ['campaign', 'campaigns'] })).toThrow(/unknown toolsets: campaigns; known toolsets: campaign, /);
    expect(() => selectTools(operations, { tools: ['campaign_gett'] })).toThrow(/unknown tools: campaign_gett/);
  });
});
