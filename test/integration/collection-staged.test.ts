// The staged collection families through the MCP client: refresh (email | base | audience),
// batch (move | copy | delete | label) and add-to-CRM, each validate → preview → apply.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, workspaceChecksum, type TestServer } from '../helpers/server.js';

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
    expect(rows.filter((r) => r.base_refreshed_at !== null).map((r) => r.creator_id).sort()).toEqual(withEmail.slice(0, 2).sort());

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
    expect(p.effect).toMatchObject({ matched_count: 2, outcome_counts: { will_move: 2 } });
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
    const removed = await staged('collection_batch', { collection_id: cid, platform: 'youtube', action: 'label', label_operation: 'remove', label_ids: [labels[0]], creator_ids: withEmail.slice(0, 2) });
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
    const probe = async (body: Record<string, unknown>) => (await s.ok('collection_batch_validate', { collection_id: cid, platform: 'youtube', ...body })).problems.map((p: any) => `${p.field}:${p.code}`);
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
    const before = db().prepare(`SELECT * FROM crm_channels WHERE creator_id IN (?, ?)`).all(...inCrm);
    const { p, a } = await staged('collection_add_to_crm', { collection_id: cid, platform: 'youtube' });
    expect(p.effect).toMatchObject({ matched_count: 5, will_create_count: 3, already_in_crm_count: 2 });
    expect(a.result).toMatchObject({ created_count: 3, already_in_crm_count: 2, campaign_id: campaignId });
    const created = db().prepare(`SELECT * FROM crm_channels WHERE creator_id IN (${fresh.map(() => '?').join(',')})`).all(...fresh) as any[];
    expect(created).toHaveLength(3);
    expect(created.every((c) => c.coop_status === '1' && c.owner_uid === 'u_001' && c.archived === 0 && c.url.includes('youtube.com'))).toBe(true);
    expect(db().prepare(`SELECT * FROM crm_channels WHERE creator_id IN (?, ?)`).all(...inCrm)).toEqual(before);
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
