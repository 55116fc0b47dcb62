// The first vertical slice through the MCP client: campaigns, discovery, collections.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(() => s.close());

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
    expect(await s.ok('campaign_get', { campaign_id: c.campaign_id })).toEqual(created);
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

describe('discovery', () => {
  it('searches by platform, followers, country and email, and pages', async () => {
    const yt = await s.ok('creator_search', { platform: 'youtube', page_size: 100 });
    expect(yt.total).toBeGreaterThanOrEqual(100);
    expect(yt.items.every((c: any) => c.platform === 'youtube')).toBe(true);
    const followers = yt.items.map((c: any) => c.followers);
    expect(followers).toEqual([...followers].sort((a, b) => b - a));
    const range = await s.ok('creator_search', { followers_min: 100_000, followers_max: 500_000, has_email: true, page_size: 100 });
    expect(range.items.every((c: any) => c.followers >= 100_000 && c.followers <= 500_000 && c.has_email)).toBe(true);
    const country = yt.items[0].country;
    const byCountry = await s.ok('creator_search', { country, page_size: 100 });
    expect(byCountry.total).toBeGreaterThan(0);
    expect(byCountry.items.every((c: any) => c.country === country)).toBe(true);
    expect((await s.err('creator_search', { followers_min: 10, followers_max: 5 })).error_code).toBe('INVALID_REQUEST');
  });

  it('finds by keyword and gets by id or by platform + channel id', async () => {
    const first = (await s.ok('creator_search', { platform: 'tiktok', page_size: 1 })).items[0];
    const byKeyword = await s.ok('creator_search', { keywords: first.channel_id });
    expect(byKeyword.items.map((c: any) => c.creator_id)).toContain(first.creator_id);
    expect(await s.ok('creator_get', { creator_id: first.creator_id })).toEqual(first);
    expect(await s.ok('creator_get', { platform: 'tiktok', channel_id: first.channel_id })).toEqual(first);
    expect((await s.err('creator_get', { platform: 'tiktok' })).error_code).toBe('INVALID_REQUEST');
    expect((await s.err('creator_get', { platform: 'youtube', channel_id: 'https://youtube.com/@someone' })).error_code).toBe('NOT_FOUND');
  });
});

describe('search inputs', () => {
  it('refuses control characters in every free-text search field, so none matches everything', async () => {
    const tools = (await s.client.listTools()).tools;
    const searchable = tools.filter((t) => ['keyword', 'keywords'].some((k) => k in ((t.inputSchema as any).properties ?? {})));
    expect(searchable.length).toBeGreaterThanOrEqual(12);
    for (const t of searchable) {
      const field = 'keywords' in (t.inputSchema as any).properties ? 'keywords' : 'keyword';
      const required = Object.fromEntries(((t.inputSchema as any).required ?? []).map((k: string) => [k, k === 'task_id' ? 'task_1820' : 'x']));
      for (const bad of ['\u0000', 'a\u0000b', '\u001b[2J', '\u007f']) {
        const e = await s.err(t.name, { ...required, [field]: bad });
        expect(e.error_code, `${t.name} with ${JSON.stringify(bad)}`).toBe('INVALID_REQUEST');
        expect(e.summary).toContain('control characters');
      }
    }
  });

  it('matches creator tags as values, not as their JSON text', async () => {
    const all = (await s.ok('creator_search', { page_size: 1 })).total;
    expect(all).toBeGreaterThan(0);
    // A quote or a bracket is part of every tag list's JSON text, and of no tag.
    expect((await s.ok('creator_search', { keywords: '"' })).total).toBe(0);
    expect((await s.ok('creator_search', { keywords: '[' })).total).toBe(0);
    const tagged = s.workspaceDb.prepare(`SELECT creator_id, tags_json FROM creators WHERE tags_json <> '[]' LIMIT 1`).get() as { creator_id: string; tags_json: string };
    const tag = (JSON.parse(tagged.tags_json) as string[])[0]!;
    const found = await s.ok('creator_search', { keywords: tag, page_size: 100 });
    expect(found.total).toBeLessThan(all);
    expect(found.items.every((c: any) => c.tags.some((x: string) => x.toLowerCase().includes(tag.toLowerCase())) || c.nickname.toLowerCase().includes(tag.toLowerCase()) || c.channel_id.toLowerCase().includes(tag.toLowerCase()))).toBe(true);
  });
});

describe('collections', () => {
  it('lists with counts per platform, mine vs all, and gets one', async () => {
    const all = await s.ok('collection_list', { ownership: 'all', page_size: 100 });
    expect(all.total).toBeGreaterThanOrEqual(4);
    for (const c of all.items) expect(c.item_counts.total).toBe(c.item_counts.youtube + c.item_counts.tiktok + c.item_counts.instagram);
    const mine = await s.ok('collection_list', { ownership: 'mine', page_size: 100 });
    expect(mine.total).toBeLessThanOrEqual(all.total);
    expect(new Set(mine.items.map((c: any) => c.owner_uid)).size).toBeLessThanOrEqual(1);
    const one = await s.ok('collection_get', { collection_id: all.items[0].collection_id });
    expect(one.item_counts).toEqual(all.items[0].item_counts);
  });

  it('pages items per platform in a stable order with filters', async () => {
    const col = (await s.ok('collection_list', { page_size: 100 })).items.sort((a: any, b: any) => b.item_counts.total - a.item_counts.total)[0];
    const platform = (['youtube', 'tiktok', 'instagram'] as const).find((p) => col.item_counts[p] >= 3)!;
    const whole = await s.ok('collection_items', { collection_id: col.collection_id, platform, page_size: 100 });
    expect(whole.total).toBe(col.item_counts[platform]);
    const pages: string[] = [];
    for (let page = 1; (page - 1) * 2 < whole.total; page++) {
      const p = await s.ok('collection_items', { collection_id: col.collection_id, platform, page, page_size: 2 });
      pages.push(...p.items.map((i: any) => i.creator_id));
    }
    expect(pages).toEqual(whole.items.map((i: any) => i.creator_id));
    const withEmail = await s.ok('collection_items', { collection_id: col.collection_id, platform, has_email: true, page_size: 100 });
    expect(withEmail.items.every((i: any) => i.email !== null)).toBe(true);
    expect((await s.err('collection_items', { collection_id: col.collection_id })).error_code).toBe('INVALID_REQUEST');
  });

  it('creates, updates, and links to a campaign; unknown campaign refused', async () => {
    const cmp = (await s.ok('campaign_list', {})).items[0];
    const c = await s.ok('collection_create', { name: 'Shortlist', campaign_id: cmp.campaign_id });
    expect(c.item_counts.total).toBe(0);
    expect(c.campaign_id).toBe(cmp.campaign_id);
    const u = await s.ok('collection_update', { collection_id: c.collection_id, name: 'Shortlist v2', campaign_id: null });
    expect(u).toMatchObject({ name: 'Shortlist v2', campaign_id: null });
    expect((await s.err('collection_create', { name: 'x', campaign_id: 'cmp_nope' })).error_code).toBe('NOT_FOUND');
  });

  it('adds creators add-only: reports present, unknown and wrong-platform ids', async () => {
    const c = await s.ok('collection_create', { name: 'Add test' });
    const yt = (await s.ok('creator_search', { platform: 'youtube', page_size: 4 })).items.map((x: any) => x.creator_id);
    const tt = (await s.ok('creator_search', { platform: 'tiktok', page_size: 1 })).items[0].creator_id;
    const first = await s.previewApply('collection_add_creators', { collection_ids: [c.collection_id], platform: 'youtube', creator_ids: yt.slice(0, 2) });
    expect(first.result.added_count).toBe(2);

    const args = { collection_ids: [c.collection_id], platform: 'youtube', creator_ids: [...yt, tt, 'cr_unknown'] };
    const p = await s.ok('collection_add_creators_preview', args);
    expect(p.effect).toMatchObject({ requested_count: 6, matched_count: 4, will_add_count: 2, already_present_count: 2, not_found: ['cr_unknown'], wrong_platform: [tt] });
    expect(p.effect.sample.map((x: any) => x.creator_id).sort()).toEqual(yt.slice(2).sort());
    const a = await s.ok('collection_add_creators_apply', { ...args, preview_token: p.preview_token });
    expect(a.result).toMatchObject({ added_count: 2, already_present_count: 2 });
    const items = await s.ok('collection_items', { collection_id: c.collection_id, platform: 'youtube' });
    expect(items.items.map((i: any) => i.creator_id).sort()).toEqual([...yt].sort());
    expect(items.items.every((i: any) => i.source === 'added')).toBe(true);
  });

  it('adds by raw channel ids to several collections at once', async () => {
    const a = await s.ok('collection_create', { name: 'A' });
    const b = await s.ok('collection_create', { name: 'B' });
    const ig = (await s.ok('creator_search', { platform: 'instagram', page_size: 3 })).items;
    const res = await s.previewApply('collection_add_creators', { collection_ids: [a.collection_id, b.collection_id], platform: 'instagram', channel_ids: ig.map((x: any) => x.channel_id) });
    expect(res.result.added_count).toBe(6);
    expect(res.result.per_collection.map((p: any) => p.added_count)).toEqual([3, 3]);
    expect((await s.ok('collection_get', { collection_id: b.collection_id })).item_counts.instagram).toBe(3);
    const both = await s.err('collection_add_creators_preview', { collection_ids: [a.collection_id], platform: 'instagram', channel_ids: ['x'], creator_ids: ['y'] });
    expect(both.error_code).toBe('INVALID_REQUEST');
    const missing = await s.err('collection_add_creators_preview', { collection_ids: ['col_nope'], platform: 'instagram', channel_ids: ['x'] });
    expect(missing.error_code).toBe('NOT_FOUND');
  });

  it('deletes a collection through preview and apply', async () => {
    const c = await s.ok('collection_create', { name: 'Doomed' });
    const ids = (await s.ok('creator_search', { platform: 'tiktok', page_size: 3 })).items.map((x: any) => x.creator_id);
    await s.previewApply('collection_add_creators', { collection_ids: [c.collection_id], platform: 'tiktok', creator_ids: ids });
    const p = await s.ok('collection_delete_preview', { collection_id: c.collection_id });
    expect(p.effect.will_remove_items).toBe(3);
    const a = await s.ok('collection_delete_apply', { collection_id: c.collection_id, preview_token: p.preview_token });
    expect(a.result).toMatchObject({ deleted: true, removed_items: 3 });
    expect((await s.err('collection_get', { collection_id: c.collection_id })).error_code).toBe('NOT_FOUND');
    // the creators themselves are untouched
    expect((await s.ok('creator_get', { creator_id: ids[0] })).creator_id).toBe(ids[0]);
  });
});

describe('journal', () => {
  it('records applied changes with the token id', async () => {
    const c = await s.ok('collection_create', { name: 'Journaled' });
    const p = await s.ok('collection_delete_preview', { collection_id: c.collection_id });
    const a = await s.ok('collection_delete_apply', { collection_id: c.collection_id, preview_token: p.preview_token });
    const row = s.app.store.prepare(`SELECT * FROM journal WHERE token_id = ?`).get(a.token_id) as any;
    expect(row).toMatchObject({ operation: 'collection.delete', status: 'applied' });
    expect(JSON.parse(row.ids_json)).toEqual([c.collection_id]);
  });
});
