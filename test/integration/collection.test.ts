// Collections through the MCP client: collections and their items, add-creators, the staged
// grouped operations (refresh, batch, add to CRM), and spreadsheet imports into a collection.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, testBackend, workspaceChecksum, type TestServer } from '../helpers/server.js';
import { importFiles } from '../helpers/import-files.js';
import { readTable } from '../../src/spreadsheet.js';
import { repeat, sheetXml, workbook } from '../helpers/zip.js';
import { join } from 'node:path';

describe('collections and items', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer();
  });
  afterAll(() => s.close());

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
});

describe('staged grouped operations', () => {
  let s: TestServer;
  let campaignId: string;
  let withEmail: string[];
  let withoutEmail: string[];

  beforeAll(async () => {
    s = await startServer();
    campaignId = (await s.ok('campaign_list', {})).items[0].campaign_id;
    withEmail = (await s.ok('creator_search', { platform: 'youtube', has_email: true, page_size: 6 })).items.map((c: any) => c.creator_id);
    withoutEmail = (await s.ok('creator_search', { platform: 'youtube', has_email: false, page_size: 4 })).items.map((c: any) => c.creator_id);
    expect(withEmail).toHaveLength(6);
    expect(withoutEmail).toHaveLength(4);
  });
  afterAll(() => s.close());

  /** A fresh collection (linked to the first campaign) holding the given youtube creators. */
  async function collectionWith(creatorIds: string[], name = 'Staged'): Promise<string> {
    const c = await s.ok('collection_create', { name, campaign_id: campaignId });
    if (creatorIds.length) await s.previewApply('collection_add_creators', { collection_ids: [c.collection_id], platform: 'youtube', creator_ids: creatorIds });
    return c.collection_id;
  }

  const items = async (cid: string) => (await s.ok('collection_items', { collection_id: cid, platform: 'youtube', page_size: 100 })).items as any[];
  const db = () => s.workspaceDb;

  /** validate, then preview, then apply with the same body. */
  async function staged(base: string, body: Record<string, unknown>) {
    const v = await s.ok(`${base}_validate`, body);
    expect(v).toMatchObject({ valid: true, problems: [] });
    const before = workspaceChecksum(db());
    const p = await s.ok(`${base}_preview`, body);
    expect(workspaceChecksum(db())).toBe(before);
    const a = await s.ok(`${base}_apply`, { ...body, preview_token: p.preview_token });
    return { p, a };
  }

  describe('collection_refresh', () => {
    it('email: looks up emails from creator data and stamps every matched item', async () => {
      const cid = await collectionWith([...withEmail.slice(0, 3), ...withoutEmail.slice(0, 2)]);
      const body = { collection_id: cid, platform: 'youtube', what: 'email' };
      const { p, a } = await staged('collection_refresh', body);
      expect(p.effect).toMatchObject({ matched_count: 5, outcome_counts: { email_found: 3, no_email_available: 2 } });
      expect(p.effect.sample).toHaveLength(5);
      expect(a.result).toMatchObject({ matched_count: 5, updated_count: 5, campaign_id: campaignId, what: 'email' });
      const rows = await items(cid);
      for (const r of rows) {
        const creatorEmail = db().prepare('SELECT email FROM creators WHERE creator_id = ?').pluck().get(r.creator_id);
        expect(r.email).toBe(creatorEmail);
        expect(r.email_refreshed_at).toBeTruthy();
      }
      expect(rows.filter((r) => r.email !== null)).toHaveLength(3);
      // journaled under the collection's campaign
      const j = s.app.store.prepare('SELECT campaign_id FROM journal WHERE token_id = ?').get(a.token_id) as any;
      expect(j.campaign_id).toBe(campaignId);
    });

    it('base and audience on explicit creator_ids; audience reports already unlocked items', async () => {
      const cid = await collectionWith(withEmail.slice(0, 4));
      const base = await staged('collection_refresh', { collection_id: cid, platform: 'youtube', what: 'base', creator_ids: withEmail.slice(0, 2) });
      expect(base.a.result).toMatchObject({ matched_count: 2, updated_count: 2 });
      const rows = await items(cid);
      expect(
        rows
          .filter((r) => r.base_refreshed_at !== null)
          .map((r) => r.creator_id)
          .sort(),
      ).toEqual(withEmail.slice(0, 2).sort());

      const first = await staged('collection_refresh', { collection_id: cid, platform: 'youtube', what: 'audience', creator_ids: [withEmail[0]] });
      expect(first.p.effect.outcome_counts).toEqual({ will_unlock: 1 });
      const again = await staged('collection_refresh', { collection_id: cid, platform: 'youtube', what: 'audience' });
      expect(again.p.effect.outcome_counts).toEqual({ already_unlocked: 1, will_unlock: 3 });
      expect(again.a.result.updated_count).toBe(3);
      expect((await items(cid)).every((r) => r.audience_unlocked)).toBe(true);
    });

    it('validate lists problems; preview refuses the same body', async () => {
      const cid = await collectionWith(withEmail.slice(0, 2));
      const body = { collection_id: cid, platform: 'youtube', what: 'email', creator_ids: [withEmail[0], 'cr_nope', withoutEmail[0]] };
      const v = await s.ok('collection_refresh_validate', body);
      expect(v.valid).toBe(false);
      expect(v.problems).toEqual([expect.objectContaining({ field: 'creator_ids', code: 'NOT_IN_COLLECTION' })]);
      expect(v.problems[0].message).toContain('cr_nope');
      expect((await s.err('collection_refresh_preview', body)).error_code).toBe('INVALID_REQUEST');
      const missing = await s.ok('collection_refresh_validate', { collection_id: 'col_nope', platform: 'youtube', what: 'base' });
      expect(missing.problems[0]).toMatchObject({ field: 'collection_id', code: 'NOT_FOUND' });
      expect((await s.err('collection_refresh_preview', { collection_id: 'col_nope', platform: 'youtube', what: 'base' })).error_code).toBe('NOT_FOUND');
      expect((await s.err('collection_refresh_validate', { collection_id: cid, platform: 'youtube', what: 'everything' })).error_code).toBe('INVALID_REQUEST');
    });

    it('a stale preview (the collection changed in between) applies nothing', async () => {
      const cid = await collectionWith(withEmail.slice(0, 2));
      const body = { collection_id: cid, platform: 'youtube', what: 'email' };
      const p = await s.ok('collection_refresh_preview', body);
      await s.previewApply('collection_add_creators', { collection_ids: [cid], platform: 'youtube', creator_ids: [withEmail[2]] });
      const before = workspaceChecksum(db());
      const e = await s.err('collection_refresh_apply', { ...body, preview_token: p.preview_token });
      expect(e.error_code).toBe('PREVIEW_STALE');
      expect(workspaceChecksum(db())).toBe(before);
      expect((await items(cid)).every((r) => r.email_refreshed_at === null)).toBe(true);
    });

    it('a mismatched body is refused, naming the field', async () => {
      const cid = await collectionWith(withEmail.slice(0, 2));
      const p = await s.ok('collection_refresh_preview', { collection_id: cid, platform: 'youtube', what: 'email' });
      const e = await s.err('collection_refresh_apply', { collection_id: cid, platform: 'youtube', what: 'audience', preview_token: p.preview_token });
      expect(e.error_code).toBe('PREVIEW_MISMATCH');
      expect(e.details?.differing_fields).toEqual(['what']);
    });
  });

  describe('collection_batch', () => {
    it('copy leaves the source; items already in the target are reported', async () => {
      const src = await collectionWith(withEmail.slice(0, 4), 'Copy source');
      const dst = await collectionWith([withEmail[0]!], 'Copy target');
      const { p, a } = await staged('collection_batch', { collection_id: src, platform: 'youtube', action: 'copy', target_collection_id: dst });
      expect(p.effect.outcome_counts).toEqual({ already_in_target: 1, will_copy: 3 });
      expect(a.result).toMatchObject({ changed_count: 3, target_collection_id: dst, campaign_id: campaignId });
      expect((await items(src)).length).toBe(4);
      const target = await items(dst);
      expect(target.map((r) => r.creator_id).sort()).toEqual(withEmail.slice(0, 4).sort());
      expect(target.filter((r) => r.source === 'copied')).toHaveLength(3);
    });

    it('move removes from the source, carrying refresh state', async () => {
      const src = await collectionWith(withEmail.slice(0, 3), 'Move source');
      await staged('collection_refresh', { collection_id: src, platform: 'youtube', what: 'email' });
      const dst = await collectionWith([], 'Move target');
      const { p, a } = await staged('collection_batch', { collection_id: src, platform: 'youtube', action: 'move', target_collection_id: dst, creator_ids: withEmail.slice(0, 2) });
      expect(p.effect).toMatchObject({ matched_count: 2, outcome_counts: { will_move: 2 }, labels: [], label_operation: null });
      expect(p.summary).toBe('move 2 youtube item(s) of "Move source" to "Move target": 2 will move; all 2 leave "Move source".');
      expect(a.result.changed_count).toBe(2);
      expect((await items(src)).map((r) => r.creator_id)).toEqual([withEmail[2]]);
      const moved = await items(dst);
      expect(moved.map((r) => r.creator_id).sort()).toEqual(withEmail.slice(0, 2).sort());
      expect(moved.every((r) => r.source === 'moved' && r.email !== null && r.email_refreshed_at !== null)).toBe(true);
    });

    it('delete removes the selected items only', async () => {
      const cid = await collectionWith(withEmail.slice(0, 3), 'Delete');
      const { p, a } = await staged('collection_batch', { collection_id: cid, platform: 'youtube', action: 'delete', creator_ids: [withEmail[1]] });
      expect(p.effect.outcome_counts).toEqual({ will_delete: 1 });
      expect(a.result.changed_count).toBe(1);
      expect((await items(cid)).map((r) => r.creator_id).sort()).toEqual([withEmail[0], withEmail[2]].sort());
    });

    it('label adds and removes CRM label ids; unknown label ids are refused', async () => {
      const cid = await collectionWith(withEmail.slice(0, 3), 'Label');
      const labels = (await s.ok('crm_labels_list', { page_size: 100 })).items.map((l: any) => l.label_id);
      const first = await staged('collection_batch', { collection_id: cid, platform: 'youtube', action: 'label', label_ids: [labels[0]], creator_ids: [withEmail[0]] });
      expect(first.a.result.changed_count).toBe(1);
      const both = await staged('collection_batch', { collection_id: cid, platform: 'youtube', action: 'label', label_ids: [labels[1], labels[0]] });
      expect(both.p.effect.outcome_counts).toEqual({ will_label: 3 });
      let rows = await items(cid);
      expect(rows.every((r) => JSON.stringify(r.label_ids) === JSON.stringify([labels[0], labels[1]].sort()))).toBe(true);
      const again = await s.ok('collection_batch_preview', { collection_id: cid, platform: 'youtube', action: 'label', label_ids: [labels[0]] });
      expect(again.effect.outcome_counts).toEqual({ already_labeled: 3 });
      const name = (id: string) => db().prepare('SELECT name FROM crm_labels WHERE label_id = ?').pluck().get(id) as string; // previews name their labels
      expect(both.p.effect).toMatchObject({ label_operation: 'add', labels: [labels[0], labels[1]].sort().map((id: string) => ({ label_id: id, name: name(id) })) });
      expect(again.summary).toBe(`add label(s) ${JSON.stringify(name(labels[0]))} to 3 youtube item(s) of "Label": 3 already labeled.`);
      expect((await s.ok('collection_batch_preview', { collection_id: cid, platform: 'youtube', action: 'label', label_operation: 'remove', label_ids: [labels[1]] })).summary).toBe(
        `remove label(s) ${JSON.stringify(name(labels[1]))} from 3 youtube item(s) of "Label": 3 will unlabel.`,
      );
      const removed = await staged('collection_batch', {
        collection_id: cid,
        platform: 'youtube',
        action: 'label',
        label_operation: 'remove',
        label_ids: [labels[0]],
        creator_ids: withEmail.slice(0, 2),
      });
      expect(removed.a.result.changed_count).toBe(2);
      rows = await items(cid);
      expect(rows.find((r) => r.creator_id === withEmail[2]).label_ids.sort()).toEqual([labels[0], labels[1]].sort());
      expect(rows.find((r) => r.creator_id === withEmail[0]).label_ids).toEqual([labels[1]]);
      const filtered = await s.ok('collection_items', { collection_id: cid, platform: 'youtube', label_id: labels[0] });
      expect(filtered.items.map((r: any) => r.creator_id)).toEqual([withEmail[2]]);
      const bad = await s.ok('collection_batch_validate', { collection_id: cid, platform: 'youtube', action: 'label', label_ids: ['lbl_nope'] });
      expect(bad.problems).toEqual([expect.objectContaining({ field: 'label_ids', code: 'NOT_FOUND' })]);
      expect((await s.err('collection_batch_preview', { collection_id: cid, platform: 'youtube', action: 'label', label_ids: ['lbl_nope'] })).error_code).toBe('NOT_FOUND');
    });

    it('collection_items filters by keyword, label and email on the paged index', async () => {
      const cid = await collectionWith(withEmail.slice(0, 4), 'Filters');
      const nick = db().prepare('SELECT nickname FROM creators WHERE creator_id = ?').pluck().get(withEmail[2]) as string;
      const byKeyword = await s.ok('collection_items', { collection_id: cid, platform: 'youtube', keyword: nick });
      expect(byKeyword.items.map((i: any) => i.creator_id)).toContain(withEmail[2]);
      expect(byKeyword.items.every((i: any) => i.nickname.includes(nick))).toBe(true);
      expect((await s.ok('collection_items', { collection_id: cid, platform: 'youtube', keyword: '%' })).total).toBe(0);
      const pages = [];
      for (let page = 1; page <= 2; page++) pages.push(...(await s.ok('collection_items', { collection_id: cid, platform: 'youtube', page, page_size: 2 })).items.map((i: any) => i.creator_id));
      expect(pages).toEqual((await items(cid)).map((r) => r.creator_id));
      expect((await s.ok('collection_items', { collection_id: cid, platform: 'youtube', has_email: true })).total).toBe(0);
    });

    it('validate checks the cross-field rules', async () => {
      const cid = await collectionWith(withEmail.slice(0, 1), 'Rules');
      const probe = async (body: Record<string, unknown>) =>
        (await s.ok('collection_batch_validate', { collection_id: cid, platform: 'youtube', ...body })).problems.map((p: any) => `${p.field}:${p.code}`);
      expect(await probe({ action: 'move' })).toEqual(['target_collection_id:REQUIRED']);
      expect(await probe({ action: 'copy', target_collection_id: cid })).toEqual(['target_collection_id:SAME_COLLECTION']);
      expect(await probe({ action: 'copy', target_collection_id: 'col_nope' })).toEqual(['target_collection_id:NOT_FOUND']);
      expect(await probe({ action: 'delete', target_collection_id: cid, label_ids: ['lbl_001'] })).toEqual(['target_collection_id:NOT_ALLOWED', 'label_ids:NOT_ALLOWED']);
      expect(await probe({ action: 'label' })).toEqual(['label_ids:REQUIRED']);
      expect((await s.err('collection_batch_preview', { collection_id: cid, platform: 'youtube', action: 'move' })).error_code).toBe('INVALID_REQUEST');
    });

    it('a stale preview (target changed in between) and a mismatched body apply nothing', async () => {
      const src = await collectionWith(withEmail.slice(0, 3), 'Stale src');
      const dst = await collectionWith([], 'Stale dst');
      const body = { collection_id: src, platform: 'youtube', action: 'move', target_collection_id: dst };
      const p = await s.ok('collection_batch_preview', body);
      const mismatch = await s.err('collection_batch_apply', { ...body, action: 'copy', preview_token: p.preview_token });
      expect(mismatch.error_code).toBe('PREVIEW_MISMATCH');
      await s.previewApply('collection_add_creators', { collection_ids: [dst], platform: 'youtube', creator_ids: [withEmail[0]] });
      const stale = await s.err('collection_batch_apply', { ...body, preview_token: p.preview_token });
      expect(stale.error_code).toBe('PREVIEW_STALE');
      expect((await items(src)).length).toBe(3);
      expect((await items(dst)).length).toBe(1);
    });
  });

  describe('collection_add_to_crm', () => {
    it('creates CRM channels for the whole slice with the default status; present ones are reported', async () => {
      const fresh = db()
        .prepare(`SELECT creator_id FROM creators WHERE platform = 'youtube' AND creator_id NOT IN (SELECT creator_id FROM crm_channels) ORDER BY creator_id LIMIT 3`)
        .pluck()
        .all() as string[];
      const inCrm = db().prepare(`SELECT creator_id FROM crm_channels WHERE platform = 'youtube' ORDER BY creator_id LIMIT 2`).pluck().all() as string[];
      const cid = await collectionWith([...fresh, ...inCrm], 'To CRM');
      const before = db()
        .prepare(`SELECT * FROM crm_channels WHERE creator_id IN (?, ?)`)
        .all(...inCrm);
      const { p, a } = await staged('collection_add_to_crm', { collection_id: cid, platform: 'youtube' });
      expect(p.effect).toMatchObject({ matched_count: 5, will_create_count: 3, already_in_crm_count: 2 });
      expect(a.result).toMatchObject({ created_count: 3, already_in_crm_count: 2, campaign_id: campaignId });
      const created = db()
        .prepare(`SELECT * FROM crm_channels WHERE creator_id IN (${fresh.map(() => '?').join(',')})`)
        .all(...fresh) as any[];
      expect(created).toHaveLength(3);
      expect(created.every((c) => c.coop_status === '1' && c.owner_uid === 'u_001' && c.archived === 0 && c.url.includes('youtube.com'))).toBe(true);
      expect(
        db()
          .prepare(`SELECT * FROM crm_channels WHERE creator_id IN (?, ?)`)
          .all(...inCrm),
      ).toEqual(before);
      // a repeat finds everything present
      const again = await s.ok('collection_add_to_crm_preview', { collection_id: cid, platform: 'youtube' });
      expect(again.effect.will_create_count).toBe(0);
    });

    it('takes the whole slice only: creator_ids are refused', async () => {
      const cid = await collectionWith(withEmail.slice(0, 1), 'Whole slice');
      expect((await s.err('collection_add_to_crm_validate', { collection_id: cid, platform: 'youtube', creator_ids: withEmail.slice(0, 1) })).error_code).toBe('INVALID_REQUEST');
    });

    it('a stale preview (a channel was created in between) applies nothing', async () => {
      const fresh = db()
        .prepare(`SELECT creator_id FROM creators WHERE platform = 'youtube' AND creator_id NOT IN (SELECT creator_id FROM crm_channels) ORDER BY creator_id DESC LIMIT 2`)
        .pluck()
        .all() as string[];
      const cid = await collectionWith(fresh, 'CRM stale');
      const body = { collection_id: cid, platform: 'youtube' };
      const p = await s.ok('collection_add_to_crm_preview', body);
      expect((await s.err('collection_add_to_crm_apply', { ...body, platform: 'tiktok', preview_token: p.preview_token })).error_code).toBe('PREVIEW_MISMATCH');
      await s.previewApply('collection_add_to_crm', { collection_id: cid, platform: 'youtube' });
      expect((await s.err('collection_add_to_crm_apply', { ...body, preview_token: p.preview_token })).error_code).toBe('PREVIEW_STALE');
    });
  });
});

describe('collection imports', () => {
  let s: TestServer;
  let root: string;
  const db = () => s.workspaceDb;
  const creatorCount = () => db().prepare('SELECT COUNT(*) FROM creators').pluck().get() as number;

  beforeAll(async () => {
    s = await startServer();
    root = s.app.files.root;
  });
  afterAll(() => s.close());

  const { put, xlsx, csv, seeded } = importFiles(() => s);

  describe('collection_import_template', () => {
    it('writes the template into the files root, never over an existing file', async () => {
      const r = await s.ok('collection_import_template', { output_path: 'templates/col.xlsx' });
      expect(r).toMatchObject({ path: 'templates/col.xlsx' });
      expect(r.bytes).toBeGreaterThan(1000);
      const { readFileSync } = await import('node:fs');
      const table = await readTable({ name: 'col.xlsx', ext: '.xlsx', bytes: readFileSync(join(root, 'templates/col.xlsx')) }, { maxRows: 10 });
      expect(table.header[0]).toContain('Creator URL');
      expect(table.rows.length).toBeGreaterThan(0);
      expect((await s.err('collection_import_template', { output_path: 'templates/col.xlsx' })).error_code).toBe('FILE_REFUSED');
      expect((await s.err('collection_import_template', { output_path: '../escape.xlsx' })).error_code).toBe('FILE_REFUSED');
    });
  });

  describe('collection_import_file', () => {
    it('previews an .xlsx without writing, then imports it through the job runner', async () => {
      const col = await s.ok('collection_create', { name: 'Imported', campaign_id: 'cmp_001' });
      const yt = seeded('youtube', 1, col.collection_id)[0]!;
      const tt = seeded('tiktok', 1, col.collection_id)[0]!;
      const ig = seeded('instagram', 1, col.collection_id)[0]!;
      const path = await xlsx('imports/creators.xlsx', [
        ['Creator URL', 'Email'],
        [yt.channel_url, ''], // row 2: existing youtube creator by /channel/<id>
        [`tiktok.com/@${tt.channel_id}?lang=en`, 'TT@Example.com'], // row 3: existing, URL without scheme
        [ig.channel_url, ''], // row 4
        ['https://www.tiktok.com/@brand.new.creator', 'new@example.com'], // row 5: unknown → new creator
        ['https://youtube.com/@FreshChannel', ''], // row 6: unknown youtube handle
        ['https://example.com/not-a-creator', ''], // row 7: bad URL
        ['https://www.instagram.com/good.handle/', 'not-an-email'], // row 8: bad email
        [yt.channel_url, ''], // row 9: duplicate of row 2
        ['', 'orphan@example.com'], // row 10: missing URL
      ]);
      const body = { collection_id: col.collection_id, path };
      const before = workspaceChecksum(db());
      const p = await s.ok('collection_import_file_preview', body);
      expect(workspaceChecksum(db())).toBe(before);
      expect(p.effect).toMatchObject({
        file_name: 'creators.xlsx',
        row_count: 9,
        importable_count: 5,
        by_platform: { youtube: 2, tiktok: 2, instagram: 1 },
        will_add_count: 3,
        new_creator_count: 2,
        already_in_collection_count: 0,
        duplicate_count: 1,
        duplicates: [{ row: 9, duplicate_of_row: 2 }],
        failed_count: 3,
      });
      expect(p.effect.failed_items).toEqual([
        expect.objectContaining({ row: 7, column: 'A', value: 'https://example.com/not-a-creator' }),
        expect.objectContaining({ row: 8, column: 'B', value: 'not-an-email' }),
        expect.objectContaining({ row: 10, column: 'A', reason: 'Missing creator URL.' }),
      ]);

      const creatorsBefore = creatorCount();
      const a = await s.ok('collection_import_file_apply', { ...body, preview_token: p.preview_token });
      expect(a.result).toMatchObject({ status: 'queued', queued_row_count: 5, failed_count: 3, duplicate_count: 1, campaign_id: 'cmp_001' });
      const queued = await s.ok('collection_import_status', { import_id: a.result.import_id });
      expect(queued).toMatchObject({ status: 'queued', progress: 0, total: 5 });
      expect(queued.failed_items).toHaveLength(3);
      expect(creatorCount()).toBe(creatorsBefore); // nothing happens before the job runs

      await s.drainJobs();
      const done = await s.ok('collection_import_status', { import_id: a.result.import_id });
      expect(done).toMatchObject({ status: 'done', progress: 5, total: 5, imported_count: 5, already_present_count: 0, created_creators_count: 2, duplicate_count: 1, error: null });
      expect(done.failed_items.map((f: any) => `${f.row}${f.column}`)).toEqual(['7A', '8B', '10A']);
      expect(creatorCount()).toBe(creatorsBefore + 2);

      const items = async (platformName: string) => (await s.ok('collection_items', { collection_id: col.collection_id, platform: platformName, page_size: 100 })).items as any[];
      const tiktok = await items('tiktok');
      expect(tiktok.map((i) => i.channel_id).sort()).toEqual(['brand.new.creator', tt.channel_id].sort());
      expect(tiktok.every((i) => i.source === 'imported')).toBe(true);
      expect(tiktok.find((i) => i.creator_id === tt.creator_id).email).toBe('tt@example.com');
      const youtube = await items('youtube');
      expect(youtube.map((i) => i.channel_id).sort()).toEqual(['@freshchannel', yt.channel_id].sort());
      const fresh = youtube.find((i) => i.channel_id === '@freshchannel');
      expect(fresh).toMatchObject({ nickname: 'freshchannel', followers: 0, channel_url: 'https://www.youtube.com/@freshchannel' });
      expect((await items('instagram')).map((i) => i.creator_id)).toEqual([ig.creator_id]);
    });

    it('imports a .csv without a header row and from content_base64; repeats are already present', async () => {
      const col = await s.ok('collection_create', { name: 'CSV import' });
      const tt = seeded('tiktok', 2, col.collection_id);
      const text = tt.map((c) => c.channel_url).join('\n') + '\n';
      const p = await s.ok('collection_import_file_preview', { collection_id: col.collection_id, content_base64: Buffer.from(text).toString('base64'), filename: 'list.csv' });
      expect(p.effect).toMatchObject({ row_count: 2, importable_count: 2, will_add_count: 2, failed_count: 0 });
      expect(p.effect.sample.map((r: any) => r.row)).toEqual([1, 2]);
      const path = csv('imports/list.csv', [['url'], ...tt.map((c) => [c.channel_url])]);
      const r1 = await s.previewApply('collection_import_file', { collection_id: col.collection_id, path });
      await s.drainJobs();
      expect(await s.ok('collection_import_status', { import_id: r1.result.import_id })).toMatchObject({ status: 'done', imported_count: 2 });
      const again = await s.ok('collection_import_file_preview', { collection_id: col.collection_id, path });
      expect(again.effect).toMatchObject({ will_add_count: 0, already_in_collection_count: 2 });
      const r2 = await s.ok('collection_import_file_apply', { collection_id: col.collection_id, path, preview_token: again.preview_token });
      await s.drainJobs();
      expect(await s.ok('collection_import_status', { import_id: r2.result.import_id })).toMatchObject({ status: 'done', imported_count: 0, already_present_count: 2 });
    });

    it('reports progress while a large import runs', async () => {
      const col = await s.ok('collection_create', { name: 'Big import' });
      const rows = Array.from({ length: 600 }, (_, i) => [`https://www.instagram.com/bulk.import.${i}/`]);
      const path = csv('imports/big.csv', [['Creator URL'], ...rows]);
      const seen: number[] = [];
      const off = s.app.jobs.onUpdate((row) => {
        if (row.status === 'running') seen.push(row.progress);
      });
      const a = await s.previewApply('collection_import_file', { collection_id: col.collection_id, path });
      await s.drainJobs();
      off();
      expect(seen).toEqual(expect.arrayContaining([0, 250, 500, 600]));
      expect(await s.ok('collection_import_status', { import_id: a.result.import_id })).toMatchObject({ status: 'done', imported_count: 600, created_creators_count: 600 });
      expect((await s.ok('collection_get', { collection_id: col.collection_id })).item_counts.instagram).toBe(600);
    });

    it('collection_import_status waits for the import, with progress notifications', async () => {
      const col = await s.ok('collection_create', { name: 'Waited import' });
      const path = csv('imports/wait.csv', [['url'], ...Array.from({ length: 40 }, (_, i) => [`https://www.tiktok.com/@waited.${i}`])]);
      const a = await s.previewApply('collection_import_file', { collection_id: col.collection_id, path });
      const t0 = Date.now();
      const early = await s.ok('collection_import_status', { import_id: a.result.import_id, wait_seconds: 1 });
      expect(early.status).toBe('queued'); // nothing runs the job: the wait ends after a second
      expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
      const progress: { progress: number; total?: number }[] = [];
      const waiting = s.client.callTool({ name: 'collection_import_status', arguments: { import_id: a.result.import_id, wait_seconds: 20 } }, undefined, {
        onprogress: (p) => progress.push(p),
      });
      await new Promise((r) => setTimeout(r, 250));
      await s.drainJobs();
      const res = (await waiting).structuredContent as any;
      expect(res).toMatchObject({ status: 'done', imported_count: 40, progress: 40, total: 40 });
      // progress is relayed where the import runs in this process (the local backend); on the http
      // and cli backends the wait runs upstream, which reports no progress stream
      if (testBackend === 'local') {
        expect(progress.length).toBeGreaterThanOrEqual(2);
        expect(progress.at(-1)).toMatchObject({ progress: 40, total: 40 });
      }
    });

    it('a later email refresh keeps an email imported from the file when the creator data has none', async () => {
      const col = await s.ok('collection_create', { name: 'Email kept' });
      const path = csv('imports/emails.csv', [
        ['url', 'email'],
        ['https://www.instagram.com/kept.email.creator/', 'kept@example.com'],
      ]);
      const a = await s.previewApply('collection_import_file', { collection_id: col.collection_id, path });
      await s.drainJobs();
      expect((await s.ok('collection_import_status', { import_id: a.result.import_id })).status).toBe('done');
      const item = (await s.ok('collection_items', { collection_id: col.collection_id, platform: 'instagram' })).items[0];
      expect(item.email).toBe('kept@example.com');
      db().prepare('UPDATE creators SET email = NULL, has_email = 0 WHERE creator_id = ?').run(item.creator_id);
      const r = await s.previewApply('collection_refresh', { collection_id: col.collection_id, platform: 'instagram', what: 'email' });
      expect(r.result.outcome_counts).toEqual({ no_email_available: 1 });
      const after = (await s.ok('collection_items', { collection_id: col.collection_id, platform: 'instagram' })).items[0];
      expect(after).toMatchObject({ email: 'kept@example.com' });
      expect(after.email_refreshed_at).toBeTruthy();
    });

    it('refuses bad files with the documented codes and writes nothing', async () => {
      const col = await s.ok('collection_create', { name: 'Refusals' });
      const cid = col.collection_id;
      const before = workspaceChecksum(db());
      const refuse = async (args: Record<string, unknown>) => (await s.err('collection_import_file_preview', { collection_id: cid, ...args })).error_code;
      expect(await refuse({ path: put('imports/notes.txt', 'https://www.tiktok.com/@someone\n') })).toBe('FILE_REFUSED');
      expect(await refuse({ path: put('imports/old.xls', 'not really excel') })).toBe('FILE_REFUSED');
      expect(await refuse({ path: put('imports/fake.xlsx', 'this is not a zip') })).toBe('FILE_REFUSED');
      expect(await refuse({ path: put('imports/huge.csv', Buffer.alloc(10 * 1024 * 1024 + 1, 0x61)) })).toBe('LIMIT_EXCEEDED');
      const tooMany = Array.from({ length: 5001 }, (_, i) => [`https://www.tiktok.com/@too.many.${i}`]);
      const many = await s.err('collection_import_file_preview', { collection_id: cid, path: csv('imports/many.csv', [['url'], ...tooMany]) });
      expect(many.error_code).toBe('LIMIT_EXCEEDED');
      expect(many.summary).toContain('5000');
      expect(await refuse({ path: '../outside.csv' })).toBe('FILE_REFUSED');
      expect(await refuse({ path: '/etc/passwd' })).toBe('FILE_REFUSED');
      expect(await refuse({ path: 'imports/missing.csv' })).toBe('NOT_FOUND');
      expect(await refuse({ path: put('imports/empty-rows.csv', 'Creator URL\n') })).toBe('FILE_REFUSED');
      expect(await refuse({})).toBe('INVALID_REQUEST');
      const allBad = await s.err('collection_import_file_preview', {
        collection_id: cid,
        path: csv('imports/bad.csv', [
          ['url', 'email'],
          ['hello', ''],
          ['https://www.tiktok.com/@ok.handle', 'nope'],
        ]),
      });
      expect(allBad.error_code).toBe('INVALID_REQUEST');
      expect(allBad.summary).toContain('row 2, column A');
      expect(allBad.summary).toContain('row 3, column B');
      expect((await s.err('collection_import_file_preview', { collection_id: 'col_nope', path: csv('imports/ok.csv', [['url'], ['https://www.tiktok.com/@ok.handle']]) })).error_code).toBe(
        'NOT_FOUND',
      );
      expect(workspaceChecksum(db())).toBe(before);
    });

    it('refuses a spreadsheet bomb with LIMIT_EXCEEDED in seconds while other calls are served', async () => {
      const col = await s.ok('collection_create', { name: 'Bomb' });
      // Three sheets of identical rows: small once compressed, hundreds of MB once read whole.
      const sheet = sheetXml(repeat('<row><c t="inlineStr"><is><t>https://www.tiktok.com/@same.creator</t></is></c></row>', 300_000));
      const bomb = workbook({ sheets: [sheet, sheet, sheet] });
      expect(bomb.length).toBeLessThan(1024 * 1024);
      const before = workspaceChecksum(db());
      for (const file of [{ path: put('imports/bomb.xlsx', bomb) }, { content_base64: bomb.toString('base64'), filename: 'bomb.xlsx' }]) {
        const answered: string[] = [];
        const t0 = Date.now();
        const refused = s.err('collection_import_file_preview', { collection_id: col.collection_id, ...file }).then((e) => {
          answered.push('bomb');
          return e;
        });
        const other = s.ok('campaign_list', {}).then(() => answered.push('campaign_list'));
        const [e] = await Promise.all([refused, other]);
        expect(e.error_code).toBe('LIMIT_EXCEEDED');
        expect(e.summary).toContain('5000');
        expect(Date.now() - t0).toBeLessThan(5000); // a sanity bound: the whole-workbook reader took minutes
        // On the cli backend both calls are CLI processes, whose start-up dominates which answers
        // first; the bound above still shows the refusal took seconds, not minutes.
        if (testBackend !== 'cli') expect(answered).toEqual(['campaign_list', 'bomb']);
      }
      expect(workspaceChecksum(db())).toBe(before);
    });

    it('a file changed after the preview is a stale preview; a job whose collection vanished imports nothing', async () => {
      const col = await s.ok('collection_create', { name: 'Stale import' });
      const path = csv('imports/stale.csv', [['url'], ['https://www.tiktok.com/@stale.one']]);
      const p = await s.ok('collection_import_file_preview', { collection_id: col.collection_id, path });
      csv('imports/stale.csv', [['url'], ['https://www.tiktok.com/@stale.two']]);
      expect((await s.err('collection_import_file_apply', { collection_id: col.collection_id, path, preview_token: p.preview_token })).error_code).toBe('PREVIEW_STALE');

      const rows = Array.from({ length: 30 }, (_, i) => [`https://www.tiktok.com/@vanishing.${i}`]);
      const path2 = csv('imports/vanish.csv', [['url'], ...rows]);
      const a = await s.previewApply('collection_import_file', { collection_id: col.collection_id, path: path2 });
      await s.previewApply('collection_delete', { collection_id: col.collection_id });
      const creators = creatorCount();
      await s.drainJobs();
      const st = await s.ok('collection_import_status', { import_id: a.result.import_id });
      expect(st).toMatchObject({ status: 'failed', error: { error_code: 'NOT_FOUND' } });
      expect(st.summary).toContain('Nothing was imported');
      expect(creatorCount()).toBe(creators);
      expect((await s.err('collection_import_status', { import_id: 'job_nope' })).error_code).toBe('NOT_FOUND');
    });
  });
});
