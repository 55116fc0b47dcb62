// Product Center through the MCP client: products, tags and images.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';

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
