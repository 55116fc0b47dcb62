// Discovery through the MCP client: creator search and lookup, and the search inputs every
// free-text field shares.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordOf, startServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(() => s.close());

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
    expect(recordOf(await s.ok('creator_get', { creator_id: first.creator_id }))).toEqual(first);
    expect(recordOf(await s.ok('creator_get', { platform: 'tiktok', channel_id: first.channel_id }))).toEqual(first);
    expect((await s.err('creator_get', { platform: 'tiktok' })).error_code).toBe('INVALID_REQUEST');
    expect((await s.err('creator_get', { platform: 'youtube', channel_id: 'https://youtube.com/@someone' })).error_code).toBe('NOT_FOUND');
  });
});

describe('a search that helps', () => {
  it('answers an empty result with a hint and the nearest tags the workspace knows', async () => {
    const none = await s.ok('creator_search', { keywords: 'skincre' });
    expect(none.total).toBe(0);
    expect(none.nearest_tags[0]).toBe('skincare');
    expect(none.hint).toContain('skincare');
    expect(none.hint).toContain('"skincre"');
    // The suggested tag finds creators.
    expect((await s.ok('creator_search', { keywords: none.nearest_tags[0] })).total).toBeGreaterThan(0);
    // Other filters are named as things to drop; with no near tag the most used ones are offered.
    const narrow = await s.ok('creator_search', { keywords: 'zzzzqqqq', country: 'US', followers_min: 100_000_000 });
    expect(narrow.hint).toMatch(/drop country\/followers_min/);
    const strict = await s.ok('creator_search', { followers_min: 999_999_999 });
    expect(strict.nearest_tags.length).toBeGreaterThan(0);
    expect(strict.hint).toContain('followers_min');
    // A search that finds something carries no hint.
    const some = await s.ok('creator_search', { keywords: 'skincare', page_size: 1 });
    expect(some.hint).toBeUndefined();
    expect(some.nearest_tags).toBeUndefined();
  });

  it('leaves out creators already in given collections, in the CRM, or emailed by sent tasks', async () => {
    const db = s.workspaceDb;
    const ids = (r: any) => r.items.map((c: any) => c.creator_id);
    const all = await s.ok('creator_search', { page_size: 100 });
    const collection = db.prepare(`SELECT collection_id FROM collections WHERE collection_id IN (SELECT collection_id FROM collection_items) ORDER BY collection_id LIMIT 1`).pluck().get() as string;
    const inCollection = new Set(db.prepare(`SELECT creator_id FROM collection_items WHERE collection_id = ?`).pluck().all(collection) as string[]);
    const inCrm = new Set(db.prepare(`SELECT creator_id FROM crm_channels`).pluck().all() as string[]);
    const contacted = new Set(db.prepare(`SELECT creator_id FROM email_recipients WHERE creator_id IS NOT NULL AND status IN ('sent','replied','bounced')`).pluck().all() as string[]);
    // The seed must give each filter something to do on the first page, or the test proves nothing.
    for (const set of [inCollection, inCrm, contacted]) expect(ids(all).some((id: string) => set.has(id))).toBe(true);
    const count = (sql: string, ...p: unknown[]) =>
      db
        .prepare(`SELECT COUNT(*) FROM creators c WHERE ${sql}`)
        .pluck()
        .get(...p) as number;
    const byCol = await s.ok('creator_search', { exclude_collection_ids: [collection], page_size: 100 });
    expect(ids(byCol).some((id: string) => inCollection.has(id))).toBe(false);
    expect(byCol.total).toBe(all.total - inCollection.size);
    const byCrm = await s.ok('creator_search', { exclude_in_crm: true, page_size: 100 });
    expect(ids(byCrm).some((id: string) => inCrm.has(id))).toBe(false);
    expect(byCrm.total).toBe(count('NOT EXISTS (SELECT 1 FROM crm_channels k WHERE k.creator_id = c.creator_id)'));
    const byMail = await s.ok('creator_search', { exclude_contacted: true, page_size: 100 });
    expect(ids(byMail).some((id: string) => contacted.has(id))).toBe(false);
    expect(byMail.total).toBe(all.total - contacted.size);
    const every = await s.ok('creator_search', { exclude_collection_ids: [collection], exclude_in_crm: true, exclude_contacted: true, page_size: 100 });
    expect(ids(every).some((id: string) => inCollection.has(id) || inCrm.has(id) || contacted.has(id))).toBe(false);
    expect(every.total).toBeLessThan(Math.min(byCol.total, byCrm.total, byMail.total));
    // Unknown collections are refused, not ignored.
    const e = await s.err('creator_search', { exclude_collection_ids: [collection, 'col_nope'] });
    expect(e.error_code).toBe('NOT_FOUND');
    expect(e.action?.hint).toContain('collection_list');
  });

  it('says when the exclusions, not the search, left nothing', async () => {
    const db = s.workspaceDb;
    // A CRM creator whose channel id matches no one else: excluding the CRM leaves nothing.
    const candidates = db.prepare(`SELECT c.channel_id FROM creators c JOIN crm_channels k USING (creator_id) ORDER BY c.creator_id LIMIT 20`).pluck().all() as string[];
    let unique: string | undefined;
    for (const id of candidates) if ((await s.ok('creator_search', { keywords: id })).total === 1) unique ??= id;
    expect(unique).toBeDefined();
    const gone = await s.ok('creator_search', { keywords: unique, exclude_in_crm: true });
    expect(gone.total).toBe(0);
    expect(gone.hint).toContain('All 1 matching creator(s) are excluded by exclude_*');
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
    expect(
      found.items.every(
        (c: any) =>
          c.tags.some((x: string) => x.toLowerCase().includes(tag.toLowerCase())) || c.nickname.toLowerCase().includes(tag.toLowerCase()) || c.channel_id.toLowerCase().includes(tag.toLowerCase()),
      ),
    ).toBe(true);
  });
});
