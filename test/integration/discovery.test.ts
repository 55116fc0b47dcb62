// Discovery through the MCP client: creator search and lookup, and the search inputs every
// free-text field shares.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';

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
