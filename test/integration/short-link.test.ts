// Short links (normal Nox tracking links) through the MCP client.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, workspaceChecksum, type TestServer } from '../helpers/server.js';

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(() => s.close());

describe('short links', () => {
  it('lists with filters and gets clicks over the default 7-day window', async () => {
    const all = await s.ok('short_link_list', { page_size: 100 });
    expect(all.total).toBeGreaterThanOrEqual(6);
    const one = await s.ok('short_link_get', { short_link_id: 'sl_001' });
    expect(one.clicks_by_day).toHaveLength(7);
    expect(one.clicks_total).toBe(one.clicks_by_day.reduce((n: number, d: any) => n + d.clicks, 0));
    expect(all.items.find((l: any) => l.short_link_id === 'sl_001').clicks_7d).toBe(one.clicks_total);
    expect(one.window.end_time.slice(0, 10)).toBe(new Date().toISOString().slice(0, 10));
    // The documented window: start_time / end_time as ISO date-times; every UTC day touched is counted.
    const today = one.window.end_time.slice(0, 10);
    const wide = await s.ok('short_link_get', { short_link_id: 'sl_001', start_time: `${today.slice(0, 8)}01T00:00:00Z`, end_time: `${today}T23:59:59+00:00` });
    expect(wide.clicks_by_day.map((d: any) => d.day)).toEqual(expect.arrayContaining([today]));
    expect(wide.clicks_by_day[0].day).toBe(`${today.slice(0, 8)}01`);
    const offset = await s.ok('short_link_get', { short_link_id: 'sl_001', start_time: '2026-01-02T01:00:00+08:00', end_time: '2026-01-02T09:00:00+08:00' });
    expect(offset.clicks_by_day.map((d: any) => d.day)).toEqual(['2026-01-01', '2026-01-02']);
    expect((await s.err('short_link_get', { short_link_id: 'sl_001', start_time: '2026-02-01T00:00:00Z', end_time: '2026-01-01T00:00:00Z' })).error_code).toBe('INVALID_REQUEST');
    expect((await s.err('short_link_get', { short_link_id: 'sl_001', start_time: '2025-01-01T00:00:00Z', end_time: '2026-06-01T00:00:00Z' })).error_code).toBe('INVALID_REQUEST');
    // Plain dates (the old from/to) are not the documented vocabulary.
    expect((await s.err('short_link_get', { short_link_id: 'sl_001', from: '2026-01-01' })).error_code).toBe('INVALID_REQUEST');
    expect((await s.err('short_link_get', { short_link_id: 'sl_001', start_time: '2026-01-01' })).error_code).toBe('INVALID_REQUEST');
    // creator_uids: the team members who created the links.
    const makers = [...new Set(all.items.map((l: any) => l.created_by))] as string[];
    const byMaker = await s.ok('short_link_list', { creator_uids: [makers[0]], page_size: 100 });
    expect(byMaker.total).toBe(all.items.filter((l: any) => l.created_by === makers[0]).length);
    expect(byMaker.items.every((l: any) => l.created_by === makers[0])).toBe(true);
    expect((await s.ok('short_link_list', { creator_uids: ['u_nobody'] })).total).toBe(0);
    expect((await s.ok('short_link_list', { keyword: 'Pulse' })).items.every((l: any) => /pulse/i.test(l.title + l.web))).toBe(true);
  });

  it('creates a normal tracking link with UTM fields, renames it, and refuses bad destinations', async () => {
    const l = await s.ok('short_link_create', { title: 'Serum — spring', web: 'https://shop.demo-brand.example/serum', utm_source: 'nox', utm_campaign: 'spring' });
    expect(l.short_url).toMatch(/^https:\/\/nox\.to\/\S+$/);
    expect(l.utm).toEqual({ utm_source: 'nox', utm_campaign: 'spring' });
    expect(l.created_by).toBe('u_001');
    const r = await s.ok('short_link_update', { short_link_id: l.short_link_id, title: 'Serum — spring v2' });
    expect(r).toMatchObject({ title: 'Serum — spring v2', web: l.web, short_url: l.short_url });
    expect((await s.err('short_link_update', { short_link_id: l.short_link_id, web: 'https://x.example' })).error_code).toBe('INVALID_REQUEST');
    expect((await s.err('short_link_create', { title: 'No destination' })).error_code).toBe('INVALID_REQUEST');
    const aff = s.workspaceDb.prepare('SELECT tracking_link FROM aff_members WHERE tracking_link IS NOT NULL LIMIT 1').pluck().get() as string;
    const e = await s.err('short_link_create', { title: 'Affiliate', web: aff });
    expect(e.summary).toContain('affiliate tracking link');
  });

  it('deletes a list of ids through preview and apply; a stale preview writes nothing', async () => {
    const a = await s.ok('short_link_create', { title: 'tmp a', web: 'https://a.example' });
    const b = await s.ok('short_link_create', { title: 'tmp b', android: 'https://b.example' });
    const p = await s.ok('short_link_delete_preview', { short_link_ids: [a.short_link_id, b.short_link_id] });
    expect(p.effect.will_delete_count).toBe(2);
    const r = await s.ok('short_link_delete_apply', { short_link_ids: [a.short_link_id, b.short_link_id], preview_token: p.preview_token });
    expect(r.result.deleted_count).toBe(2);
    expect((await s.err('short_link_get', { short_link_id: a.short_link_id })).error_code).toBe('NOT_FOUND');
    // Embedded in a scheduled task: refused.
    expect((await s.err('short_link_delete_preview', { short_link_ids: ['sl_001'] })).error_code).toBe('CONFLICT');
    // Preview, then the link gets embedded in a draft: the apply is stale.
    const c = await s.ok('short_link_create', { title: 'tmp c', web: 'https://c.example' });
    const p2 = await s.ok('short_link_delete_preview', { short_link_ids: [c.short_link_id] });
    await s.ok('email_content_save', { task_id: 'task_1822', short_links: [c.short_url] });
    const before = workspaceChecksum(s.workspaceDb);
    expect((await s.err('short_link_delete_apply', { short_link_ids: [c.short_link_id], preview_token: p2.preview_token })).error_code).toBe('PREVIEW_STALE');
    expect(workspaceChecksum(s.workspaceDb)).toBe(before);
  });
});
