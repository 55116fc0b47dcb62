// Product Center and short links through the MCP client.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, workspaceChecksum, type TestServer } from '../helpers/server.js';

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(() => s.close());

describe('products', () => {
  it('lists, filters by tag and keyword, and gets by product_collect_id', async () => {
    const all = await s.ok('product_list', { page_size: 100 });
    expect(all.total).toBe(8);
    const tags = await s.ok('product_tags_list', {});
    const gaming = tags.items.find((t: any) => t.name === 'Gaming');
    const byTag = await s.ok('product_list', { tag_id: gaming.tag_id, page_size: 100 });
    expect(byTag.total).toBe(gaming.product_count);
    expect(byTag.items.every((p: any) => p.tag_ids.includes(gaming.tag_id))).toBe(true);
    expect((await s.ok('product_list', { keyword: 'Headset' })).items.map((p: any) => p.product_collect_id)).toEqual(['pc_005']);
    const one = await s.ok('product_get', { product_collect_id: 'pc_001' });
    expect(one.title).toContain('Barrier Repair Serum');
    expect(one.email_task_ids).toEqual(expect.arrayContaining(['task_1820', 'task_1824']));
    // A marketplace id is not a product_collect_id.
    const e = await s.err('product_get', { product_collect_id: '8412736590124' });
    expect(e.error_code).toBe('NOT_FOUND');
    expect(e.action?.hint).toContain('product_list');
  });

  it('creates from a link or from external id + type, and refuses neither/both', async () => {
    const a = await s.ok('product_create', { title: 'Hydrating Toner', link: 'https://shop.demo-brand.example/products/toner', price: 24, tag_ids: ['ptag_001'] });
    expect(a).toMatchObject({ link: 'https://shop.demo-brand.example/products/toner', external_product_id: null, currency: 'USD', tag_ids: ['ptag_001'] });
    const b = await s.ok('product_create', { title: 'Grip v2', external_product_id: 'B0TEST', product_type: 'amazon' });
    expect(b).toMatchObject({ link: null, external_product_id: 'B0TEST', product_type: 'amazon' });
    expect((await s.err('product_create', { title: 'Nothing' })).error_code).toBe('INVALID_REQUEST');
    expect((await s.err('product_create', { title: 'Half', external_product_id: 'X1' })).error_code).toBe('INVALID_REQUEST');
    expect((await s.err('product_create', { title: 'Both', link: 'https://x.example/p', external_product_id: 'X1', product_type: 'shopify' })).error_code).toBe('INVALID_REQUEST');
    expect((await s.err('product_create', { title: 'Bad tag', link: 'https://x.example/p', tag_ids: ['ptag_nope'] })).error_code).toBe('NOT_FOUND');
  });

  it('updates partially: omitted fields and omitted tag ids are kept', async () => {
    const before = await s.ok('product_get', { product_collect_id: 'pc_003' });
    const u = await s.ok('product_update', { product_collect_id: 'pc_003', price: 45 });
    expect(u.price).toBe(45);
    expect(u.tag_ids).toEqual(before.tag_ids);
    expect(u.title).toBe(before.title);
    const t = await s.ok('product_update', { product_collect_id: 'pc_003', tag_ids: ['ptag_002'] });
    expect(t.tag_ids).toEqual(['ptag_002']);
    expect(t.price).toBe(45);
    expect((await s.err('product_update', { product_collect_id: 'pc_005', link: 'https://x.example/h7' })).error_code).toBe('INVALID_REQUEST');
  });

  it('uploads an image from the files root or base64 and returns a file_url', async () => {
    mkdirSync(join(s.app.files.root, 'img'), { recursive: true });
    writeFileSync(join(s.app.files.root, 'img', 'serum.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]));
    const a = await s.ok('product_image_upload', { path: 'img/serum.png' });
    expect(a.file_url).toMatch(/^https:\/\/.+serum\.png$/);
    expect(a.size).toBe(7);
    const b = await s.ok('product_image_upload', { content_base64: Buffer.from('gif').toString('base64'), filename: 'x.gif' });
    expect(b.file_url).toContain('x.gif');
    const u = await s.ok('product_update', { product_collect_id: 'pc_002', thumbnail_url: a.file_url });
    expect(u.thumbnail_url).toBe(a.file_url);
    expect((await s.err('product_image_upload', { content_base64: 'aGk=', filename: 'evil.sh' })).error_code).toBe('FILE_REFUSED');
    expect((await s.err('product_image_upload', { content_base64: 'aGk=', filename: 'notes.txt' })).error_code).toBe('FILE_REFUSED');
    expect((await s.err('product_image_upload', { path: '../outside.png' })).error_code).toBe('FILE_REFUSED');
  });

  it('deletes through preview and apply, removing the card from draft tasks only', async () => {
    const p = await s.ok('product_delete_preview', { product_collect_id: 'pc_006' });
    expect(p.effect.card_tasks.map((t: any) => t.task_id)).toEqual(['task_1823']);
    const a = await s.ok('product_delete_apply', { product_collect_id: 'pc_006', preview_token: p.preview_token });
    expect(a.result).toMatchObject({ deleted: true, removed_cards: 1 });
    expect((await s.ok('email_products_list', { task_id: 'task_1823' })).items.map((c: any) => c.product_collect_id)).toEqual(['pc_005']);
    expect((await s.err('product_get', { product_collect_id: 'pc_006' })).error_code).toBe('NOT_FOUND');
    // A card of a scheduled task cannot go away under the approved send.
    expect((await s.err('product_delete_preview', { product_collect_id: 'pc_001' })).error_code).toBe('CONFLICT');
  });

  it('manages tags: create, duplicate refused, rename, delete untags products', async () => {
    const t = await s.ok('product_tag_create', { name: 'Summer' });
    expect((await s.err('product_tag_create', { name: 'summer' })).error_code).toBe('DUPLICATE_DATA');
    const r = await s.ok('product_tag_update', { tag_id: t.tag_id, name: 'Summer 2026' });
    expect(r.name).toBe('Summer 2026');
    await s.ok('product_update', { product_collect_id: 'pc_007', tag_ids: ['ptag_002', t.tag_id] });
    const p = await s.ok('product_tag_delete_preview', { tag_ids: [t.tag_id] });
    expect(p.effect.will_untag_products).toBe(1);
    const a = await s.ok('product_tag_delete_apply', { tag_ids: [t.tag_id], preview_token: p.preview_token });
    expect(a.result).toMatchObject({ deleted_count: 1, untagged_products: 1 });
    expect((await s.ok('product_get', { product_collect_id: 'pc_007' })).tag_ids).toEqual(['ptag_002']);
  });
});

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
