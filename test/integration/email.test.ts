// Email tasks through the MCP client: tasks, recipients, filters, collaborators, attachments,
// content, sender, send/schedule/cancel with the simulated outside world, and reports.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, testBackend, workspaceChecksum, type TestServer } from '../helpers/server.js';
import { buildXlsx } from '../../src/spreadsheet.js';

const HOUR = 3_600_000;
const b64 = (x: string | Buffer) => Buffer.from(x).toString('base64');
let t = Date.now();
let s: TestServer;
beforeAll(async () => {
  s = await startServer({ now: () => new Date(t) });
  mkdirSync(s.app.files.root, { recursive: true });
});
afterAll(() => s.close());

const q = (sql: string, ...p: unknown[]) => s.workspaceDb.prepare(sql).all(...p) as any[];
const one = (sql: string, ...p: unknown[]) =>
  s.workspaceDb
    .prepare(sql)
    .pluck()
    .get(...p) as any;
const hourFromNow = (h: number, offset = 'Z') => {
  const at = new Date(Math.floor(t / HOUR) * HOUR + h * HOUR);
  if (offset === 'Z') return at.toISOString().replace('.000Z', 'Z');
  const sign = offset[0] === '-' ? -1 : 1;
  const shift = sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6))) * 60_000;
  return new Date(at.getTime() + shift).toISOString().slice(0, 19) + offset;
};
async function draft(name: string, extra: Record<string, unknown> = {}) {
  return s.ok('email_create', { name, ...extra });
}
/** Creators with an email that no sent task reached yet. */
const fresh = (n: number, platform?: string) =>
  q(
    `SELECT creator_id, platform, channel_id FROM creators c WHERE has_email = 1 ${platform ? 'AND platform = ?' : ''}
     AND NOT EXISTS (SELECT 1 FROM email_recipients r WHERE r.creator_id = c.creator_id) AND NOT EXISTS (SELECT 1 FROM crm_channels k WHERE k.creator_id = c.creator_id)
     ORDER BY creator_id LIMIT ?`,
    ...(platform ? [platform, n] : [n]),
  );
async function ready(name: string, n = 6) {
  const task = await draft(name);
  const creators = fresh(n + 40).slice(-n);
  await s.ok('email_recipients_add', { task_id: task.task_id, recipients: creators.map((c) => ({ creator_id: c.creator_id })) });
  await s.ok('email_content_save', {
    task_id: task.task_id,
    subject: `Hello from ${name}`,
    html_body: '<p>Hi! Would you like to try our serum?</p>',
    text_body: 'Hi! Would you like to try our serum?',
  });
  await s.ok('email_sender_update', { task_id: task.task_id, sender_auth_id: 'snd_001' });
  return { task, creators };
}

describe('email tasks', () => {
  it('creates standalone type 3 drafts, keeps campaign_id as context, refuses task_type explicitly', async () => {
    const c = await draft('Wave 3', { campaign_id: 'cmp_001' });
    expect(c).toMatchObject({ type: 3, status: 'draft', owner_uid: 'u_001', campaign_id: 'cmp_001', sender: null, attachment: null, plan_send_at: null, filter: {} });
    expect(c.collaborators).toEqual([{ user_uid: 'u_001', name: 'Maya Chen', permission: 'owner' }]);
    const e = await s.err('email_create', { name: 'x', task_type: 3 });
    expect(e.error_code).toBe('INVALID_REQUEST');
    expect(e.summary).toContain('task_type is not accepted');
    expect(e.summary).toContain('type 3');
    expect((await s.err('email_create', { name: 'x', campaign_id: 'cmp_nope' })).error_code).toBe('NOT_FOUND');
    expect((await s.err('email_create', { name: 'x', foo: 1 })).error_code).toBe('INVALID_REQUEST');
    const u = await s.ok('email_update', { task_id: c.task_id, name: 'Wave 3 (US)', campaign_id: null });
    expect(u).toMatchObject({ name: 'Wave 3 (US)', campaign_id: null });
    expect((await s.err('email_update', { task_id: c.task_id, task_type: 1 })).summary).toContain('type 3');
    const drafts = await s.ok('email_list', { status: 'draft', page_size: 100 });
    expect(drafts.items.every((x: any) => x.status === 'draft')).toBe(true);
    expect(drafts.items.map((x: any) => x.task_id)).toEqual(expect.arrayContaining(['task_1822', 'task_1823', c.task_id]));
    expect((await s.ok('email_list', { campaign_id: 'cmp_002' })).items.map((x: any) => x.task_id)).toEqual(['task_1823']);
    expect((await s.err('email_get', { task_id: '3' })).error_code).toBe('NOT_FOUND');
  });

  it('gets everything the approval needs for a seeded task', async () => {
    const g = await s.ok('email_get', { task_id: 'task_1824' });
    expect(g).toMatchObject({ status: 'scheduled', sender: { sender_auth_id: 'snd_001' }, filter: { hide_contacted: true } });
    expect(g.product_cards.map((c: any) => c.product_collect_id)).toEqual(['pc_001']);
    expect(g.attachment.file_name).toBe('GlowLab-Spring-Launch-Brief-v2.pdf');
    expect(g.short_links.map((l: any) => l.short_link_id)).toContain('sl_001');
    expect(g.recipients.pending).toBe(g.recipients.total);
    expect(g.plan_send_at).toBeTruthy();
    const sent = await s.ok('email_get', { task_id: 'task_1821' });
    expect(sent.filter).toEqual({ hide_in_crm: true }); // the older hide_grouped reads as hide_in_crm
  });

  it('deletes a task through preview and apply; the threads it opened stay', async () => {
    const c = await draft('To delete');
    const p = await s.ok('email_delete_preview', { task_id: c.task_id });
    expect(p.effect).toMatchObject({ will_remove_recipients: 0, will_cancel_schedule: false });
    await s.ok('email_delete_apply', { task_id: c.task_id, preview_token: p.preview_token });
    expect((await s.err('email_get', { task_id: c.task_id })).error_code).toBe('NOT_FOUND');
    const threads = one(`SELECT COUNT(*) FROM message_threads WHERE business_id = 'task_1821'`);
    const p2 = await s.ok('email_delete_preview', { task_id: 'task_1821' });
    expect(p2.effect.threads_kept).toBe(threads);
  });
});

describe('recipients', () => {
  it('adds by creator_id, platform + channel_id and email_address, without duplicates', async () => {
    const c = await draft('Recipients');
    const [a, b] = fresh(2, 'youtube');
    const r = await s.ok('email_recipients_add', {
      task_id: c.task_id,
      recipients: [{ creator_id: a.creator_id }, { platform: 'youtube', channel_id: b.channel_id }, { email_address: 'press@studio.example' }, { creator_id: a.creator_id }],
    });
    expect(r).toMatchObject({ added_count: 3, already_present_count: 0, recipient_count: 3 });
    const again = await s.ok('email_recipients_add', { task_id: c.task_id, recipients: [{ creator_id: b.creator_id }, { email_address: 'PRESS@studio.example' }] });
    expect(again).toMatchObject({ added_count: 0, already_present_count: 2, recipient_count: 3 });
    const list = await s.ok('email_recipients_list', { task_id: c.task_id });
    expect(list.items.map((x: any) => x.creator_id ?? x.email_address)).toEqual([a.creator_id, b.creator_id, 'press@studio.example']);
    expect(list.items.every((x: any) => x.status === 'pending')).toBe(true);
    const d = await s.ok('email_recipients_delete', { task_id: c.task_id, recipient_ids: [list.items[2].recipient_id, 'rcp_nope'] });
    expect(d).toMatchObject({ deleted_count: 1, not_found: ['rcp_nope'], recipient_count: 2 });
  });

  it('refuses URLs and handles with a hint to resolve them with creator_search', async () => {
    const c = await draft('Refusals');
    for (const bad of [{ creator_id: 'https://www.youtube.com/@glowwithamy' }, { platform: 'tiktok', channel_id: '@amy' }, { email_address: 'https://x.example/me' }, { creator_id: '@amy' }]) {
      const e = await s.err('email_recipients_add', { task_id: c.task_id, recipients: [bad] });
      expect(e.error_code).toBe('INVALID_REQUEST');
      expect(e.action?.hint).toContain('creator_search');
    }
    expect((await s.err('email_recipients_add', { task_id: c.task_id, recipients: [{ creator_id: 'cr_9999' }] })).error_code).toBe('NOT_FOUND');
    expect((await s.err('email_recipients_add', { task_id: c.task_id, recipients: [{ creator_id: 'cr_0001', email_address: 'a@b.example' }] })).error_code).toBe('INVALID_REQUEST');
    expect((await s.err('email_recipients_add', { task_id: c.task_id, recipients: [{ email_address: 'not-an-email' }] })).error_code).toBe('INVALID_REQUEST');
    expect(one('SELECT COUNT(*) FROM email_recipients WHERE task_id = ?', c.task_id)).toBe(0);
  });

  it('replaces the whole list through preview and apply', async () => {
    const c = await draft('Replace');
    const [a, b, d] = fresh(3);
    await s.ok('email_recipients_add', { task_id: c.task_id, recipients: [{ creator_id: a.creator_id }, { creator_id: b.creator_id }] });
    const args = { task_id: c.task_id, recipients: [{ creator_id: b.creator_id }, { creator_id: d.creator_id }, { email_address: 'x@y.example' }] };
    const p = await s.ok('email_recipients_replace_preview', args);
    expect(p.effect).toMatchObject({ will_add_count: 2, will_remove_count: 1, will_keep_count: 1 });
    expect(p.effect.sample_remove[0].creator_id).toBe(a.creator_id);
    const r = await s.ok('email_recipients_replace_apply', { ...args, preview_token: p.preview_token });
    expect(r.result).toMatchObject({ added_count: 2, removed_count: 1, kept_count: 1, recipient_count: 3 });
    // A mismatched body is refused.
    const p2 = await s.ok('email_recipients_replace_preview', args);
    const e = await s.err('email_recipients_replace_apply', { ...args, recipients: [{ creator_id: a.creator_id }], preview_token: p2.preview_token });
    expect(e.error_code).toBe('PREVIEW_MISMATCH');
  });

  it('imports .xlsx workbooks (≤8 MB), listing unusable rows, only before the send flow', async () => {
    const c = await draft('Import');
    const [a, b, d] = fresh(3, 'instagram');
    const rows = [
      [a.creator_id, '', '', ''],
      ['', 'instagram', b.channel_id, ''],
      ['', '', '', 'ext@brand.example'],
      ['https://www.instagram.com/someone', '', '', ''],
      ['cr_9999', '', '', ''],
    ];
    const book = await buildXlsx('Sheet1', ['creator_id', 'platform', 'channel_id', 'email'], rows);
    const args = { task_id: c.task_id, content_base64: book.toString('base64'), filename: 'recipients.xlsx' };
    // The documented formats are .xlsx/.xls: a .csv is refused by the schema; .xls by the reader, with a hint.
    expect((await s.err('email_recipients_import_preview', { task_id: c.task_id, content_base64: b64('creator_id\ncr_0001\n'), filename: 'r.csv' })).error_code).toBe('INVALID_REQUEST');
    const xls = await s.err('email_recipients_import_preview', { task_id: c.task_id, content_base64: b64('old'), filename: 'r.xls' });
    expect(xls).toMatchObject({ error_code: 'FILE_REFUSED' });
    expect(xls.action?.hint).toContain('.xlsx');
    const p = await s.ok('email_recipients_import_preview', args);
    expect(p.effect).toMatchObject({ row_count: 5, will_add_count: 3, failed_count: 2 });
    expect(p.effect.failed_items.map((f: any) => f.row)).toEqual([5, 6]);
    expect(p.effect.failed_items[0].reason).toContain('creator_search');
    const r = await s.ok('email_recipients_import_apply', { ...args, preview_token: p.preview_token });
    expect(r.result).toMatchObject({ added_count: 3, failed_count: 2, recipient_count: 3 });
    // xlsx from the files root, without a header: first column creator_id or email
    writeFileSync(join(s.app.files.root, 'more.xlsx'), await buildXlsx('Sheet1', [d.creator_id], [[a.creator_id], ['new@brand.example']]));
    const p2 = await s.ok('email_recipients_import_preview', { task_id: c.task_id, path: 'more.xlsx' });
    expect(p2.effect).toMatchObject({ row_count: 3, will_add_count: 2, already_present_count: 1, failed_count: 0 });
    // Changing the file after the preview makes the apply stale.
    writeFileSync(join(s.app.files.root, 'more.xlsx'), await buildXlsx('Sheet1', [d.creator_id], [['x@y.example']]));
    expect((await s.err('email_recipients_import_apply', { task_id: c.task_id, path: 'more.xlsx', preview_token: p2.preview_token })).error_code).toBe('PREVIEW_STALE');
    expect((await s.err('email_recipients_import_preview', { task_id: c.task_id, content_base64: b64('x'), filename: 'r.txt' })).error_code).toBe('INVALID_REQUEST');
    const sent = await s.err('email_recipients_import_preview', { ...args, task_id: 'task_1820' });
    expect(sent.error_code).toBe('CONFLICT');
    const sched = await s.err('email_recipients_add', { task_id: 'task_1824', recipients: [{ creator_id: a.creator_id }] });
    expect(sched.error_code).toBe('CONFLICT');
    expect(sched.action?.hint).toContain('email_cancel');
  });
});

describe('import template and inline images', () => {
  it('writes the recipient import template with the columns the import reads', async () => {
    const r = await s.ok('email_recipients_import_template', {});
    expect(r).toMatchObject({ path: 'templates/email-recipients-import-template.xlsx', columns: ['creator_id', 'platform', 'channel_id', 'email'] });
    expect((await s.err('email_recipients_import_template', {})).error_code).toBe('FILE_REFUSED');
    // Its example rows read as one row per way of naming a recipient: the email resolves, the placeholders fail with reasons.
    const c = await draft('From template');
    const p = await s.ok('email_recipients_import_preview', { task_id: c.task_id, path: r.path });
    expect(p.effect).toMatchObject({ row_count: 3, will_add_count: 1, failed_count: 2 });
    expect(p.effect.sample_add).toEqual([{ creator_id: null, platform: null, channel_id: null, email_address: 'creator@example.com' }]);
  });

  it('uploads a public inline image for html_body, not an attachment', async () => {
    const c = await draft('Inline image');
    mkdirSync(join(s.app.files.root, 'img'), { recursive: true });
    writeFileSync(join(s.app.files.root, 'img', 'banner.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 9, 9]));
    const a = await s.ok('file_image_upload', { path: 'img/banner.png' });
    expect(a).toMatchObject({ file_name: 'banner.png', size: 6 });
    expect(a.file_url).toMatch(/^https:\/\/.+banner\.png$/);
    const b = await s.ok('file_image_upload', { content_base64: b64('GIF89a'), filename: 'wave.gif' });
    expect(b.file_id).not.toBe(a.file_id);
    const saved = await s.ok('email_content_save', { task_id: c.task_id, html_body: `<p>Hi!</p><img src="${a.file_url}" alt="H7">` });
    expect(saved.html_body).toContain(a.file_url);
    expect(saved.attachment).toBeNull();
    expect((await s.ok('email_attachments_list', { task_id: c.task_id })).items).toEqual([]);
    expect((await s.err('file_image_upload', { content_base64: b64('hi'), filename: 'notes.txt' })).error_code).toBe('FILE_REFUSED');
    expect((await s.err('file_image_upload', { path: '../outside.png' })).error_code).toBe('FILE_REFUSED');
    writeFileSync(join(s.app.files.root, 'img', 'huge.png'), Buffer.alloc(5 * 1024 * 1024 + 1, 1));
    expect((await s.err('file_image_upload', { path: 'img/huge.png' })).error_code).toBe('LIMIT_EXCEEDED');
  });
});

describe('recipient filters', () => {
  it('lists options and other tasks, reads a filter with what it hides, and {} clears it', async () => {
    const o = await s.ok('email_recipient_filter_options', { task_id: 'task_1823' });
    expect(o.dimensions.map((d: any) => d.key)).toEqual(['hide_contacted', 'hide_in_crm', 'hide_in_collection', 'hide_in_other_task']);
    expect(o.collections.length).toBeGreaterThan(0);
    expect(o.tasks.map((x: any) => x.task_id)).not.toContain('task_1823');
    const ft = await s.ok('email_recipient_filter_tasks', { task_id: 'task_1823', page_size: 100 });
    expect(ft.items.map((x: any) => x.task_id)).toEqual(expect.arrayContaining(['task_1820', 'task_1821']));
    expect(ft.items.map((x: any) => x.task_id)).not.toContain('task_1823');
    const g = await s.ok('email_recipient_filter_get', { task_id: 'task_1820' });
    expect(g.filter).toEqual({ hide_contacted: true, hide_in_crm: true });
    expect(g.effect.pending_count).toBe(0); // everything was sent or filtered at send time
  });

  it('hides by each dimension, says why, and decides who is sent to', async () => {
    const c = await draft('Filters');
    const contacted =
      one(
        `SELECT creator_id FROM email_recipients r JOIN creators c USING (creator_id) WHERE task_id = 'task_1820' AND status = 'sent' AND c.has_email = 1 AND creator_id NOT IN (SELECT creator_id FROM crm_channels) LIMIT 1`,
      ) ?? one(`SELECT creator_id FROM email_recipients r JOIN creators c USING (creator_id) WHERE task_id = 'task_1820' AND status = 'sent' AND c.has_email = 1 LIMIT 1`);
    const notContacted = `creator_id NOT IN (SELECT creator_id FROM email_recipients WHERE status IN ('sent','replied') AND creator_id IS NOT NULL)`;
    const notCrm = `creator_id NOT IN (SELECT creator_id FROM crm_channels)`;
    const notCol = `creator_id NOT IN (SELECT creator_id FROM collection_items WHERE collection_id = 'col_004')`;
    const inCrm = one(`SELECT creator_id FROM crm_channels JOIN creators USING (creator_id) WHERE has_email = 1 AND ${notContacted} LIMIT 1`);
    const inCol = one(`SELECT creator_id FROM collection_items JOIN creators USING (creator_id) WHERE collection_id = 'col_004' AND has_email = 1 AND ${notContacted} AND ${notCrm} LIMIT 1`);
    const inOther = one(
      `SELECT creator_id FROM email_recipients JOIN creators USING (creator_id) WHERE task_id = 'task_1823' AND has_email = 1 AND ${notContacted} AND ${notCrm} AND ${notCol} LIMIT 1`,
    );
    const noEmail = one(`SELECT creator_id FROM creators WHERE has_email = 0 LIMIT 1`);
    const plain = fresh(60).find((c) => !one(`SELECT 1 FROM collection_items WHERE collection_id = 'col_004' AND creator_id = ?`, c.creator_id)).creator_id;
    const ids = [contacted, inCrm, inCol, inOther, noEmail, plain];
    expect(new Set(ids).size).toBe(6);
    await s.ok('email_recipients_add', { task_id: c.task_id, recipients: ids.map((creator_id) => ({ creator_id })) });
    const f = await s.ok('email_recipient_filter_update', {
      task_id: c.task_id,
      filter: { hide_contacted: true, hide_in_crm: true, hide_in_collection: 'col_004', hide_in_other_task: ['task_1823'] },
    });
    expect(f.effect.pending_count).toBe(6);
    expect(f.effect.will_send_count).toBe(1);
    expect(f.effect.hidden_by_reason).toEqual({ already_contacted: 1, in_crm: 1, in_collection: 1, in_other_task: 1, no_email: 1 });
    expect(f.summary).toContain('1 of 6');
    const list = await s.ok('email_recipients_list', { task_id: c.task_id });
    const why = Object.fromEntries(list.items.map((r: any) => [r.creator_id, r.would_be_hidden_by]));
    expect(why).toEqual({ [contacted]: 'already_contacted', [inCrm]: 'in_crm', [inCol]: 'in_collection', [inOther]: 'in_other_task', [noEmail]: 'no_email', [plain]: null });
    const cleared = await s.ok('email_recipient_filter_update', { task_id: c.task_id, filter: {} });
    expect(cleared.filter).toEqual({});
    expect(cleared.effect).toMatchObject({ will_send_count: 5, hidden_by_reason: { no_email: 1 } });
    expect((await s.err('email_recipient_filter_update', { task_id: c.task_id, filter: { hide_in_collection: 'col_nope' } })).error_code).toBe('NOT_FOUND');
    expect((await s.err('email_recipient_filter_update', { task_id: c.task_id, filter: { hide_in_other_task: [c.task_id] } })).error_code).toBe('INVALID_REQUEST');
    expect((await s.err('email_recipient_filter_update', { task_id: c.task_id, filter: { hide_grouped: true } })).error_code).toBe('INVALID_REQUEST');
  });
});

describe('collaborators', () => {
  it('lists team members without a task and collaborators with one; adds and removes through preview and apply, keeps the owner', async () => {
    const team = await s.ok('email_collaborators_list', {});
    expect(team.team_members.map((m: any) => m.user_uid)).toEqual(['u_001', 'u_002', 'u_003', 'u_004', 'u_005']);
    const c = await draft('Collab');
    const before = workspaceChecksum(s.workspaceDb);
    const p = await s.ok('email_collaborators_add_preview', { task_id: c.task_id, user_uid: 'u_003', permission: 'edit' });
    expect(p.effect).toMatchObject({ user_uid: 'u_003', name: 'Priya Raman', permission: 'edit', previous_permission: null });
    expect(workspaceChecksum(s.workspaceDb)).toBe(before);
    const a = await s.ok('email_collaborators_add_apply', { task_id: c.task_id, user_uid: 'u_003', permission: 'edit', preview_token: p.preview_token });
    expect(a.result).toMatchObject({ previous_permission: null });
    const b = await s.previewApply('email_collaborators_add', { task_id: c.task_id, user_uid: 'u_003', permission: 'manage_members' });
    expect(b.result.previous_permission).toBe('edit');
    expect((await s.ok('email_collaborators_list', { task_id: c.task_id })).collaborators).toEqual([
      { user_uid: 'u_001', name: 'Maya Chen', permission: 'owner' },
      { user_uid: 'u_003', name: 'Priya Raman', permission: 'manage_members' },
    ]);
    // An access change between preview and apply makes the apply stale.
    const stale = await s.ok('email_collaborators_add_preview', { task_id: c.task_id, user_uid: 'u_003', permission: 'view' });
    await s.previewApply('email_collaborators_add', { task_id: c.task_id, user_uid: 'u_003', permission: 'edit' });
    expect((await s.err('email_collaborators_add_apply', { task_id: c.task_id, user_uid: 'u_003', permission: 'view', preview_token: stale.preview_token })).error_code).toBe('PREVIEW_STALE');
    expect((await s.err('email_collaborators_add_preview', { task_id: c.task_id, user_uid: 'u_001', permission: 'view' })).error_code).toBe('CONFLICT');
    expect((await s.err('email_collaborators_add_preview', { task_id: c.task_id, user_uid: 'u_999', permission: 'view' })).error_code).toBe('NOT_FOUND');
    expect((await s.err('email_collaborators_add_preview', { task_id: c.task_id, user_uid: 'u_002', permission: 'owner' })).error_code).toBe('INVALID_REQUEST');
    expect((await s.err('email_collaborators_remove_preview', { task_id: c.task_id, user_uid: 'u_001' })).error_code).toBe('CONFLICT');
    const rp = await s.ok('email_collaborators_remove_preview', { task_id: c.task_id, user_uid: 'u_003' });
    expect(rp.effect).toMatchObject({ user_uid: 'u_003', permission: null, previous_permission: 'edit' });
    const r = await s.ok('email_collaborators_remove_apply', { task_id: c.task_id, user_uid: 'u_003', preview_token: rp.preview_token });
    expect(r.result.collaborators.map((x: any) => x.user_uid)).toEqual(['u_001']);
    expect((await s.err('email_collaborators_remove_preview', { task_id: c.task_id, user_uid: 'u_003' })).error_code).toBe('NOT_FOUND');
  });

  it('asks the person before an access change; a decline changes nothing', async () => {
    const e = await startServer({ capabilities: { elicitation: {} }, onClient: (client) => client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'decline' })) });
    try {
      const args = { task_id: 'task_1823', user_uid: 'u_005', permission: 'view' };
      const p = await e.ok('email_collaborators_add_preview', args);
      expect((await e.err('email_collaborators_add_apply', { ...args, preview_token: p.preview_token })).error_code).toBe('CONFIRMATION_DECLINED');
      expect((await e.ok('email_collaborators_list', { task_id: 'task_1823' })).collaborators.map((x: any) => x.user_uid)).not.toContain('u_005');
    } finally {
      await e.close();
    }
  });

  it('replaces the whole set through preview and apply; the owner stays', async () => {
    const args = {
      task_id: 'task_1823',
      collaborators: [
        { user_uid: 'u_001', permission: 'edit' },
        { user_uid: 'u_005', permission: 'view' },
      ],
    };
    const p = await s.ok('email_collaborators_replace_preview', args);
    expect(p.effect).toMatchObject({ owner_uid: 'u_002', will_add: [{ user_uid: 'u_005', permission: 'view' }], will_remove: ['u_004'], will_change: [{ user_uid: 'u_001', permission: 'edit' }] });
    const a = await s.ok('email_collaborators_replace_apply', { ...args, preview_token: p.preview_token });
    expect(a.result.collaborators).toEqual([
      { user_uid: 'u_002', name: 'Jonas Weber', permission: 'owner' },
      { user_uid: 'u_001', name: 'Maya Chen', permission: 'edit' },
      { user_uid: 'u_005', name: 'Sofia Alves', permission: 'view' },
    ]);
    expect((await s.err('email_collaborators_replace_preview', { task_id: 'task_1823', collaborators: [{ user_uid: 'u_002', permission: 'view' }] })).error_code).toBe('INVALID_REQUEST');
    const empty = await s.previewApply('email_collaborators_replace', { task_id: 'task_1823', collaborators: [] });
    expect(empty.result.collaborators.map((x: any) => x.permission)).toEqual(['owner']);
  });
});

describe('attachments', () => {
  it('uploads one file, refuses a second, executables and files over 10 MB; downloads and deletes', async () => {
    const c = await draft('Attach');
    const args = { task_id: c.task_id, content_base64: b64('%PDF-1.4 brief'), filename: 'brief.pdf' };
    const p = await s.ok('email_attachments_upload_preview', args);
    expect(p.effect).toMatchObject({ file_name: 'brief.pdf', size: 14, will_cancel_schedule: false });
    const a = await s.ok('email_attachments_upload_apply', { ...args, preview_token: p.preview_token });
    expect(a.result).toMatchObject({ schedule_cancelled: false, status: 'draft' });
    const list = await s.ok('email_attachments_list', { task_id: c.task_id });
    expect(list.items).toHaveLength(1);
    const second = await s.err('email_attachments_upload_preview', { ...args, filename: 'other.pdf' });
    expect(second.error_code).toBe('LIMIT_EXCEEDED');
    expect(second.action?.hint).toContain('email_attachments_delete');
    expect((await s.err('email_attachments_upload_preview', { task_id: 'task_1822', content_base64: b64('MZ'), filename: 'setup.exe' })).error_code).toBe('FILE_REFUSED');
    expect((await s.err('email_attachments_upload_preview', { task_id: 'task_1822', content_base64: b64('x'), filename: 'run.sh' })).error_code).toBe('FILE_REFUSED');
    writeFileSync(join(s.app.files.root, 'big.pdf'), Buffer.alloc(10 * 1024 * 1024 + 1, 1));
    expect((await s.err('email_attachments_upload_preview', { task_id: 'task_1822', path: 'big.pdf' })).error_code).toBe('LIMIT_EXCEEDED');
    const d = await s.ok('email_attachments_download', { attachment_id: list.items[0].attachment_id, output_path: 'out/brief.pdf' });
    expect(d).toMatchObject({ path: 'out/brief.pdf', bytes: 14 });
    expect((await s.err('email_attachments_download', { attachment_id: list.items[0].attachment_id, output_path: 'out/brief.pdf' })).error_code).toBe('FILE_REFUSED');
    const del = await s.previewApply('email_attachments_delete', { attachment_id: list.items[0].attachment_id });
    expect(del.result).toMatchObject({ deleted: true, schedule_cancelled: false });
    expect((await s.ok('email_attachments_list', { task_id: c.task_id })).items).toEqual([]);
    expect((await s.err('email_attachments_upload_preview', { ...args, task_id: 'task_1820' })).error_code).toBe('CONFLICT');
  });

  it('an upload or delete on a scheduled task cancels the schedule, and the preview says so', async () => {
    const before = await s.ok('email_get', { task_id: 'task_1824' });
    const jobs = () => one(`SELECT COUNT(*) FROM jobs WHERE kind = 'email.scheduled_send' AND status = 'queued' AND json_extract(params_json, '$.task_id') = 'task_1824'`);
    // Schedule it through the tools so that a job exists, then delete its attachment.
    await s.ok('email_cancel', { task_id: 'task_1824' });
    const when = hourFromNow(30);
    await s.previewApply('email_schedule', { task_id: 'task_1824', plan_send_at: when });
    expect(jobs()).toBe(1);
    const p = await s.ok('email_attachments_delete_preview', { attachment_id: before.attachment.attachment_id });
    expect(p.effect.will_cancel_schedule).toBe(true);
    expect(p.summary).toContain('CANCELS the send scheduled for');
    const a = await s.ok('email_attachments_delete_apply', { attachment_id: before.attachment.attachment_id, preview_token: p.preview_token });
    expect(a.result).toMatchObject({ schedule_cancelled: true, status: 'draft' });
    expect(jobs()).toBe(0);
    // Scheduled again, then an upload cancels it too.
    await s.previewApply('email_schedule', { task_id: 'task_1824', plan_send_at: when });
    const up = { task_id: 'task_1824', content_base64: b64('%PDF v3'), filename: 'brief-v3.pdf' };
    const p2 = await s.ok('email_attachments_upload_preview', up);
    expect(p2.effect).toMatchObject({ will_cancel_schedule: true });
    const a2 = await s.ok('email_attachments_upload_apply', { ...up, preview_token: p2.preview_token });
    expect(a2.result).toMatchObject({ schedule_cancelled: true, status: 'draft' });
    expect(await s.ok('email_get', { task_id: 'task_1824' })).toMatchObject({ status: 'draft', plan_send_at: null });
    expect(jobs()).toBe(0);
  });
});

describe('content and sender', () => {
  it('saves content, sets ≤5 product cards (a sixth is refused), embeds short links by id or URL', async () => {
    const c = await draft('Content');
    const r = await s.ok('email_content_save', {
      task_id: c.task_id,
      subject: 'Hi',
      html_body: '<p>Hello there</p>',
      product_collect_ids: ['pc_003', 'pc_001'],
      short_links: ['sl_001', 'https://nox.to/doesnotexist'.replace('https://nox.to/doesnotexist', (await s.ok('short_link_get', { short_link_id: 'sl_003' })).short_url)],
    });
    expect(r.product_cards).toEqual([
      { product_collect_id: 'pc_003', title: expect.any(String), position: 0 },
      { product_collect_id: 'pc_001', title: expect.any(String), position: 1 },
    ]);
    expect(r.embedded_short_links).toHaveLength(2);
    expect(r.short_links.map((l: any) => l.short_link_id).sort()).toEqual(['sl_001', 'sl_003']);
    expect(r.html_body).toContain(r.embedded_short_links[0]);
    expect(r.text_body).toContain(r.embedded_short_links[1]);
    // Saving again does not embed twice; omitted fields are kept.
    const again = await s.ok('email_content_save', { task_id: c.task_id, short_links: ['sl_001'] });
    expect(again.embedded_short_links).toEqual([]);
    expect(again.subject).toBe('Hi');
    const six = ['pc_001', 'pc_002', 'pc_003', 'pc_004', 'pc_005', 'pc_007'];
    // At most 5 product cards, in the schema itself (NoxInfluencer's documented limit).
    const e = await s.err('email_content_save', { task_id: c.task_id, product_collect_ids: six });
    expect(e.error_code).toBe('INVALID_REQUEST');
    expect(JSON.stringify(e)).toContain('product_collect_ids');
    const five = await s.ok('email_content_save', { task_id: c.task_id, product_collect_ids: six.slice(0, 5) });
    expect(five.product_cards).toHaveLength(5);
    const cards = await s.ok('email_products_list', { task_id: c.task_id });
    expect(cards.items.map((x: any) => x.position)).toEqual([0, 1, 2, 3, 4]);
    expect((await s.ok('email_content_save', { task_id: c.task_id, product_collect_ids: [] })).product_cards).toEqual([]);
    expect((await s.err('email_content_save', { task_id: c.task_id, product_collect_ids: ['pc_nope'] })).error_code).toBe('NOT_FOUND');
    expect((await s.err('email_content_save', { task_id: c.task_id, short_links: ['sl_nope'] })).error_code).toBe('NOT_FOUND');
    const aff = one('SELECT tracking_link FROM aff_members WHERE tracking_link IS NOT NULL LIMIT 1');
    expect((await s.err('email_content_save', { task_id: c.task_id, short_links: [aff] })).summary).toContain('affiliate');
    expect((await s.err('email_content_save', { task_id: 'task_1820', subject: 'x' })).error_code).toBe('CONFLICT');
  });

  it('lists senders (marking the chosen one) and sets the sender', async () => {
    const c = await draft('Sender');
    const l = await s.ok('email_sender_list', {});
    expect(l.items.map((x: any) => x.sender_auth_id)).toEqual(['snd_001', 'snd_002', 'snd_003']);
    const u = await s.ok('email_sender_update', { task_id: c.task_id, sender_auth_id: 'snd_002' });
    expect(u.sender.email).toBe('creators@demo-brand.example');
    const m = await s.ok('email_sender_list', { task_id: c.task_id });
    expect(m.items.filter((x: any) => x.selected).map((x: any) => x.sender_auth_id)).toEqual(['snd_002']);
    expect((await s.err('email_sender_update', { task_id: c.task_id, sender_auth_id: 'snd_nope' })).error_code).toBe('NOT_FOUND');
  });
});

describe('templates and copies', () => {
  it("saves, lists and updates templates; use fills only a draft task's subject and bodies", async () => {
    expect((await s.err('email_templates_save', { name: 'No body' })).error_code).toBe('INVALID_REQUEST');
    const tpl = await s.ok('email_templates_save', { name: 'Launch intro', subject: 'Meet the H7', html_body: '<p>Hi {name}, meet the H7.</p>', text_body: 'Hi, meet the H7.' });
    expect(tpl).toMatchObject({ name: 'Launch intro', subject: 'Meet the H7', text_body: 'Hi, meet the H7.' });
    const upd = await s.ok('email_templates_save', { template_id: tpl.template_id, subject: 'Meet the new H7' });
    expect(upd).toMatchObject({ name: 'Launch intro', subject: 'Meet the new H7', html_body: '<p>Hi {name}, meet the H7.</p>' });
    const listed = (await s.ok('email_templates_list', {})).items.map((x: any) => x.template_id);
    expect(listed).toEqual(expect.arrayContaining(['etpl_001', 'etpl_002', tpl.template_id]));
    const { task } = await ready('Templated');
    const before = await s.ok('email_get', { task_id: task.task_id });
    const used = await s.ok('email_templates_use', { task_id: task.task_id, template_id: tpl.template_id });
    expect(used).toMatchObject({ template_id: tpl.template_id, subject: 'Meet the new H7', html_body: '<p>Hi {name}, meet the H7.</p>', text_body: 'Hi, meet the H7.' });
    expect(used.sender).toEqual(before.sender);
    expect(used.recipients).toEqual(before.recipients);
    const missing = await s.err('email_templates_use', { task_id: task.task_id, template_id: 'etpl_nope' });
    expect(missing.error_code).toBe('NOT_FOUND');
    expect(missing.action?.hint).toContain('email_templates_list');
    expect((await s.err('email_templates_use', { task_id: 'task_1820', template_id: tpl.template_id })).error_code).toBe('CONFLICT');
  });

  it('copies a sent task into a new draft the caller owns, with content, cards, sender, filter and attachment, without recipients', async () => {
    const src = await s.ok('email_get', { task_id: 'task_1820' });
    expect(src.status).toBe('sent');
    const copy = await s.ok('email_copy', { task_id: 'task_1820' });
    expect(copy).toMatchObject({
      name: `${src.name} (copy)`,
      status: 'draft',
      type: 3,
      subject: src.subject,
      html_body: src.html_body,
      campaign_id: src.campaign_id,
      sent_at: null,
      plan_send_at: null,
    });
    expect(copy.task_id).not.toBe(src.task_id);
    expect(copy.sender).toEqual(src.sender);
    expect(copy.product_cards).toEqual(src.product_cards);
    expect(copy.filter).toEqual(src.filter);
    expect(copy.recipients.total).toBe(0);
    expect(copy.collaborators.map((c: any) => c.permission)).toEqual(['owner']);
    const withFile = await s.ok('email_copy', { task_id: 'task_1824', name: 'Wave 4 again' });
    const original = await s.ok('email_get', { task_id: 'task_1824' });
    expect(withFile.name).toBe('Wave 4 again');
    expect(withFile.attachment).toMatchObject({ file_name: original.attachment.file_name, sha256: original.attachment.sha256 });
    expect(withFile.attachment.attachment_id).not.toBe(original.attachment.attachment_id);
    expect((await s.err('email_copy', { task_id: 'task_nope' })).error_code).toBe('NOT_FOUND');
    // A retried copy with its key makes one copy.
    const tasks = () => one('SELECT COUNT(*) FROM email_tasks');
    const n = tasks();
    const k1 = await s.ok('email_copy', { task_id: 'task_1820', idempotency_key: 'copy-1820-once' });
    const k2 = await s.ok('email_copy', { task_id: 'task_1820', idempotency_key: 'copy-1820-once' });
    expect(k2).toEqual({ ...k1, replayed: true });
    expect(tasks()).toBe(n + 1);
  });
});

describe('send, schedule, cancel', () => {
  it('refuses a task that is not ready, naming what is missing', async () => {
    const e = await s.err('email_send_preview', { task_id: 'task_1822' });
    expect(e.error_code).toBe('INVALID_REQUEST');
    expect(e.summary).toMatch(/no sender.*no subject.*no visible text.*no pending recipients/);
    expect((await s.err('email_send_preview', { task_id: 'task_1820' })).error_code).toBe('CONFLICT');
  });

  it('shows the approval sheet; a content, filter or attachment change after preview makes apply stale', async () => {
    const { task } = await ready('Stale');
    const p = await s.ok('email_send_preview', { task_id: task.task_id });
    expect(p.effect).toMatchObject({
      subject: 'Hello from Stale',
      sender: { sender_auth_id: 'snd_001' },
      plan_send_at: null,
      attachment: null,
      recipients: { will_send_count: 6, filtered_out_count: 0 },
    });
    expect(p.effect.body_digest).toMatch(/^[0-9a-f]{64}$/);
    expect(p.effect.recipients.sample).toHaveLength(6);
    await s.ok('email_content_save', { task_id: task.task_id, html_body: '<p>Changed body</p>' });
    const before = workspaceChecksum(s.workspaceDb);
    const e = await s.err('email_send_apply', { task_id: task.task_id, preview_token: p.preview_token });
    expect(e.error_code).toBe('PREVIEW_STALE');
    expect(workspaceChecksum(s.workspaceDb)).toBe(before);
    const p2 = await s.ok('email_send_preview', { task_id: task.task_id });
    await s.ok('email_recipient_filter_update', { task_id: task.task_id, filter: { hide_in_crm: true } });
    expect((await s.err('email_send_apply', { task_id: task.task_id, preview_token: p2.preview_token })).error_code).toBe('PREVIEW_STALE');
    const p3 = await s.ok('email_send_preview', { task_id: task.task_id });
    await s.previewApply('email_attachments_upload', { task_id: task.task_id, content_base64: b64('%PDF'), filename: 'b.pdf' });
    expect((await s.err('email_send_apply', { task_id: task.task_id, preview_token: p3.preview_token })).error_code).toBe('PREVIEW_STALE');
    const p4 = await s.ok('email_send_preview', { task_id: task.task_id });
    await s.ok('email_sender_update', { task_id: task.task_id, sender_auth_id: 'snd_002' });
    expect((await s.err('email_send_apply', { task_id: task.task_id, preview_token: p4.preview_token })).error_code).toBe('PREVIEW_STALE');
    expect((await s.ok('email_get', { task_id: task.task_id })).status).toBe('draft');
  });

  it('binds the content of the product cards and short links the sheet shows, not only their ids', async () => {
    const { task } = await ready('Cards');
    const link = (await s.ok('short_link_get', { short_link_id: 'sl_002' })).short_url;
    await s.ok('email_content_save', { task_id: task.task_id, product_collect_ids: ['pc_004'], html_body: `<p>Try it: ${link}</p>` });
    const p = await s.ok('email_send_preview', { task_id: task.task_id });
    const card = p.effect.product_cards[0];
    expect(card).toMatchObject({ product_collect_id: 'pc_004', title: expect.any(String), currency: expect.any(String) });
    expect(card).toHaveProperty('link');
    expect(card).toHaveProperty('price');
    expect(card).toHaveProperty('thumbnail_url');
    expect(p.effect.short_links).toEqual([link]);
    // The product behind the card changes after the person approved the sheet: the send must not go out.
    await s.ok('product_update', { product_collect_id: 'pc_004', title: 'Another product', price: 1 });
    const before = workspaceChecksum(s.workspaceDb);
    const e = await s.err('email_send_apply', { task_id: task.task_id, preview_token: p.preview_token });
    expect(e.error_code).toBe('PREVIEW_STALE');
    // The cli backend's state is the CLI's dry-run report (docs/cli-backend.md): that is what it names.
    expect(e.summary).toContain(testBackend === 'cli' ? 'dry_run' : 'products');
    expect(workspaceChecksum(s.workspaceDb)).toBe(before);
    const p2 = await s.ok('email_send_preview', { task_id: task.task_id });
    expect(p2.effect.product_cards[0]).toMatchObject({ title: 'Another product', price: 1 });
    // A short link's title is edited after the preview: stale too. Not on the cli backend, whose
    // token binds the dry-run report (docs/cli-backend.md), which lists the links' URLs only.
    if (testBackend === 'cli') return;
    await s.ok('short_link_update', { short_link_id: 'sl_002', title: 'Renamed after approval' });
    const e2 = await s.err('email_send_apply', { task_id: task.task_id, preview_token: p2.preview_token });
    expect(e2.error_code).toBe('PREVIEW_STALE');
    expect(e2.summary).toContain('short_links');
    expect((await s.ok('email_get', { task_id: task.task_id })).status).toBe('draft');
  });

  it('sends: recipients become sent (or bounced), filtered ones filtered_out, one thread per creator, replies arrive later', async () => {
    const { task, creators } = await ready('Send now', 12);
    const contacted = one(`SELECT creator_id FROM email_recipients r JOIN creators c USING (creator_id) WHERE task_id = 'task_1820' AND status = 'replied' AND c.has_email = 1 LIMIT 1`);
    await s.ok('email_recipients_add', { task_id: task.task_id, recipients: [{ creator_id: contacted }, { email_address: 'buyer@retail.example' }] });
    await s.ok('email_recipient_filter_update', { task_id: task.task_id, filter: { hide_contacted: true } });
    const p = await s.ok('email_send_preview', { task_id: task.task_id });
    expect(p.effect.recipients).toMatchObject({ will_send_count: 13, filtered_out_count: 1, filtered_by_reason: { already_contacted: 1 } });
    expect(p.effect.recipients.filtered_sample[0]).toMatchObject({ creator_id: contacted, reason: 'already_contacted' });
    expect(p.summary).toContain('13 recipient(s) (1 hidden by the filter)');
    const a = await s.ok('email_send_apply', { task_id: task.task_id, preview_token: p.preview_token });
    expect(a.result).toMatchObject({ status: 'sent', sent_count: 13, filtered_out_count: 1, threads_opened: 12 });
    const again = await s.ok('email_send_apply', { task_id: task.task_id, preview_token: p.preview_token });
    expect(again.replayed).toBe(true);
    const statuses = q('SELECT status, filtered_reason FROM email_recipients WHERE task_id = ?', task.task_id);
    expect(statuses.filter((r) => r.status === 'filtered_out')).toEqual([{ status: 'filtered_out', filtered_reason: 'already_contacted' }]);
    expect(statuses.filter((r) => r.status === 'sent' || r.status === 'bounced')).toHaveLength(13);
    expect(statuses.filter((r) => r.status === 'bounced').length).toBe(a.result.bounced_count);
    const threads = q(
      `SELECT t.*, (SELECT COUNT(*) FROM messages m WHERE m.thread_id = t.thread_id AND direction = 'outbound') AS outbound FROM message_threads t WHERE business_kind = 'email_task' AND business_id = ?`,
      task.task_id,
    );
    expect(threads).toHaveLength(12);
    expect(new Set(threads.map((x) => x.creator_id))).toEqual(new Set(creators.map((c) => c.creator_id)));
    expect(threads.every((x) => x.outbound === 1 && x.last_message_direction === 'outbound' && x.needs_reply === 0)).toBe(true);
    expect((await s.ok('email_get', { task_id: task.task_id })).status).toBe('sent');
    // Nothing before the delay; replies after it.
    await s.drainJobs();
    expect((await s.ok('email_report', { task_id: task.task_id })).reply_count).toBe(0);
    t += 31 * 60_000;
    await s.drainJobs();
    const r = await s.ok('email_report', { task_id: task.task_id });
    expect(r.reply_count).toBeGreaterThanOrEqual(1);
    expect(r.inbound_message_count).toBe(r.reply_count);
    expect(r.replied_creator_count).toBeLessThanOrEqual(r.reply_count);
    expect(r.threads_needing_reply).toBe(r.replied_creator_count);
    const pending = q(`SELECT * FROM message_threads WHERE business_id = ? AND needs_reply = 1`, task.task_id);
    expect(pending.every((x) => x.last_message_direction === 'inbound' && x.unread === 1 && x.pending_reason)).toBe(true);
    // Deterministic: the repliers are the same whenever the same task is simulated again (no second batch).
    t += 60 * 60_000;
    await s.drainJobs();
    expect((await s.ok('email_report', { task_id: task.task_id })).reply_count).toBe(r.reply_count);
  });

  it('asks the person through elicitation before a send; a decline changes nothing', async () => {
    let answer: 'accept' | 'decline' = 'decline';
    const e = await startServer({
      capabilities: { elicitation: {} },
      onClient: (client) => client.setRequestHandler(ElicitRequestSchema, async () => (answer === 'accept' ? { action: 'accept', content: { approve: true } } : { action: 'decline' })),
    });
    try {
      const p = await e.ok('email_send_preview', { task_id: 'task_1823' });
      expect((await e.err('email_send_apply', { task_id: 'task_1823', preview_token: p.preview_token })).error_code).toBe('CONFIRMATION_DECLINED');
      expect((await e.ok('email_get', { task_id: 'task_1823' })).status).toBe('draft');
      answer = 'accept';
      expect((await e.ok('email_send_apply', { task_id: 'task_1823', preview_token: p.preview_token })).result.status).toBe('sent');
    } finally {
      await e.close();
    }
  });

  it('schedules with a whole-hour offset only, in the future; the job sends at plan_send_at; cancel stops it', async () => {
    const { task } = await ready('Scheduled');
    for (const bad of [hourFromNow(5, '+05:30'), '2026-05-01T09:00:00', 'tomorrow 9am', hourFromNow(-2)]) {
      const e = await s.err('email_schedule_preview', { task_id: task.task_id, plan_send_at: bad });
      expect(e.error_code, bad).toBe('INVALID_REQUEST');
    }
    expect((await s.err('email_schedule_preview', { task_id: task.task_id, plan_send_at: hourFromNow(5, '+05:30') })).summary).toContain('whole-hour');
    const when = hourFromNow(3, '+08:00');
    const p = await s.ok('email_schedule_preview', { task_id: task.task_id, plan_send_at: when });
    expect(p.effect.plan_send_at).toBe(new Date(when).toISOString());
    const a = await s.ok('email_schedule_apply', { task_id: task.task_id, plan_send_at: when, preview_token: p.preview_token });
    expect(a.result).toMatchObject({ status: 'scheduled', plan_send_at: new Date(when).toISOString(), recipient_count: 6 });
    expect((await s.err('email_send_preview', { task_id: task.task_id })).action?.hint).toContain('email_cancel');
    await s.drainJobs();
    expect((await s.ok('email_get', { task_id: task.task_id })).status).toBe('scheduled');
    t += 3 * HOUR;
    await s.drainJobs();
    const sent = await s.ok('email_get', { task_id: task.task_id });
    expect(sent.status).toBe('sent');
    expect(sent.recipients.sent + sent.recipients.bounced).toBe(6);
    // Cancel: schedule another task and cancel it; the job then does nothing.
    const other = await ready('Cancelled');
    await s.previewApply('email_schedule', { task_id: other.task.task_id, plan_send_at: hourFromNow(2, '-05:00') });
    const c = await s.ok('email_cancel', { task_id: other.task.task_id });
    expect(c).toMatchObject({ status: 'cancelled' });
    expect((await s.err('email_cancel', { task_id: 'task_1820' })).error_code).toBe('CONFLICT');
    t += 3 * HOUR;
    await s.drainJobs();
    expect((await s.ok('email_get', { task_id: other.task.task_id })).status).toBe('cancelled');
    // A cancelled task is out of the send flow: editable and sendable again.
    await s.ok('email_content_save', { task_id: other.task.task_id, subject: 'Second try' });
    expect((await s.previewApply('email_send', { task_id: other.task.task_id })).result.status).toBe('sent');
  });

  it('a scheduled send survives a restart: it lives in the jobs table', async () => {
    let clock = Date.now();
    const first = await startServer({ now: () => new Date(clock) });
    const dir = first.dir;
    const at = new Date(Math.floor(clock / HOUR) * HOUR + 2 * HOUR).toISOString();
    await first.previewApply('email_schedule', { task_id: 'task_1823', plan_send_at: at });
    await first.app.close().catch(() => undefined);
    const second = await startServer({ dir, now: () => new Date(clock) });
    try {
      expect((await second.ok('email_get', { task_id: 'task_1823' })).status).toBe('scheduled');
      clock += 2 * HOUR + 1000;
      await second.drainJobs();
      expect((await second.ok('email_get', { task_id: 'task_1823' })).status).toBe('sent');
    } finally {
      await second.close();
    }
  });
});

describe('reports', () => {
  it('gives three different reply numbers on seeded data, each by its own definition', async () => {
    const r = await s.ok('email_report', { task_id: 'task_1820' });
    expect(r.reply_count).toBe(one(`SELECT SUM(reply_count) FROM email_recipients WHERE task_id = 'task_1820'`));
    expect(r.replied_creator_count).toBe(one(`SELECT COUNT(DISTINCT creator_id) FROM email_recipients WHERE task_id = 'task_1820' AND reply_count > 0`));
    expect(r.inbound_message_count).toBe(
      one(`SELECT COUNT(*) FROM messages m JOIN message_threads t USING (thread_id) WHERE t.business_kind = 'email_task' AND t.business_id = 'task_1820' AND m.direction = 'inbound'`),
    );
    // By definition: inbound messages include answers to our follow-ups, tracked email replies are
    // answers to the email itself, and a creator who answered twice counts once as a replier.
    expect(r.inbound_message_count).toBeGreaterThan(r.reply_count);
    expect(r.reply_count).toBeGreaterThan(r.replied_creator_count);
    expect(r).toMatchObject({ sent_count: 38, bounced_count: 3, filtered_out_count: 2 });
    expect(r.open_rate).toBeGreaterThan(0);
    const sum = await s.ok('email_team_summary', { task_ids: ['task_1820', 'task_1821'] });
    const r2 = await s.ok('email_report', { task_id: 'task_1821' });
    expect(sum.reply_count).toBe(r.reply_count + r2.reply_count);
    expect(sum.inbound_message_count).toBe(r.inbound_message_count + r2.inbound_message_count);
    // A creator who replied in both tasks counts once across them.
    const both = one(`SELECT COUNT(*) FROM (SELECT creator_id FROM email_recipients WHERE task_id IN ('task_1820','task_1821') AND reply_count > 0 GROUP BY creator_id HAVING COUNT(*) > 1)`);
    expect(sum.replied_creator_count).toBe(r.replied_creator_count + r2.replied_creator_count - both);
    expect(sum.tasks.map((x: any) => x.task_id).sort()).toEqual(['task_1820', 'task_1821']);
  });

  it('summarises every sent task by default and breaks the metrics down by team member uid', async () => {
    const all = await s.ok('email_team_summary', {});
    expect(all.task_count).toBe(one(`SELECT COUNT(*) FROM email_tasks WHERE sent_at IS NOT NULL`));
    const b = await s.ok('email_team_breakdown', {});
    const byUid = Object.fromEntries(b.items.map((x: any) => [x.uid, x]));
    expect(byUid.u_001.task_count).toBe(one(`SELECT COUNT(*) FROM email_tasks WHERE sent_at IS NOT NULL AND owner_uid = 'u_001'`));
    expect(b.items.reduce((n: number, x: any) => n + x.reply_count, 0)).toBe(all.reply_count);
    const only = await s.ok('email_team_breakdown', { uids: ['u_002'] });
    expect(only.items.map((x: any) => x.uid)).toEqual(['u_002']);
    expect(only.items[0].reply_count).toBe(
      (await s.ok('email_report', { task_id: 'task_1821' })).reply_count +
        one(`SELECT COALESCE(SUM(reply_count),0) FROM email_recipients r JOIN email_tasks t USING (task_id) WHERE t.owner_uid = 'u_002' AND t.sent_at IS NOT NULL AND t.task_id <> 'task_1821'`),
    );
    const filtered = await s.ok('email_team_summary', { uids: ['u_002'] });
    expect(filtered.tasks.every((x: any) => x.owner_uid === 'u_002')).toBe(true);
    expect((await s.err('email_team_breakdown', { uids: ['u_999'] })).error_code).toBe('NOT_FOUND');
    expect((await s.err('email_team_summary', { task_ids: ['task_nope'] })).error_code).toBe('NOT_FOUND');
  });
});
