// Results fit a model: every list tool's result at its default page, on the demo workspace, stays
// under 8 KB of text (what a client puts into the model's context).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';

const LIMIT = 8 * 1024;
let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(() => s.close());

const one = (sql: string) => s.workspaceDb.prepare(sql).pluck().get() as string;

/** Bytes of the text a client gives the model: every text content block of the result. */
async function resultBytes(name: string, args: Record<string, unknown>): Promise<number> {
  const r = (await s.client.callTool({ name, arguments: args })) as { isError?: boolean; content: { type: string; text?: string }[] };
  expect(r.isError, `${name} ${JSON.stringify(r.content)}`).toBeFalsy();
  return r.content.reduce((n, c) => n + Buffer.byteLength(c.text ?? ''), 0);
}

describe('result sizes at the default page', () => {
  it('keeps every list tool under 8 KB, with the largest collection, task, thread and store of the demo', async () => {
    const collection = one(`SELECT collection_id FROM collection_items WHERE platform = 'youtube' GROUP BY collection_id ORDER BY COUNT(*) DESC LIMIT 1`);
    const task = one(`SELECT task_id FROM email_recipients GROUP BY task_id ORDER BY COUNT(*) DESC LIMIT 1`);
    const thread = one(`SELECT thread_id FROM message_threads ORDER BY (SELECT COUNT(*) FROM message_attachments a WHERE a.owner_kind = 'thread' AND a.owner_id = thread_id) DESC, thread_id LIMIT 1`);
    const store = one(`SELECT store_id FROM aff_campaigns GROUP BY store_id ORDER BY COUNT(*) DESC LIMIT 1`);
    const storeWithProducts = one(`SELECT store_id FROM aff_store_products GROUP BY store_id ORDER BY COUNT(*) DESC LIMIT 1`);
    const affCampaign = one(`SELECT campaign_id FROM aff_members GROUP BY campaign_id ORDER BY COUNT(*) DESC LIMIT 1`);
    const member = one(`SELECT member_id FROM aff_members ORDER BY member_id LIMIT 1`);
    const template = one(`SELECT owner_id FROM message_attachments WHERE owner_kind = 'template' GROUP BY owner_id ORDER BY COUNT(*) DESC LIMIT 1`);
    const tools = (await s.client.listTools()).tools;
    const args: Record<string, Record<string, unknown>> = {
      campaign_context_get: { campaign_id: 'cmp_001' },
      collection_items: { collection_id: collection, platform: 'youtube' },
      email_recipients_list: { task_id: task },
      email_attachments_list: { task_id: task },
      email_products_list: { task_id: task },
      email_collaborators_list: { task_id: task },
      message_attachments_list: { thread_id: thread },
      message_template_attachments_list: { template_id: template },
      affiliation_store_products: { store_id: storeWithProducts },
      affiliation_campaigns_list: { store_id: store },
      affiliation_members_pending: { campaign_id: affCampaign },
      affiliation_members_active: { campaign_id: affCampaign },
      affiliation_members_performance: { campaign_id: affCampaign },
      affiliation_members_tracking_detail: { member_id: member },
    };
    const lists = tools.filter((t) => 'page_size' in ((t.inputSchema as any).properties ?? {}) || t.name.endsWith('_list') || t.name in args);
    expect(lists.length).toBeGreaterThanOrEqual(25);
    const sizes: Record<string, number> = {};
    for (const t of lists) sizes[t.name] = await resultBytes(t.name, args[t.name] ?? {});
    const over = Object.entries(sizes).filter(([, n]) => n > LIMIT);
    expect(over, JSON.stringify(sizes)).toEqual([]);
  });

  it('pages the campaign journal with a short default, so the context stays small after a workflow', async () => {
    // Twelve journaled changes under one campaign, each with a long note.
    for (let i = 0; i < 12; i++) await s.ok('campaign_context_record', { campaign_id: 'cmp_002', notes: `Step ${i}: ${'decided and recorded '.repeat(20)}` });
    const ctx = await s.ok('campaign_context_get', { campaign_id: 'cmp_002' });
    expect(ctx.journal).toHaveLength(5);
    expect(ctx.journal_total).toBeGreaterThanOrEqual(12);
    expect(await resultBytes('campaign_context_get', { campaign_id: 'cmp_002' })).toBeLessThan(LIMIT);
    // Paging back reaches every entry once, newest first, and says when there is nothing older.
    const seen: number[] = ctx.journal.map((j: any) => j.entry_id);
    let before = ctx.journal_next_before;
    while (before !== null) {
      const page = await s.ok('campaign_context_get', { campaign_id: 'cmp_002', journal_before: before, journal_limit: 5 });
      expect(page.journal.every((j: any) => j.entry_id < before)).toBe(true);
      seen.push(...page.journal.map((j: any) => j.entry_id));
      before = page.journal_next_before;
    }
    expect(seen).toHaveLength(ctx.journal_total);
    expect(seen).toEqual([...seen].sort((a, b) => b - a));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('trims long text in lists and keeps it whole in the _get', async () => {
    const cid = s.workspaceDb.prepare('SELECT creator_id FROM crm_channels WHERE archived = 0 ORDER BY updated_at DESC, creator_id LIMIT 1').pluck().get() as string;
    const remark = 'A long note about this creator. '.repeat(30);
    await s.previewApply('crm_update', { creator_id: cid, remark });
    const listed = (await s.ok('crm_list', {})).items.find((c: any) => c.creator_id === cid);
    expect(listed.remark.length).toBe(200);
    expect(listed.remark.endsWith('…')).toBe(true);
    expect((await s.ok('crm_get', { creator_id: cid })).remark).toBe(remark);
    const thread = s.workspaceDb.prepare('SELECT thread_id FROM message_threads ORDER BY updated_at DESC, thread_id LIMIT 1').pluck().get() as string;
    const subject = 'Re: '.repeat(10) + 'a very long subject line that goes on '.repeat(5);
    s.workspaceDb.prepare('UPDATE message_threads SET subject = ? WHERE thread_id = ?').run(subject, thread);
    const row = (await s.ok('message_list', {})).items.find((t: any) => t.thread_id === thread);
    expect(row.subject).toHaveLength(120);
    expect((await s.ok('message_get', { thread_id: thread })).subject).toBe(subject);
  });
});
