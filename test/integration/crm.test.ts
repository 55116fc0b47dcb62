// The CRM through the MCP client: channels, the auto-create rule, batch updates, archive/restore,
// add-to-email, labels and groups.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordOf, startServer, testBackend, workspaceChecksum, type TestServer } from '../helpers/server.js';
import { importFiles } from '../helpers/import-files.js';
import { readTable } from '../../src/spreadsheet.js';

let s: TestServer;
const db = () => s.workspaceDb;
let pool: string[]; // creators with no CRM channel, handed out one slice at a time
const take = (n: number) => pool.splice(0, n);

beforeAll(async () => {
  s = await startServer();
  pool = db().prepare(`SELECT creator_id FROM creators WHERE creator_id NOT IN (SELECT creator_id FROM crm_channels) ORDER BY creator_id`).pluck().all() as string[];
  expect(pool.length).toBeGreaterThan(100);
});
afterAll(() => s.close());

const channelRow = (cid: string) => db().prepare('SELECT * FROM crm_channels WHERE creator_id = ?').get(cid) as any;
const labelsOf = (cid: string) => db().prepare('SELECT label_id FROM crm_channel_labels WHERE creator_id = ? ORDER BY label_id').pluck().all(cid) as string[];
const activeChannels = async (n: number) => (await s.ok('crm_list', { page_size: n })).items as any[];
/** Preview then apply (the change needs approval); the applied operation's result. */
const applied = async (base: string, args: Record<string, unknown>) => (await s.previewApply(base, args)).result;

describe('crm_list and crm_get', () => {
  it('lists active channels by default, pages, and filters', async () => {
    const all = await s.ok('crm_list', { page_size: 100 });
    expect(all.total).toBeGreaterThan(50);
    expect(all.items.every((c: any) => !c.archived)).toBe(true);
    const archived = await s.ok('crm_list', { archived: true, page_size: 100 });
    expect(archived.total).toBeGreaterThan(0);
    expect(archived.items.every((c: any) => c.archived)).toBe(true);
    const p2 = await s.ok('crm_list', { page: 2, page_size: 5 });
    expect(p2.items.map((c: any) => c.creator_id)).toEqual(all.items.slice(5, 10).map((c: any) => c.creator_id));

    const byStatus = await s.ok('crm_list', { coop_status: '3', page_size: 100 });
    expect(byStatus.total).toBeGreaterThan(0);
    expect(byStatus.items.every((c: any) => c.coop_status === '3')).toBe(true);
    const byLabel = await s.ok('crm_list', { label_ids: ['lbl_001', 'lbl_006'], page_size: 100 });
    expect(byLabel.items.every((c: any) => c.label_ids.includes('lbl_001') || c.label_ids.includes('lbl_006'))).toBe(true);
    const owner = all.items.find((c: any) => c.owner_uid).owner_uid;
    const byOwner = await s.ok('crm_list', { owner_uid: owner, page_size: 100 });
    expect(byOwner.items.every((c: any) => c.owner_uid === owner)).toBe(true);
    const byGroup = await s.ok('crm_list', { group_id: 'grp_003', page_size: 100 });
    expect(byGroup.total).toBeGreaterThan(0);
    expect(byGroup.items.every((c: any) => c.group_ids.includes('grp_003'))).toBe(true);
    const kw = await s.ok('crm_list', { keyword: all.items[0].channel_id });
    expect(kw.items.map((c: any) => c.creator_id)).toContain(all.items[0].creator_id);
    expect((await s.ok('crm_list', { keyword: '%' })).total).toBe(0);
  });

  it('gets one channel; a creator without one is NOT_FOUND with a hint', async () => {
    const first = (await activeChannels(1))[0];
    expect(recordOf(await s.ok('crm_get', { creator_id: first.creator_id }))).toEqual(first);
    const e = await s.err('crm_get', { creator_id: pool[0]! });
    expect(e.error_code).toBe('NOT_FOUND');
    expect(e.action?.hint).toContain('crm_batch_update');
  });
});

describe('crm_update (preview/apply): the auto-create rule', () => {
  it('a coop-status change creates the missing channel', async () => {
    const [cid] = take(1);
    const r = await applied('crm_update', { creator_id: cid, coop_status: '2', remark: 'First call done.' });
    expect(r).toMatchObject({ created: true, coop_status: '2', remark: 'First call done.', owner_uid: 'u_001', archived: false });
    expect(r.channel_url).toContain(r.channel_id);
  });

  it('a label-only change creates the channel with the default coop status', async () => {
    const [cid] = take(1);
    const r = await applied('crm_update', { creator_id: cid, label_ids: ['lbl_002', 'lbl_001'] });
    expect(r).toMatchObject({ created: true, coop_status: '1', label_ids: ['lbl_001', 'lbl_002'] });
  });

  it('owner, email, url, remark or group-only changes on a missing channel fail', async () => {
    const [cid] = take(1);
    for (const change of [{ owner_uid: 'u_002' }, { email: 'x@example.com' }, { remark: 'hi' }, { url: 'https://example.com' }, { group_ids: ['grp_001'] }]) {
      const e = await s.err('crm_update_preview', { creator_id: cid, ...change });
      expect(e.error_code).toBe('NOT_FOUND');
      expect(e.summary).toContain('no CRM channel');
    }
    expect(channelRow(cid!)).toBeUndefined();
  });

  it('updates an existing channel: fields, label set, groups; bad references refused', async () => {
    const ch = (await activeChannels(1))[0];
    const r = await applied('crm_update', {
      creator_id: ch.creator_id,
      owner_uid: 'u_003',
      email: 'new@example.com',
      url: 'https://example.com/me',
      label_ids: ['lbl_003'],
      group_ids: ['grp_001', 'grp_003'],
    });
    expect(r).toMatchObject({ created: false, owner_uid: 'u_003', email: 'new@example.com', url: 'https://example.com/me', label_ids: ['lbl_003'], group_ids: ['grp_001', 'grp_003'] });
    expect(r.updated_at >= ch.updated_at).toBe(true);
    const cleared = await applied('crm_update', { creator_id: ch.creator_id, owner_uid: null, label_ids: [] });
    expect(cleared).toMatchObject({ owner_uid: null, label_ids: [] });
    expect((await s.err('crm_update_preview', { creator_id: ch.creator_id, label_ids: ['lbl_nope'] })).error_code).toBe('NOT_FOUND');
    expect((await s.err('crm_update_preview', { creator_id: ch.creator_id, owner_uid: 'u_nope' })).error_code).toBe('NOT_FOUND');
    expect((await s.err('crm_update_preview', { creator_id: ch.creator_id, group_ids: ['grp_nope'] })).error_code).toBe('NOT_FOUND');
    expect((await s.err('crm_update_preview', { creator_id: ch.creator_id })).error_code).toBe('INVALID_REQUEST');
    // A status is a server-defined id: a name or an unknown id is refused, naming the lookup tool.
    for (const bad of ['friends', 'contacted', '99']) {
      const e = await s.err('crm_update_preview', { creator_id: ch.creator_id, coop_status: bad });
      expect(e.error_code).toBe('NOT_FOUND');
      expect(e.action?.hint).toContain('message_coop_statuses');
    }
    expect((await s.err('crm_update_preview', { creator_id: 'cr_nope', coop_status: '2' })).error_code).toBe('NOT_FOUND');
  });
});

describe('the CRM writes that need approval (update, restore, group create and update)', () => {
  it('crm_update_preview shows each change and changes nothing; apply with its token does it; a change in between is stale', async () => {
    const ch = (await activeChannels(1))[0];
    const before = workspaceChecksum(db());
    const p = await s.ok('crm_update_preview', { creator_id: ch.creator_id, remark: 'Approved remark', coop_status: ch.coop_status });
    expect(p.effect).toMatchObject({ will_create: false, changes: [{ field: 'remark', before: ch.remark, after: 'Approved remark' }] });
    expect(workspaceChecksum(db())).toBe(before);
    const a = await s.ok('crm_update_apply', { creator_id: ch.creator_id, remark: 'Approved remark', coop_status: ch.coop_status, preview_token: p.preview_token });
    expect(a.result).toMatchObject({ created: false, remark: 'Approved remark' });
    expect(channelRow(ch.creator_id).remark).toBe('Approved remark');
    const stale = await s.ok('crm_update_preview', { creator_id: ch.creator_id, remark: 'Second remark' });
    await applied('crm_update', { creator_id: ch.creator_id, email: 'meanwhile@example.com' });
    expect((await s.err('crm_update_apply', { creator_id: ch.creator_id, remark: 'Second remark', preview_token: stale.preview_token })).error_code).toBe('PREVIEW_STALE');
    expect(channelRow(ch.creator_id).remark).toBe('Approved remark');
    const [fresh] = take(1);
    expect((await s.ok('crm_update_preview', { creator_id: fresh, coop_status: '2' })).effect).toMatchObject({ channel: null, will_create: true });
    expect(channelRow(fresh!)).toBeUndefined();
  });

  it('crm_restore_preview says whether it will restore and changes nothing; apply restores', async () => {
    const archived = (await s.ok('crm_list', { archived: true, page_size: 1 })).items[0].creator_id;
    const before = workspaceChecksum(db());
    const p = await s.ok('crm_restore_preview', { creator_id: archived });
    expect(p.effect).toMatchObject({ will_restore: true, channel: { archived: true } });
    expect(workspaceChecksum(db())).toBe(before);
    expect(channelRow(archived).archived).toBe(1);
    const a = await s.ok('crm_restore_apply', { creator_id: archived, preview_token: p.preview_token });
    expect(a.result).toMatchObject({ restored: true, archived: false });
    expect(channelRow(archived).archived).toBe(0);
  });

  it('crm_groups_create/update previews change nothing and refuse a taken name; applies do it', async () => {
    const before = workspaceChecksum(db());
    const p = await s.ok('crm_groups_create_preview', { name: 'Approved group' });
    expect(p.effect).toEqual({ group: { name: 'Approved group', description: '' } });
    expect((await s.err('crm_groups_create_preview', { name: (await s.ok('crm_groups_get', { group_id: 'grp_001' })).name.toUpperCase() })).error_code).toBe('DUPLICATE_DATA');
    expect(workspaceChecksum(db())).toBe(before);
    const g = (await s.ok('crm_groups_create_apply', { name: 'Approved group', preview_token: p.preview_token })).result;
    expect((await s.ok('crm_groups_get', { group_id: g.group_id })).name).toBe('Approved group');
    const before2 = workspaceChecksum(db());
    const u = await s.ok('crm_groups_update_preview', { group_id: g.group_id, name: 'Approved group (renamed)' });
    expect(u.effect).toMatchObject({ before: { name: 'Approved group' }, after: { name: 'Approved group (renamed)', description: '' } });
    expect(workspaceChecksum(db())).toBe(before2);
    await s.ok('crm_groups_update_apply', { group_id: g.group_id, name: 'Approved group (renamed)', preview_token: u.preview_token });
    expect((await s.ok('crm_groups_get', { group_id: g.group_id })).name).toBe('Approved group (renamed)');
  });
});

describe('crm_batch_update', () => {
  it('creates missing channels for coop/label changes, updates existing ones, lists failures', async () => {
    const existing = (await activeChannels(3)).map((c) => c.creator_id);
    const missing = take(2);
    const body = { selector: { creator_ids: [...existing, ...missing, 'cr_unknown'] }, coop_status: '3', labels: { operation: 'add', label_ids: ['lbl_004'] } };
    const before = workspaceChecksum(db());
    const p = await s.ok('crm_batch_update_preview', body);
    expect(workspaceChecksum(db())).toBe(before);
    expect(p.effect).toMatchObject({ requested_count: 6, existing_count: 3, will_create_count: 2, failed_count: 1, failed: [{ creator_id: 'cr_unknown', reason: 'creator_not_found' }] });
    expect(p.effect.sample.map((r: any) => r.outcome).sort()).toEqual(['creator_not_found', 'will_create', 'will_create', 'will_update', 'will_update', 'will_update']);
    const a = await s.ok('crm_batch_update_apply', { ...body, preview_token: p.preview_token });
    expect(a.result).toMatchObject({ created_count: 2, updated_count: 3, failed_count: 1, failed: [{ creator_id: 'cr_unknown', reason: 'creator_not_found' }] });
    for (const cid of [...existing, ...missing]) {
      expect(channelRow(cid).coop_status).toBe('3');
      expect(labelsOf(cid)).toContain('lbl_004');
    }
  });

  it('says by name what changes: status from -> to counts, each label gained or lost, the owner; bound to the token', async () => {
    const d = db();
    const existing = d.prepare(`SELECT creator_id FROM crm_channels WHERE archived = 0 ORDER BY creator_id DESC LIMIT 3`).pluck().all() as string[];
    const missing = take(1);
    // A known starting point: statuses pending, pending, contacted; only the first has label lbl_004; owners u_001.
    existing.forEach((cid, i) => d.prepare(`UPDATE crm_channels SET coop_status = ?, owner_uid = 'u_001' WHERE creator_id = ?`).run(i < 2 ? '1' : '2', cid));
    d.prepare(`DELETE FROM crm_channel_labels WHERE label_id = 'lbl_004' AND creator_id IN (?, ?, ?)`).run(...existing);
    d.prepare(`INSERT INTO crm_channel_labels (creator_id, label_id) VALUES (?, 'lbl_004')`).run(existing[0]);
    const label = d.prepare(`SELECT name FROM crm_labels WHERE label_id = 'lbl_004'`).pluck().get() as string;
    const body = { selector: { creator_ids: [...existing, ...missing] }, coop_status: '3', labels: { operation: 'add', label_ids: ['lbl_004'] } };
    const p = await s.ok('crm_batch_update_preview', body);
    expect(p.effect.changes).toEqual({
      coop_status: {
        to: '3',
        to_name: 'negotiating',
        from: [
          { coop_status: '1', name: 'pending', count: 2 },
          { coop_status: '2', name: 'contacted', count: 1 },
        ],
        unchanged_count: 0,
      },
      labels: { operation: 'add', items: [{ label_id: 'lbl_004', name: label, change_count: 3, unchanged_count: 1 }] },
    });
    expect(p.summary).toBe(
      `Update 3 CRM channel(s) and create 1: coop_status to "negotiating" (2 from "pending", 1 from "contacted", 1 new); add label "${label}" to 3 (1 already have it); 0 creator(s) fail.`,
    );
    // The label is taken off a channel after the preview: what was approved no longer holds.
    d.prepare(`DELETE FROM crm_channel_labels WHERE label_id = 'lbl_004' AND creator_id = ?`).run(existing[0]);
    expect((await s.err('crm_batch_update_apply', { ...body, preview_token: p.preview_token })).error_code).toBe('PREVIEW_STALE');
    const rm = await s.ok('crm_batch_update_preview', { selector: { creator_ids: existing }, labels: { operation: 'remove', label_ids: ['lbl_004'] }, owner_uid: 'u_002', archived: true });
    expect(rm.effect.changes).toEqual({
      labels: { operation: 'remove', items: [{ label_id: 'lbl_004', name: label, change_count: 0, unchanged_count: 3 }] },
      owner_uid: { to: 'u_002', from: [{ owner_uid: 'u_001', count: 3 }], unchanged_count: 0 },
      archived: { to: true, change_count: 3, unchanged_count: 0 },
    });
    expect(rm.summary).toContain(`remove label "${label}" from 0 (3 do not have it); owner to u_002 (3 from u_001); archive 3;`);
  });

  it('label-only changes give new channels the default status; remove takes labels off', async () => {
    const missing = take(2);
    const add = await s.previewApply('crm_batch_update', { selector: { creator_ids: missing }, labels: { operation: 'add', label_ids: ['lbl_005', 'lbl_002'] } });
    expect(add.result.created_count).toBe(2);
    expect(missing.map((c) => channelRow(c).coop_status)).toEqual(['1', '1']);
    expect(labelsOf(missing[0]!)).toEqual(['lbl_002', 'lbl_005']);
    const rm = await s.previewApply('crm_batch_update', { selector: { creator_ids: missing }, labels: { operation: 'remove', label_ids: ['lbl_005'] } });
    expect(rm.result).toMatchObject({ created_count: 0, updated_count: 2 });
    expect(labelsOf(missing[1]!)).toEqual(['lbl_002']);
  });

  it('owner-only and archive-only changes fail for creators without a channel, never skipped silently', async () => {
    const existing = (await activeChannels(2)).map((c) => c.creator_id);
    const missing = take(2);
    const p = await s.ok('crm_batch_update_preview', { selector: { creator_ids: [...existing, ...missing] }, owner_uid: 'u_004' });
    expect(p.effect).toMatchObject({ existing_count: 2, will_create_count: 0, failed_count: 2 });
    expect(p.effect.failed).toEqual(missing.map((c) => ({ creator_id: c, reason: 'no_crm_channel' })));
    const a = await s.ok('crm_batch_update_apply', { selector: { creator_ids: [...existing, ...missing] }, owner_uid: 'u_004', preview_token: p.preview_token });
    expect(a.result).toMatchObject({ created_count: 0, updated_count: 2, failed_count: 2 });
    expect(existing.map((c) => channelRow(c).owner_uid)).toEqual(['u_004', 'u_004']);
    expect(missing.map((c) => channelRow(c))).toEqual([undefined, undefined]);
    const arch = await s.ok('crm_batch_update_preview', { selector: { creator_ids: missing }, archived: true });
    expect(arch.effect).toMatchObject({ will_create_count: 0, failed_count: 2 });
  });

  it('refuses bodies without a change or with unknown references', async () => {
    const ids = (await activeChannels(1)).map((c) => c.creator_id);
    expect((await s.err('crm_batch_update_preview', { selector: { creator_ids: ids } })).error_code).toBe('INVALID_REQUEST');
    expect((await s.err('crm_batch_update_preview', { selector: { creator_ids: ids }, labels: { operation: 'add', label_ids: ['lbl_nope'] } })).error_code).toBe('NOT_FOUND');
    expect((await s.err('crm_batch_update_preview', { selector: { creator_ids: ids }, owner_uid: 'u_nope' })).error_code).toBe('NOT_FOUND');
    expect((await s.err('crm_batch_update_preview', { selector: { creator_ids: [] }, coop_status: '1' })).error_code).toBe('INVALID_REQUEST');
  });

  it('validates a body without changing anything, listing every problem by field', async () => {
    const ids = (await activeChannels(1)).map((c) => c.creator_id);
    const ok = await s.ok('crm_batch_update_validate', { selector: { creator_ids: ids }, coop_status: '2' });
    expect(ok).toMatchObject({ valid: true, problems: [] });
    const before = workspaceChecksum(s.workspaceDb);
    const bad = await s.ok('crm_batch_update_validate', { selector: { creator_ids: ids }, coop_status: '9', owner_uid: 'u_nope', labels: { operation: 'add', label_ids: ['lbl_nope'] } });
    expect(bad.valid).toBe(false);
    expect(bad.problems.map((p: any) => [p.field, p.code])).toEqual([
      ['coop_status', 'NOT_FOUND'],
      ['owner_uid', 'NOT_FOUND'],
      ['labels.label_ids', 'NOT_FOUND'],
    ]);
    expect(bad.problems[0].message).toContain('message_coop_statuses');
    const none = await s.ok('crm_batch_update_validate', { selector: { creator_ids: ids } });
    expect(none.problems.map((p: any) => p.code)).toEqual(['INVALID_REQUEST']);
    expect(workspaceChecksum(s.workspaceDb)).toBe(before);
  });

  it('a stale preview (a channel changed in between) and a mismatched body apply nothing', async () => {
    const ids = (await activeChannels(3)).map((c) => c.creator_id);
    const body = { selector: { creator_ids: ids }, coop_status: '5' };
    const p = await s.ok('crm_batch_update_preview', body);
    const mismatch = await s.err('crm_batch_update_apply', { ...body, coop_status: '6', preview_token: p.preview_token });
    expect(mismatch.error_code).toBe('PREVIEW_MISMATCH');
    expect(mismatch.details?.differing_fields).toEqual(['coop_status']);
    // On the cli backend a token binds what the CLI's dry run reported (docs/cli-backend.md), so the
    // change in between must be one it reports (a status); elsewhere any change to the rows read counts.
    await applied('crm_update', { creator_id: ids[1]!, ...(testBackend === 'cli' ? { coop_status: '6' } : { remark: 'changed meanwhile' }) });
    const statuses = ids.map((c) => channelRow(c).coop_status);
    const stale = await s.err('crm_batch_update_apply', { ...body, preview_token: p.preview_token });
    expect(stale.error_code).toBe('PREVIEW_STALE');
    expect(ids.map((c) => channelRow(c).coop_status)).toEqual(statuses);
  });

  it('handles 10,000 creators in one preview and one apply', async () => {
    const at = new Date().toISOString();
    db()
      .prepare(
        `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
         INSERT INTO creators (creator_id, platform, channel_id, channel_url, nickname, followers, updated_at)
         SELECT printf('bulk_%05d', i), 'tiktok', printf('bulk.creator.%05d', i), printf('https://www.tiktok.com/@bulk.creator.%05d', i), printf('Bulk %d', i), 1000, ? FROM n`,
      )
      .run(at);
    // half already in the CRM
    db()
      .prepare(
        `INSERT INTO crm_channels (creator_id, platform, coop_status, remark, archived, created_at, updated_at)
         SELECT creator_id, 'tiktok', 'contacted', '', 0, ?, ? FROM creators WHERE creator_id LIKE 'bulk_%' AND CAST(substr(creator_id, 6) AS INTEGER) % 2 = 0`,
      )
      .run(at, at);
    const ids = Array.from({ length: 10_000 }, (_, i) => `bulk_${String(i + 1).padStart(5, '0')}`);
    const body = { selector: { creator_ids: ids }, labels: { operation: 'add', label_ids: ['lbl_005'] } };
    const p = await s.ok('crm_batch_update_preview', body);
    expect(p.effect).toMatchObject({ requested_count: 10_000, existing_count: 5000, will_create_count: 5000, failed_count: 0 });
    const a = await s.ok('crm_batch_update_apply', { ...body, preview_token: p.preview_token });
    expect(a.result).toMatchObject({ created_count: 5000, updated_count: 5000, failed_count: 0 });
    expect(db().prepare(`SELECT COUNT(*) FROM crm_channel_labels WHERE label_id = 'lbl_005' AND creator_id LIKE 'bulk_%'`).pluck().get()).toBe(10_000);
    expect(db().prepare(`SELECT COUNT(*) FROM crm_channels WHERE creator_id LIKE 'bulk_%' AND coop_status = '1'`).pluck().get()).toBe(5000);
  });
});

describe('crm_archive and crm_restore', () => {
  it('archives through preview/apply, reporting already archived and missing channels; restore brings one back', async () => {
    const [a, b] = (await activeChannels(2)).map((c) => c.creator_id);
    const alreadyArchived = (await s.ok('crm_list', { archived: true, page_size: 1 })).items[0].creator_id;
    const missing = take(1);
    const body = { creator_ids: [a, b, alreadyArchived, ...missing] };
    const p = await s.ok('crm_archive_preview', body);
    expect(p.effect).toMatchObject({ will_archive_count: 2, already_archived_count: 1, failed_count: 1, failed: [{ creator_id: missing[0], reason: 'no_crm_channel' }] });
    const r = await s.ok('crm_archive_apply', { ...body, preview_token: p.preview_token });
    expect(r.result).toMatchObject({ archived_count: 2, already_archived_count: 1, failed_count: 1 });
    expect((await s.ok('crm_get', { creator_id: a })).archived).toBe(true);
    const restored = await applied('crm_restore', { creator_id: a });
    expect(restored).toMatchObject({ restored: true, archived: false });
    expect((await applied('crm_restore', { creator_id: a })).restored).toBe(false);
    expect((await s.err('crm_restore_preview', { creator_id: missing[0] })).error_code).toBe('NOT_FOUND');
  });
});

describe('crm_add_to_email', () => {
  it('adds active CRM channels to a draft task: validate → preview → apply', async () => {
    const task = 'task_1822';
    const chans = (await activeChannels(4)).map((c) => c.creator_id);
    await s.previewApply('crm_archive', { creator_ids: [chans[3]!] });
    const missing = take(1);
    const body = { task_id: task, selector: { creator_ids: [...chans, ...missing] } };
    expect(await s.ok('crm_add_to_email_validate', body)).toMatchObject({ valid: true, problems: [] });
    const p = await s.ok('crm_add_to_email_preview', body);
    expect(p.effect).toMatchObject({ will_add_count: 3, already_recipient_count: 0, failed_count: 2 });
    expect(p.effect.failed).toEqual(
      expect.arrayContaining([
        { creator_id: chans[3], reason: 'archived' },
        { creator_id: missing[0], reason: 'no_crm_channel' },
      ]),
    );
    const a = await s.ok('crm_add_to_email_apply', { ...body, preview_token: p.preview_token });
    expect(a.result).toMatchObject({ task_id: task, added_count: 3, failed_count: 2 });
    const rows = db()
      .prepare(`SELECT creator_id, status, platform, channel_id FROM email_recipients WHERE task_id = ? AND creator_id IN (?, ?, ?)`)
      .all(task, ...chans.slice(0, 3)) as any[];
    expect(rows).toHaveLength(3);
    expect(rows.every((r) => r.status === 'pending' && r.platform && r.channel_id)).toBe(true);
    const again = await s.ok('crm_add_to_email_preview', body);
    expect(again.effect).toMatchObject({ will_add_count: 0, already_recipient_count: 3 });
  });

  it('refuses tasks already in their send flow and unknown tasks', async () => {
    const ids = (await activeChannels(1)).map((c) => c.creator_id);
    const scheduled = await s.ok('crm_add_to_email_validate', { task_id: 'task_1824', selector: { creator_ids: ids } });
    expect(scheduled).toMatchObject({ valid: false, problems: [expect.objectContaining({ field: 'task_id', code: 'CONFLICT' })] });
    expect((await s.err('crm_add_to_email_preview', { task_id: 'task_1824', selector: { creator_ids: ids } })).error_code).toBe('CONFLICT');
    expect((await s.err('crm_add_to_email_preview', { task_id: 'task_1820', selector: { creator_ids: ids } })).error_code).toBe('CONFLICT');
    expect((await s.ok('crm_add_to_email_validate', { task_id: 'task_nope', selector: { creator_ids: ids } })).problems[0].code).toBe('NOT_FOUND');
    expect((await s.err('crm_add_to_email_preview', { task_id: 'task_nope', selector: { creator_ids: ids } })).error_code).toBe('NOT_FOUND');
  });

  it('a stale preview (the task changed in between) and a mismatched body apply nothing', async () => {
    const ids = (await activeChannels(8)).slice(5).map((c) => c.creator_id);
    const body = { task_id: 'task_1823', selector: { creator_ids: ids } };
    const count = () => db().prepare(`SELECT COUNT(*) FROM email_recipients WHERE task_id = 'task_1823'`).pluck().get() as number;
    const before = count();
    const p = await s.ok('crm_add_to_email_preview', body);
    expect((await s.err('crm_add_to_email_apply', { ...body, task_id: 'task_1822', preview_token: p.preview_token })).error_code).toBe('PREVIEW_MISMATCH');
    // one of the creators became a recipient meanwhile
    await s.previewApply('crm_add_to_email', { task_id: 'task_1823', selector: { creator_ids: [ids[0]!] } });
    expect((await s.err('crm_add_to_email_apply', { ...body, preview_token: p.preview_token })).error_code).toBe('PREVIEW_STALE');
    expect(count()).toBe(before + 1);
    // a task that entered its send flow since the preview is refused at apply
    const p2 = await s.ok('crm_add_to_email_preview', body);
    db().prepare(`UPDATE email_tasks SET status = 'scheduled' WHERE task_id = 'task_1823'`).run();
    expect((await s.err('crm_add_to_email_apply', { ...body, preview_token: p2.preview_token })).error_code).toBe('CONFLICT');
    expect(count()).toBe(before + 1);
  });
});

describe('labels', () => {
  it('lists with channel counts, creates, updates; names are unique', async () => {
    const list = await s.ok('crm_labels_list', { page_size: 100 });
    expect(list.total).toBeGreaterThanOrEqual(6);
    const vip = list.items.find((l: any) => l.label_id === 'lbl_001');
    expect(vip.channel_count).toBe(db().prepare(`SELECT COUNT(*) FROM crm_channel_labels WHERE label_id = 'lbl_001'`).pluck().get());
    const created = await s.ok('crm_labels_create', { name: 'Summer 2026', color: '#112233' });
    expect(created).toMatchObject({ name: 'Summer 2026', color: '#112233', channel_count: 0 });
    expect(created.label_id).toBeTruthy();
    expect((await s.err('crm_labels_create', { name: 'summer 2026' })).error_code).toBe('DUPLICATE_DATA');
    expect((await s.err('crm_labels_create', { name: 'Bad color', color: 'red' })).error_code).toBe('INVALID_REQUEST');
    const updated = await s.ok('crm_labels_update', { label_id: created.label_id, name: 'Summer 26' });
    expect(updated).toMatchObject({ name: 'Summer 26', color: '#112233' });
    expect((await s.err('crm_labels_update', { label_id: created.label_id, name: 'VIP' })).error_code).toBe('DUPLICATE_DATA');
    expect((await s.err('crm_labels_update', { label_id: 'lbl_nope', name: 'x' })).error_code).toBe('NOT_FOUND');
    const kw = await s.ok('crm_labels_list', { keyword: 'summer' });
    expect(kw.items.map((l: any) => l.label_id)).toEqual([created.label_id]);
  });

  it('delete previews how many channels carry it and removes it everywhere', async () => {
    const label = await s.ok('crm_labels_create', { name: 'Temp label' });
    const chans = (await activeChannels(3)).map((c) => c.creator_id);
    await s.previewApply('crm_batch_update', { selector: { creator_ids: chans }, labels: { operation: 'add', label_ids: [label.label_id] } });
    const col = (await s.ok('collection_list', {})).items.find((c: any) => c.item_counts.youtube > 0);
    const item = (await s.ok('collection_items', { collection_id: col.collection_id, platform: 'youtube', page_size: 1 })).items[0];
    await s.previewApply('collection_batch', { collection_id: col.collection_id, platform: 'youtube', action: 'label', label_ids: [label.label_id], creator_ids: [item.creator_id] });
    const p = await s.ok('crm_labels_delete_preview', { label_id: label.label_id });
    expect(p.effect).toMatchObject({ label: { channel_count: 3 }, collection_item_count: 1, thread_count: 0 });
    expect(p.summary).toContain('3 channel(s)');
    const a = await s.ok('crm_labels_delete_apply', { label_id: label.label_id, preview_token: p.preview_token });
    expect(a.result).toMatchObject({ deleted: true, removed_from_channels: 3, removed_from_items: 1 });
    expect(db().prepare('SELECT COUNT(*) FROM crm_channel_labels WHERE label_id = ?').pluck().get(label.label_id)).toBe(0);
    const after = (await s.ok('collection_items', { collection_id: col.collection_id, platform: 'youtube', page_size: 1 })).items[0];
    expect(after.label_ids).not.toContain(label.label_id);
    expect((await s.err('crm_labels_delete_preview', { label_id: label.label_id })).error_code).toBe('NOT_FOUND');
  });

  it('a stale label delete preview (a channel got the label in between) applies nothing', async () => {
    const label = await s.ok('crm_labels_create', { name: 'Stale label' });
    const p = await s.ok('crm_labels_delete_preview', { label_id: label.label_id });
    const ch = (await activeChannels(1))[0].creator_id;
    await applied('crm_update', { creator_id: ch, label_ids: [label.label_id] });
    expect((await s.err('crm_labels_delete_apply', { label_id: label.label_id, preview_token: p.preview_token })).error_code).toBe('PREVIEW_STALE');
    expect(labelsOf(ch)).toEqual([label.label_id]);
  });
});

describe('groups', () => {
  it('lists, gets, creates, updates and deletes (preview/apply); channels stay', async () => {
    const list = await s.ok('crm_groups_list', {});
    expect(list.total).toBeGreaterThanOrEqual(3);
    const g1 = await s.ok('crm_groups_get', { group_id: 'grp_001' });
    expect(g1.creator_ids.length).toBe(Math.min(50, g1.channel_count));
    const g = await applied('crm_groups_create', { name: 'Podcast hosts', description: 'Long-form audio.' });
    expect(g).toMatchObject({ name: 'Podcast hosts', channel_count: 0 });
    expect((await s.err('crm_groups_create_preview', { name: 'PODCAST HOSTS' })).error_code).toBe('DUPLICATE_DATA');
    expect(await applied('crm_groups_update', { group_id: g.group_id, description: 'Audio-first creators.' })).toMatchObject({ name: 'Podcast hosts', description: 'Audio-first creators.' });
    const ch = (await activeChannels(1))[0].creator_id;
    await applied('crm_update', { creator_id: ch, group_ids: [g.group_id] });
    expect((await s.ok('crm_groups_get', { group_id: g.group_id })).creator_ids).toEqual([ch]);
    const p = await s.ok('crm_groups_delete_preview', { group_id: g.group_id });
    expect(p.effect.group.channel_count).toBe(1);
    const a = await s.ok('crm_groups_delete_apply', { group_id: g.group_id, preview_token: p.preview_token });
    expect(a.result).toMatchObject({ deleted: true, removed_from_channels: 1 });
    expect((await s.ok('crm_get', { creator_id: ch })).group_ids).toEqual([]);
    expect((await s.err('crm_groups_get', { group_id: g.group_id })).error_code).toBe('NOT_FOUND');
  });
});

describe('CRM imports', () => {
  let s: TestServer;
  const db = () => s.workspaceDb;
  const { put, xlsx, csv, seeded } = importFiles(() => s);

  beforeAll(async () => {
    s = await startServer();
  });
  afterAll(() => s.close());

  describe('crm import', () => {
    it('writes the CRM template', async () => {
      const r = await s.ok('crm_import_template', {});
      expect(r.path).toBe('templates/crm-import-template.xlsx');
      expect(r.columns).toHaveLength(5);
      expect((await s.err('crm_import_template', {})).error_code).toBe('FILE_REFUSED');
    });

    it('writes the failed and repeated rows of an import to a new workbook, in row order', async () => {
      const failed_items = [{ row: 4, column: 'B', value: 'not-an-email', reason: 'Not an email address.' }];
      const repeated_items = [
        { row: 2, creator_id: 'cr_0001', reason: 'already_in_crm' },
        { row: 5, creator_id: null, reason: 'duplicate_of_row_3' },
      ];
      const r = await s.ok('crm_import_report', { failed_items, repeated_items });
      expect(r).toMatchObject({ path: 'reports/crm-import-report.xlsx', failed_count: 1, repeated_count: 2 });
      const bytes = readFileSync(join(s.app.files.root, r.path));
      const table = await readTable({ name: 'r.xlsx', ext: '.xlsx', bytes }, { maxRows: 10 });
      expect(table.header).toEqual(['Row', 'Outcome', 'Column', 'Value', 'Creator id', 'Reason']);
      expect(table.rows.map((x) => [x[0], x[1], x[5]])).toEqual([
        ['2', 'repeated', 'already_in_crm'],
        ['4', 'failed', 'Not an email address.'],
        ['5', 'repeated', 'duplicate_of_row_3'],
      ]);
      expect((await s.err('crm_import_report', { failed_items })).error_code).toBe('FILE_REFUSED');
      expect((await s.err('crm_import_report', { output_path: 'reports/empty.xlsx' })).error_code).toBe('INVALID_REQUEST');
      expect((await s.err('crm_import_report', { failed_items, output_path: 'reports/x.csv' })).error_code).toBe('INVALID_REQUEST');
    });

    it('imports valid new rows, returns failed_items and repeated_items, overwrites only when asked', async () => {
      const fresh = seeded('youtube', 2);
      const inCrm = db()
        .prepare(
          `SELECT ch.creator_id, c.channel_url, ch.coop_status, ch.remark FROM crm_channels ch JOIN creators c USING (creator_id) WHERE ch.platform = 'instagram' ORDER BY ch.creator_id LIMIT 1`,
        )
        .get() as any;
      const path = await xlsx('imports/crm.xlsx', [
        ['Creator URL', 'Email', 'Coop status', 'Labels', 'Remark'],
        [fresh[0]!.channel_url, 'first@example.com', 'Contacted', 'VIP, gifted', 'Met at launch'], // row 2: new channel
        [fresh[1]!.channel_url, '', '', '', ''], // row 3: new channel, default status
        ['https://www.tiktok.com/@crm.new.person', '', '3', '', ''], // row 4: new creator + channel; a status by its id
        [inCrm.channel_url, 'over@example.com', 'completed', 'Replied', 'Overwritten'], // row 5: repeated (already in CRM)
        [fresh[0]!.channel_url, '', '', '', ''], // row 6: duplicate of row 2
        ['https://www.tiktok.com/@crm.bad.status', '', 'friends', '', ''], // row 7: bad coop status
        ['https://www.tiktok.com/@crm.bad.label', '', '', 'No such label', ''], // row 8: unknown label
        ['https://www.tiktok.com/@crm.bad.email', 'nope', '', '', ''], // row 9: bad email
        ['not a url', '', '', '', ''], // row 10: bad URL
      ]);
      const before = workspaceChecksum(db());
      const p = await s.ok('crm_import_file_preview', { path });
      expect(workspaceChecksum(db())).toBe(before);
      expect(p.effect).toMatchObject({ row_count: 9, will_create_count: 3, new_creator_count: 1, will_overwrite_count: 0, repeated_count: 2, failed_count: 4 });
      expect(p.effect.failed_items.map((f: any) => `${f.row}${f.column}`)).toEqual(['7C', '8D', '9B', '10A']);
      expect(p.effect.repeated_items).toEqual([
        { row: 5, creator_id: inCrm.creator_id, reason: 'already_in_crm' },
        { row: 6, creator_id: null, reason: 'duplicate_of_row_2' },
      ]);
      // the flag is bound to the preview: applying with another value is a mismatch
      expect((await s.err('crm_import_file_apply', { path, overwrite_existing: true, preview_token: p.preview_token })).error_code).toBe('PREVIEW_MISMATCH');
      const a = await s.ok('crm_import_file_apply', { path, preview_token: p.preview_token });
      expect(a.result).toMatchObject({ created_count: 3, created_creators_count: 1, overwritten_count: 0 });
      expect(a.result.failed_items).toHaveLength(4);
      expect(a.result.repeated_items).toHaveLength(2);
      const first = await s.ok('crm_get', { creator_id: fresh[0]!.creator_id });
      expect(first).toMatchObject({ coop_status: '2', email: 'first@example.com', remark: 'Met at launch', label_ids: ['lbl_001', 'lbl_004'], owner_uid: 'u_001' });
      expect((await s.ok('crm_get', { creator_id: fresh[1]!.creator_id })).coop_status).toBe('1');
      const untouched = await s.ok('crm_get', { creator_id: inCrm.creator_id });
      expect(untouched).toMatchObject({ coop_status: inCrm.coop_status, remark: inCrm.remark });

      // overwrite_existing: true in the previewed body overwrites the repeated row; new rows are now repeated too
      const p2 = await s.ok('crm_import_file_preview', { path, overwrite_existing: true });
      expect(p2.effect).toMatchObject({ will_create_count: 0, will_overwrite_count: 4, repeated_count: 5 });
      const a2 = await s.ok('crm_import_file_apply', { path, overwrite_existing: true, preview_token: p2.preview_token });
      expect(a2.result.overwritten_count).toBe(4);
      expect(await s.ok('crm_get', { creator_id: inCrm.creator_id })).toMatchObject({ coop_status: '5', remark: 'Overwritten', email: 'over@example.com', label_ids: ['lbl_002'] });
    });

    it('refuses oversized, over-long, wrong-type and outside files, and all-bad files, writing nothing', async () => {
      const before = workspaceChecksum(db());
      const refuse = async (args: Record<string, unknown>) => (await s.err('crm_import_file_preview', args)).error_code;
      const rows = Array.from({ length: 501 }, (_, i) => [`https://www.tiktok.com/@crm.many.${i}`]);
      expect(await refuse({ path: await xlsx('imports/crm-many.xlsx', [['url'], ...rows]) })).toBe('LIMIT_EXCEEDED');
      expect(await refuse({ path: put('imports/crm-huge.xlsx', Buffer.alloc(10 * 1024 * 1024 + 1, 0x61)) })).toBe('LIMIT_EXCEEDED');
      // The documented formats are .xlsx and .xls: the schema refuses any other name.
      expect(await refuse({ path: put('imports/crm.pdf', '%PDF-1.4') })).toBe('INVALID_REQUEST');
      expect(await refuse({ path: csv('imports/crm.csv', [['url'], ['https://www.tiktok.com/@crm.csv']]) })).toBe('INVALID_REQUEST');
      expect(await refuse({ path: '../../crm.xlsx' })).toBe('FILE_REFUSED');
      // .xls passes the schema (it is documented) and is refused by the embedded reader with the "save as .xlsx" hint.
      const xls = await s.err('crm_import_file_preview', { path: put('imports/old.xls', Buffer.from('d0cf11e0a1b11ae1', 'hex')) });
      expect(xls.error_code).toBe('FILE_REFUSED');
      expect(xls.action?.hint).toContain('save it as .xlsx');
      const bad = await s.err('crm_import_file_preview', {
        path: await xlsx('imports/crm-bad.xlsx', [
          ['url', 'email', 'status'],
          ['https://www.tiktok.com/@x.y', '', 'maybe'],
        ]),
      });
      expect(bad.error_code).toBe('INVALID_REQUEST');
      expect(bad.summary).toContain('row 2, column C');
      expect(workspaceChecksum(db())).toBe(before);
    });

    it('a file changed after the preview is stale', async () => {
      const path = await xlsx('imports/crm-stale.xlsx', [['url'], ['https://www.tiktok.com/@crm.stale.one']]);
      const p = await s.ok('crm_import_file_preview', { path });
      await xlsx('imports/crm-stale.xlsx', [['url'], ['https://www.tiktok.com/@crm.stale.two']]);
      expect((await s.err('crm_import_file_apply', { path, preview_token: p.preview_token })).error_code).toBe('PREVIEW_STALE');
      expect(db().prepare(`SELECT COUNT(*) FROM creators WHERE channel_id LIKE 'crm.stale.%'`).pluck().get()).toBe(0);
    });
  });
});
