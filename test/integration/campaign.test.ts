// Campaigns through the MCP client: the anchor itself, its context (records with partial-merge
// semantics), the automatic journal of applied changes, the resources and the prompts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectTools } from '../../src/catalog.js';
import { campaignOfIds } from '../../workspace/campaign/index.js';
import { operations } from '../../tools/index.js';
import { recordOf, startServer, type TestServer } from '../helpers/server.js';

// Resources and prompts read the server's own workspace; on the http backend that one is empty
// (the data lives behind the API) and the sandbox keeps no journal, so those parts run locally only.

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(() => s.close());

const someCreators = (n: number) => s.workspaceDb.prepare(`SELECT creator_id FROM collection_items WHERE collection_id = 'col_001' ORDER BY creator_id LIMIT ?`).pluck().all(n) as string[];

describe('campaigns', () => {
  it('lists, filters and pages with a total', async () => {
    const all = await s.ok('campaign_list', {});
    expect(all.total).toBeGreaterThanOrEqual(3);
    expect(all.items.length).toBe(all.total);
    const one = await s.ok('campaign_list', { page_size: 1, page: 2 });
    expect(one.items).toHaveLength(1);
    expect(one.items[0].campaign_id).toBe(all.items[1].campaign_id);
    expect(one.has_more).toBe(all.total > 2);
    const word = all.items[0].name.split(/\s+/)[0];
    const filtered = await s.ok('campaign_list', { keyword: word });
    expect(filtered.items.every((c: any) => `${c.name} ${c.objective}`.toLowerCase().includes(word.toLowerCase()))).toBe(true);
    const literal = await s.ok('campaign_list', { keyword: '%' });
    expect(literal.total).toBe(0);
  });

  it('creates, reads, updates and shows a dashboard', async () => {
    const c = await s.ok('campaign_create', { name: 'Holiday Gifting — FR', objective: 'Seed 30 FR beauty creators with the gift box.', markets: ['FR'], platforms: ['instagram'] });
    expect(c).toMatchObject({ status: 'draft', replayed: false });
    const { replayed: _replayed, ...created } = c;
    expect(recordOf(await s.ok('campaign_get', { campaign_id: c.campaign_id }))).toEqual(recordOf(created));
    const u = await s.ok('campaign_update', { campaign_id: c.campaign_id, status: 'active', markets: ['FR', 'BE'] });
    expect(u).toMatchObject({ status: 'active', markets: ['FR', 'BE'], name: c.name });
    const d = await s.ok('campaign_dashboard', { campaign_id: c.campaign_id });
    expect(d.counts).toEqual({ collections: 0, collection_items: 0, crm_channels: 0, email_tasks: 0, threads_needing_reply: 0, exports: 0 });
    const names = (await s.ok('campaign_dropdown', {})).items.map((x: any) => x.campaign_id);
    expect(names).toContain(c.campaign_id);
  });

  it('shows real counts on a seeded campaign dashboard', async () => {
    const all = await s.ok('campaign_list', { page_size: 100 });
    const dashboards = await Promise.all(all.items.map((c: any) => s.ok('campaign_dashboard', { campaign_id: c.campaign_id })));
    expect(dashboards.some((d) => d.counts.collections > 0 && d.counts.collection_items > 0)).toBe(true);
    expect(dashboards.some((d) => d.counts.email_tasks > 0)).toBe(true);
  });

  it('refuses bad input clearly', async () => {
    expect((await s.err('campaign_get', { campaign_id: 'cmp_missing' })).error_code).toBe('NOT_FOUND');
    const e = await s.err('campaign_create', { name: '', objective: 'x', markets: ['usa'] });
    expect(e.error_code).toBe('INVALID_REQUEST');
    expect((e.details?.issues as any[]).map((i) => i.field)).toEqual(expect.arrayContaining(['name', 'markets.0']));
  });

  it('deletes through preview and apply, keeping linked collections', async () => {
    const c = await s.ok('campaign_create', { name: 'To delete', objective: 'Temporary.' });
    const col = await s.ok('collection_create', { name: 'Linked', campaign_id: c.campaign_id });
    const p = await s.ok('campaign_delete_preview', { campaign_id: c.campaign_id });
    expect(p.effect.will_unlink.collections).toBe(1);
    expect(p.summary).toContain('To delete');
    const a = await s.ok('campaign_delete_apply', { campaign_id: c.campaign_id, preview_token: p.preview_token });
    expect(a.result).toMatchObject({ deleted: true, unlinked_collections: 1 });
    expect((await s.err('campaign_get', { campaign_id: c.campaign_id })).error_code).toBe('NOT_FOUND');
    expect((await s.ok('collection_get', { collection_id: col.collection_id })).campaign_id).toBeNull();
  });
});

describe('campaign_context_get / campaign_context_record', () => {
  it('starts from the campaign: goal and market default to its objective and markets', async () => {
    const c = await s.ok('campaign_create', { name: 'Context test', objective: 'Seed 20 US skincare creators.', markets: ['US'], platforms: ['youtube'] });
    const ctx = await s.ok('campaign_context_get', { campaign_id: c.campaign_id });
    expect(ctx).toMatchObject({ goal: 'Seed 20 US skincare creators.', market: ['US'], creators: [], included_count: 0, links: [], notes: null, updated_at: null, exports: [] });
    expect(ctx.approvals).toEqual({ recipients: null, sender: null, content: null, attachments: null, schedule: null });
    expect(ctx.ids.task_ids).toEqual([]);
    expect((await s.err('campaign_context_get', { campaign_id: 'cmp_nope' })).error_code).toBe('NOT_FOUND');
  });

  it('merges partial records: replace, upsert by id, union, remove', async () => {
    const cid = 'cmp_002';
    const [a, b, c] = someCreators(3) as [string, string, string];
    const r1 = await s.ok('campaign_context_record', {
      campaign_id: cid,
      goal: 'Book 10 DE/GB headset reviews',
      market: ['DE', 'GB'],
      creators: [
        { creator_id: a, decision: 'include', reason: 'Strong DE audience' },
        { creator_id: b, decision: 'exclude', reason: 'Competitor sponsor' },
      ],
      approvals: { recipients: { status: 'approved', by: 'u_002', note: '48 recipients after filters' } },
      links: [{ id: 'sl_001', kind: 'short_link', url: 'https://nox.to/abc' }],
      affiliation: { store_id: 'store_001', affiliate_campaign_id: 'affc_001', member_ids: ['mem_001'] },
      ids: { task_ids: ['task_1823'], label_ids: ['lbl_001'] },
      message_filters: { project_ids: ['email_task:task_1823'], coop_status: '2' },
      notes: 'First pass',
    });
    expect([...r1.changed].sort()).toEqual(['affiliation', 'approvals', 'creators', 'goal', 'ids', 'links', 'market', 'message_filters', 'notes']);
    expect(r1.summary).toContain(cid);
    const g1 = await s.ok('campaign_context_get', { campaign_id: cid });
    expect(g1).toMatchObject({ goal: 'Book 10 DE/GB headset reviews', market: ['DE', 'GB'], included_count: 1, excluded_count: 1, notes: 'First pass', updated_at: r1.updated_at });
    expect(g1.approvals.recipients).toMatchObject({ status: 'approved', by: 'u_002', note: '48 recipients after filters' });
    expect(g1.approvals.sender).toBeNull();
    expect(g1.links).toEqual([expect.objectContaining({ id: 'sl_001', kind: 'short_link', url: 'https://nox.to/abc' })]);

    const r2 = await s.ok('campaign_context_record', {
      campaign_id: cid,
      creators: [
        { creator_id: b, decision: 'include', reason: 'Sponsor deal ended' },
        { creator_id: c, decision: 'include', reason: 'Good engagement' },
      ],
      approvals: { sender: { status: 'approved' } },
      affiliation: { member_ids: ['mem_002'] },
      ids: { task_ids: ['task_1823', 'task_1824'], thread_ids: ['thr_0001'] },
      reply_state: [{ thread_id: 'thr_0001', needs_reply: true, last_message_direction: 'inbound', pending_reason: 'creator asked for rates' }],
      message_filters: { label_id: 'lbl_002' },
      notes: null,
    });
    const got = await s.ok('campaign_context_get', { campaign_id: cid });
    expect(got.goal).toBe('Book 10 DE/GB headset reviews'); // not given again: kept
    expect(got.creators.map((x: any) => [x.creator_id, x.decision, x.reason])).toEqual([
      [a, 'include', 'Strong DE audience'],
      [b, 'include', 'Sponsor deal ended'],
      [c, 'include', 'Good engagement'],
    ]);
    expect(got.approvals.recipients.status).toBe('approved');
    expect(got.approvals.sender.status).toBe('approved');
    expect(got.affiliation).toEqual({ store_id: 'store_001', affiliate_campaign_id: 'affc_001', member_ids: ['mem_001', 'mem_002'] });
    expect(got.ids.task_ids).toEqual(['task_1823', 'task_1824']);
    expect(got.ids.label_ids).toEqual(['lbl_001']);
    expect(got.message_filters).toEqual({ project_ids: ['email_task:task_1823'], coop_status: '2', label_id: 'lbl_002' });
    expect(got.reply_state[0]).toMatchObject({ thread_id: 'thr_0001', needs_reply: true, last_message_direction: 'inbound' });
    expect(got.notes).toBeNull();
    expect(got.updated_at).toBe(r2.updated_at);

    await s.ok('campaign_context_record', { campaign_id: cid, remove: [b, 'task_1824', 'mem_001', 'thr_0001'] });
    const after = await s.ok('campaign_context_get', { campaign_id: cid });
    expect(after.creators.map((x: any) => x.creator_id)).toEqual([a, c]);
    expect(after.ids.task_ids).toEqual(['task_1823']);
    expect(after.ids.thread_ids).toEqual([]);
    expect(after.affiliation.member_ids).toEqual(['mem_002']);
    expect(after.reply_state).toEqual([]);
  });

  it('refuses unknown ids and malformed parts', async () => {
    expect((await s.err('campaign_context_record', { campaign_id: 'cmp_nope', goal: 'x' })).error_code).toBe('NOT_FOUND');
    const e = await s.err('campaign_context_record', { campaign_id: 'cmp_001', creators: [{ creator_id: 'cr_guessed', decision: 'include', reason: 'x' }] });
    expect(e.error_code).toBe('NOT_FOUND');
    expect(e.action?.hint).toContain('creator_search');
    expect((await s.err('campaign_context_record', { campaign_id: 'cmp_001', export_reasons: [{ export_id: 'exp_nope', reason: 'x' }] })).error_code).toBe('NOT_FOUND');
    const bad = await s.err('campaign_context_record', {
      campaign_id: 'cmp_001',
      reply_state: [{ thread_id: 'thr_0001', needs_reply: true, last_message_direction: 'sideways' }],
      approvals: { budget: { status: 'approved' } },
    });
    expect(bad.error_code).toBe('INVALID_REQUEST');
  });
});

describe('the automatic journal', () => {
  it('records applied changes that name or belong to a campaign, with token id and ids', async () => {
    // collection_add_creators names no campaign: the journal finds it through the collection (col_001 → cmp_001).
    const present = new Set(someCreators(1000));
    const add = (s.workspaceDb.prepare(`SELECT creator_id FROM creators WHERE platform = 'youtube' ORDER BY creator_id`).pluck().all() as string[]).filter((x) => !present.has(x)).slice(0, 2);
    const applied = await s.previewApply('collection_add_creators', { collection_ids: ['col_001'], platform: 'youtube', creator_ids: add });
    const exp = await s.previewApply('export_create', { kind: 'collection', collection_id: 'col_001', platform: 'youtube', reason: 'Weekly agency sync' });
    await s.ok('campaign_context_record', { campaign_id: 'cmp_001', export_reasons: [{ export_id: exp.result.export_id, reason: 'Weekly agency sync' }] });
    await s.ok('campaign_update', { campaign_id: 'cmp_001', status: 'active' });

    const ctx = await s.ok('campaign_context_get', { campaign_id: 'cmp_001', journal_limit: 10 });
    const ops = ctx.journal.map((j: any) => j.operation);
    expect(ops.slice(0, 4)).toEqual(['campaign.update', 'campaign.context_record', 'export.create', 'collection.add_creators']);
    const addEntry = ctx.journal.find((j: any) => j.operation === 'collection.add_creators');
    expect(addEntry).toMatchObject({ status: 'applied', token_id: applied.token_id, ids: ['col_001'] });
    expect(addEntry.summary).toContain('Added 2');
    const expEntry = ctx.journal.find((j: any) => j.operation === 'export.create');
    expect(expEntry.ids).toContain(exp.result.export_id);
    expect(ctx.journal.find((j: any) => j.operation === 'campaign.context_record').status).toBe('written');
    expect(ctx.exports[0]).toMatchObject({ export_id: exp.result.export_id, reason: 'Weekly agency sync', status: 'queued' });
    expect(ctx.export_reasons[0]).toMatchObject({ export_id: exp.result.export_id, reason: 'Weekly agency sync' });

    // Nothing of another campaign leaks in; a change of a campaign-less collection is not journaled under any.
    const other = await s.ok('campaign_context_get', { campaign_id: 'cmp_003' });
    expect(other.journal.map((j: any) => j.operation)).not.toContain('export.create');
    expect((await s.ok('campaign_context_get', { campaign_id: 'cmp_001', journal_limit: 0 })).journal).toEqual([]);
  });

  it('finds the campaign of touched ids: a collection, an email task, a thread of a task, an export', async () => {
    const col = s.workspaceDb.prepare(`SELECT collection_id, campaign_id FROM collections WHERE campaign_id IS NOT NULL ORDER BY collection_id DESC LIMIT 1`).get() as {
      collection_id: string;
      campaign_id: string;
    };
    const thread = s.workspaceDb
      .prepare(`SELECT t.thread_id, e.campaign_id FROM message_threads t JOIN email_tasks e ON e.task_id = t.business_id WHERE t.business_kind = 'email_task' AND e.campaign_id IS NOT NULL LIMIT 1`)
      .get() as { thread_id: string; campaign_id: string };
    const cases: [string[], string | null][] = [
      [[col.collection_id], col.campaign_id],
      [['x_unknown', 'task_1823'], 'cmp_002'],
      [[thread.thread_id], thread.campaign_id],
      [['nothing_here'], null],
    ];
    for (const [ids, campaign] of cases) expect(campaignOfIds(s.workspaceDb, ids) ?? null, ids.join(',')).toBe(campaign);
  });
});

describe('resources', () => {
  it('lists and reads the workflow guide, naming tools of this server', async () => {
    const listed = await s.client.listResources();
    expect(listed.resources.map((r) => r.uri)).toContain('nox://guide/campaign-workflow');
    const read = await s.client.readResource({ uri: 'nox://guide/campaign-workflow' });
    const text = (read.contents[0] as { text: string }).text;
    expect(read.contents[0]!.mimeType).toBe('text/markdown');
    for (const tool of [
      'campaign_context_get',
      'collection_add_creators_preview',
      'email_send_preview',
      'message_list',
      'message_projects',
      'export_create_preview',
      'export_download_preview',
      'campaign_context_record',
    ]) {
      expect(text).toContain(tool);
    }
    expect(text.indexOf('collection_add_creators_preview')).toBeLessThan(text.indexOf('email_send_preview'));
    expect(text.indexOf('email_send_preview')).toBeLessThan(text.indexOf('export_create_preview'));
  });

  it('offers the campaign context template', async () => {
    const t = await s.client.listResourceTemplates();
    expect(t.resourceTemplates.map((x) => x.uriTemplate)).toContain('nox://campaigns/{campaign_id}/context');
  });

  it('lists a context resource per campaign and reads it as JSON', async () => {
    const listed = await s.client.listResources();
    const uris = listed.resources.map((r) => r.uri);
    expect(uris).toEqual(expect.arrayContaining(['nox://campaigns/cmp_001/context', 'nox://campaigns/cmp_002/context', 'nox://campaigns/cmp_003/context']));
    await s.ok('campaign_context_record', { campaign_id: 'cmp_003', goal: 'Gift guide recap', ids: { collection_ids: ['col_003'] } });
    const read = await s.client.readResource({ uri: 'nox://campaigns/cmp_003/context' });
    expect(read.contents[0]!.mimeType).toBe('application/json');
    const ctx = JSON.parse((read.contents[0] as { text: string }).text);
    expect(ctx).toMatchObject({ campaign: { campaign_id: 'cmp_003' }, goal: 'Gift guide recap', ids: { collection_ids: ['col_003'] } });
    expect(ctx.journal[0].operation).toBe('campaign.context_record');
    await expect(s.client.readResource({ uri: 'nox://campaigns/cmp_nope/context' })).rejects.toThrow(/cmp_nope/);
  });
});

describe('prompts', () => {
  it('lists both prompts with their arguments', async () => {
    const { prompts } = await s.client.listPrompts();
    const run = prompts.find((p) => p.name === 'run_campaign_workflow')!;
    const follow = prompts.find((p) => p.name === 'follow_up_replies')!;
    expect(run.arguments?.map((a) => [a.name, a.required])).toEqual([
      ['campaign_id', true],
      ['goal', false],
    ]);
    expect(follow.arguments?.map((a) => a.name)).toEqual(['campaign_id', 'task_id']);
  });

  it('renders run_campaign_workflow as a plan naming the tools in order', async () => {
    const r = await s.client.getPrompt({ name: 'run_campaign_workflow', arguments: { campaign_id: 'cmp_001', goal: 'Send wave 3 to 30 new creators' } });
    const text = (r.messages[0]!.content as { text: string }).text;
    expect(text).toContain('cmp_001');
    expect(text).toContain('Send wave 3 to 30 new creators');
    const order = [
      'campaign_context_get',
      'creator_search',
      'collection_add_creators_preview',
      'collection_refresh_validate',
      'crm_batch_update_validate',
      'email_create',
      'email_send_preview',
      'email_send_apply',
      'export_create_preview',
      'campaign_context_record {campaign_id: "cmp_001", goal',
    ];
    expect(order.every((t) => text.includes(t))).toBe(true);
    const order2 = order.slice(0, -1).map((t) => text.indexOf(t));
    expect([...order2].sort((a, b) => a - b)).toEqual(order2);
    expect(text).toContain('task_1820');
  });

  it('renders follow_up_replies for a task, a campaign, or neither', async () => {
    const byTask = (await s.client.getPrompt({ name: 'follow_up_replies', arguments: { task_id: 'task_1820' } })).messages[0]!.content as { text: string };
    expect(byTask.text).toContain('message_list {project_ids: ["email_task:task_1820"], needs_reply: true}');
    const steps = ['message_list', 'message_get', 'message_projects', 'message_send_preview', 'message_send_apply', 'email_report', 'campaign_context_record'].map((t) => byTask.text.indexOf(t));
    expect(steps.every((i) => i >= 0)).toBe(true);
    expect([...steps].sort((a, b) => a - b)).toEqual(steps);
    const byCampaign = ((await s.client.getPrompt({ name: 'follow_up_replies', arguments: { campaign_id: 'cmp_001' } })).messages[0]!.content as { text: string }).text;
    expect(byCampaign).toContain('campaign_context_get {campaign_id: "cmp_001"}');
    expect(byCampaign).toContain('"email_task:task_1820", "email_task:task_1824"');
    const neither = ((await s.client.getPrompt({ name: 'follow_up_replies', arguments: {} })).messages[0]!.content as { text: string }).text;
    expect(neither).toContain('ask which campaign');
  });

  it('names only tools that this server has', async () => {
    const names = new Set(selectTools(operations, {}).map((t) => t.name));
    const hasAffiliation = [...names].some((n) => n.startsWith('affiliation_'));
    const texts = [
      (await s.client.readResource({ uri: 'nox://guide/campaign-workflow' })).contents.map((c) => (c as { text: string }).text).join(''),
      ((await s.client.getPrompt({ name: 'run_campaign_workflow', arguments: { campaign_id: 'cmp_001' } })).messages[0]!.content as { text: string }).text,
      ((await s.client.getPrompt({ name: 'follow_up_replies', arguments: { task_id: 'task_1820' } })).messages[0]!.content as { text: string }).text,
    ];
    const domains = /^(campaign|creator|collection|crm|product|short_link|affiliation|email|message|export|brand_monitor)_/;
    const fields = new Set(['email_address', 'email_task', 'message_filters', 'export_reasons']);
    const mentioned = new Set(texts.flatMap((t) => t.match(/\b[a-z]+(?:_[a-z]+)+\b/g) ?? []).filter((w) => domains.test(w) && !/_ids?$/.test(w) && !fields.has(w)));
    // "x_preview/_apply" and "x_validate -> _preview -> _apply" shorthands name the base once.
    const missing = [...mentioned].filter((m) => !names.has(m) && !['_preview', '_validate', '_apply'].some((st) => names.has(`${m}${st}`)));
    expect(missing.filter((m) => hasAffiliation || !m.startsWith('affiliation_'))).toEqual([]);
  });
});
