// Message threads through the MCP client: filters, reads, replies, schedules, attachments, archive.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';
import { recordInbound } from '../../workspace/simulator.js';

let clock = Date.now();
let s: TestServer;
beforeAll(async () => {
  s = await startServer({ now: () => new Date(clock) });
});
afterAll(() => s.close());

const list = (args: Record<string, unknown>) => s.ok('message_list', { page_size: 100, ...args });
const row = (id: string) => s.workspaceDb.prepare('SELECT * FROM message_threads WHERE thread_id = ?').get(id) as Record<string, any>;
/** A thread that needs a reply and has a sibling in another project that does not. */
async function pendingWithQuietSibling(exclude: string[] = []): Promise<{ thread: any; sibling: any }> {
  const pending = (await list({ needs_reply: true })).items.filter((t: any) => !exclude.includes(t.thread_id));
  for (const t of pending) {
    const p = await s.ok('message_projects', { thread_id: t.thread_id });
    const sibling = p.items.find((x: any) => x.thread_id !== t.thread_id && !x.needs_reply);
    if (sibling && !t.scheduled_at) return { thread: t, sibling };
  }
  throw new Error('seed has no pending thread with a quiet sibling');
}

describe('message_list filters', () => {
  it('tells deal (creator wrote last) from unread, and neither from needs_reply', async () => {
    const deal = await list({ status: 'deal' });
    const unread = await list({ status: 'unread' });
    expect(deal.total).toBeGreaterThan(0);
    expect(deal.items.every((t: any) => t.last_message_direction === 'inbound')).toBe(true);
    expect(unread.items.every((t: any) => t.unread)).toBe(true);
    const unreadIds = new Set(unread.items.map((t: any) => t.thread_id));
    expect(deal.items.some((t: any) => !unreadIds.has(t.thread_id))).toBe(true); // read but the creator wrote last
    expect(deal.items.some((t: any) => !t.needs_reply)).toBe(true); // inbound that owes nothing
    const pending = await list({ needs_reply: true });
    expect(pending.items.every((t: any) => t.needs_reply && t.pending_reason)).toBe(true);
    expect(pending.items.some((t: any) => !t.unread)).toBe(true);
    const row0 = deal.items[0];
    for (const k of ['thread_id', 'creator_id', 'project_id', 'needs_reply', 'last_message_direction', 'pending_reason', 'unread', 'label_ids', 'coop_status']) expect(row0).toHaveProperty(k);
  });

  it('filters by project (business_kind + id or project_ids), owner, label, coop status, and pages', async () => {
    const byKind = await list({ business_kind: 'email_task', business_id: 'task_1820' });
    expect(byKind.total).toBeGreaterThan(10);
    expect(byKind.items.every((t: any) => t.project_id === 'email_task:task_1820')).toBe(true);
    const byProject = await list({ project_ids: ['email_task:task_1820'] });
    expect(byProject.items.map((t: any) => t.thread_id)).toEqual(byKind.items.map((t: any) => t.thread_id));
    const two = await list({ project_ids: ['email_task:task_1820', 'affiliate_campaign:affc_001'] });
    expect(two.total).toBe(byKind.total + (await list({ project_ids: ['affiliate_campaign:affc_001'] })).total);

    const owners = await s.ok('message_creator_filters', {});
    const owner = owners.items.find((o: any) => o.thread_count > 0);
    const mine = await list({ creator_uids: [owner.user_uid] });
    expect(mine.total).toBe(owner.thread_count);
    expect(mine.items.every((t: any) => t.owner_uid === owner.user_uid)).toBe(true);

    const labels = await s.ok('message_labels_list', {});
    const label = labels.items.find((l: any) => l.thread_count > 0);
    const labelled = await list({ label_id: label.label_id });
    expect(labelled.total).toBe(label.thread_count);
    expect(labelled.items.every((t: any) => t.label_ids.includes(label.label_id))).toBe(true);

    const statuses = await s.ok('message_coop_statuses', {});
    const st = statuses.items.find((c: any) => c.thread_count > 0);
    const coop = await list({ coop_status: st.coop_status });
    expect(coop.total).toBe(st.thread_count);
    expect(coop.items.every((t: any) => t.coop_status === st.coop_status)).toBe(true);

    // Cooperation statuses are server-defined ids (the docs pass --coop_status 2), the same ids in
    // the CRM, exports and the campaign context; an unknown one is refused naming the lookup tool.
    expect(statuses.items.map((c: any) => [c.coop_status, c.name])).toEqual([
      ['1', 'pending'],
      ['2', 'contacted'],
      ['3', 'negotiating'],
      ['4', 'cooperating'],
      ['5', 'completed'],
      ['6', 'rejected'],
    ]);
    const crm = await s.ok('crm_list', { coop_status: st.coop_status, page_size: 100 });
    expect(crm.total).toBeGreaterThan(0);
    expect(crm.items.every((c: any) => c.coop_status === st.coop_status)).toBe(true);
    const refusals = [
      ['message_list', { coop_status: 'negotiating' }],
      ['message_coop_set', { thread_id: 'thr_0001', coop_status: '0' }],
      ['crm_list', { coop_status: 'pending' }],
      ['crm_batch_update_preview', { selector: { creator_ids: ['cr_0001'] }, coop_status: '7' }],
      ['export_create_preview', { kind: 'crm', reason: 'check', crm_filter: { coop_status: ['2', 'cooperating'] } }],
      ['campaign_context_record', { campaign_id: 'cmp_002', message_filters: { coop_status: 'deal' } }],
    ] as const;
    for (const [tool, args] of refusals) {
      const e = await s.err(tool, args);
      expect(e.error_code, tool).toBe('NOT_FOUND');
      expect(e.action?.hint, tool).toContain('message_coop_statuses');
    }

    const p1 = await s.ok('message_list', { page_size: 5, page: 2 });
    const all = await list({});
    expect(p1.items.map((t: any) => t.thread_id)).toEqual(all.items.slice(5, 10).map((t: any) => t.thread_id));
    expect(p1.total).toBe(all.total);
  });

  it('draft and scheduled need a project, and project_ids never go with business_kind/id', async () => {
    expect((await s.err('message_list', { status: 'draft' })).summary).toMatch(/business_kind/);
    expect((await s.err('message_list', { status: 'scheduled' })).error_code).toBe('INVALID_REQUEST');
    const drafts = await list({ status: 'draft', business_kind: 'email_task', business_id: 'task_1820' });
    expect(drafts.total).toBeGreaterThan(0);
    expect(drafts.items.every((t: any) => t.has_draft)).toBe(true);
    const scheduled = await list({ status: 'scheduled', business_kind: 'email_task', business_id: 'task_1821' });
    expect(scheduled.total).toBe(1);
    expect(scheduled.items[0].scheduled_at).toBeTruthy();
    const mixed = await s.err('message_list', { project_ids: ['email_task:task_1820'], business_kind: 'email_task', business_id: 'task_1820' });
    expect(mixed.summary).toMatch(/project_ids cannot be combined/);
    expect((await s.err('message_list', { business_kind: 'email_task' })).error_code).toBe('INVALID_REQUEST');
    expect((await s.err('message_list', { project_ids: ['task_1820'] })).error_code).toBe('INVALID_REQUEST');
  });
});

describe('reading threads', () => {
  it('message_get returns messages, draft and files, and marks the thread read only', async () => {
    const unread = (await list({ status: 'unread' })).items[0];
    const before = row(unread.thread_id);
    const g = await s.ok('message_get', { thread_id: unread.thread_id });
    expect(g.messages.length).toBe(g.message_count);
    expect(g.messages[0].direction).toBe('outbound');
    expect(g.unread).toBe(false);
    const after = row(unread.thread_id);
    expect(after.unread).toBe(0);
    expect({ ...after, unread: 1 }).toEqual({ ...before, unread: 1 });
    const withDraft = (await list({ status: 'draft', business_kind: 'email_task', business_id: 'task_1820' })).items.find((t: any) => t.has_draft);
    const d = await s.ok('message_get', { thread_id: withDraft.thread_id });
    expect(d.draft.html_body).toMatch(/<p>/);
    expect((await s.err('message_get', { thread_id: 'thr_missing' })).error_code).toBe('NOT_FOUND');
  });

  it('message_projects shows sibling task threads with their own pending state', async () => {
    const { thread, sibling } = await pendingWithQuietSibling();
    const p = await s.ok('message_projects', { thread_id: thread.thread_id });
    expect(p.creator_id).toBe(thread.creator_id);
    expect(new Set(p.items.map((x: any) => x.project_id)).size).toBeGreaterThan(1);
    expect(p.items.every((x: any) => x.creator_id === thread.creator_id)).toBe(true);
    expect(p.pending_count).toBe(p.items.filter((x: any) => x.needs_reply && !x.archived).length);
    expect(sibling.needs_reply).toBe(false);
  });

  it('project filters narrow by task owner', async () => {
    const all = await s.ok('message_project_filters', {});
    expect(all.items.map((p: any) => p.project_id)).toEqual(expect.arrayContaining(['email_task:task_1820', 'email_task:task_1821', 'affiliate_campaign:affc_001']));
    const owner = all.items.find((p: any) => p.project_id === 'email_task:task_1821').owner_uids[0];
    const mine = await s.ok('message_project_filters', { creator_uids: [owner] });
    expect(mine.items.every((p: any) => p.owner_uids.includes(owner))).toBe(true);
    expect(mine.items.length).toBeLessThan(all.items.length);
    const t = mine.items[0];
    expect(t.thread_count).toBe((await list({ project_ids: [t.project_id], creator_uids: [owner] })).total);
  });
});

describe('labels, coop status, drafts and templates', () => {
  it('sets labels (CRM labels only) and the cooperation status of one thread', async () => {
    const t = (await list({})).items[0];
    const r = await s.ok('message_labels_set', { thread_id: t.thread_id, label_ids: ['lbl_003', 'lbl_001', 'lbl_003'] });
    expect(r.label_ids).toEqual(['lbl_001', 'lbl_003']);
    expect((await s.ok('message_get', { thread_id: t.thread_id })).label_ids).toEqual(['lbl_001', 'lbl_003']);
    expect((await s.err('message_labels_set', { thread_id: t.thread_id, label_ids: ['lbl_nope'] })).error_code).toBe('NOT_FOUND');
    await s.ok('message_labels_set', { thread_id: t.thread_id, label_ids: [] });
    expect((await s.ok('message_get', { thread_id: t.thread_id })).label_ids).toEqual([]);
    const c = await s.ok('message_coop_set', { thread_id: t.thread_id, coop_status: '3' });
    expect(c).toMatchObject({ coop_status: '3', previous: t.coop_status });
    expect(row(t.thread_id).coop_status).toBe('3');
    const e = await s.err('message_coop_set', { thread_id: t.thread_id, coop_status: 'negotiating' });
    expect(e).toMatchObject({ error_code: 'NOT_FOUND' });
    expect(e.action?.hint).toContain('message_coop_statuses');
  });

  it('saves and clears drafts, refusing an empty one', async () => {
    const t = (await list({})).items[1];
    const e = await s.err('message_draft_save', { thread_id: t.thread_id, html_body: '<p><br></p>' });
    expect(e.summary).toMatch(/pending state cannot be cleared by an empty reply/);
    await s.ok('message_draft_save', { thread_id: t.thread_id, html_body: '<p>Draft for later</p>' });
    expect((await s.ok('message_get', { thread_id: t.thread_id })).draft.html_body).toBe('<p>Draft for later</p>');
    await s.ok('message_draft_save', { thread_id: t.thread_id, html_body: null });
    expect((await s.ok('message_get', { thread_id: t.thread_id })).draft).toBeNull();
  });

  it('lists, creates, updates and uses templates', async () => {
    const before = await s.ok('message_templates_list', {});
    expect(before.items.some((x: any) => x.attachments.length > 0)).toBe(true);
    expect((await s.err('message_templates_save', { name: 'Only name' })).error_code).toBe('INVALID_REQUEST');
    const created = await s.ok('message_templates_save', { name: 'Brief attached', subject: 'The brief', html_body: '<p>Here is the brief.</p>' });
    const updated = await s.ok('message_templates_save', { template_id: created.template_id, html_body: '<p>Here is the updated brief.</p>' });
    expect(updated).toMatchObject({ name: 'Brief attached', html_body: '<p>Here is the updated brief.</p>' });
    expect((await s.ok('message_templates_list', {})).items).toHaveLength(before.items.length + 1);
    const t = (await list({})).items[2];
    const used = await s.ok('message_templates_use', { thread_id: t.thread_id, template_id: created.template_id });
    expect(used.draft_html).toBe('<p>Here is the updated brief.</p>');
    expect(row(t.thread_id).draft_html).toBe('<p>Here is the updated brief.</p>');
    expect((await s.err('message_templates_use', { thread_id: t.thread_id, template_id: 'tpl_missing' })).error_code).toBe('NOT_FOUND');
  });
});

describe('replies', () => {
  it('refuses empty bodies, unknown threads and senders outside the workspace', async () => {
    const t = (await list({ needs_reply: true })).items[0];
    for (const body of ['', '   ', '<p><br></p>', '<div><span> </span></div>', '<p>&nbsp;</p>']) {
      const e = await s.err('message_send_preview', { thread_id: t.thread_id, html_body: body });
      expect(e.error_code).toBe('INVALID_REQUEST');
      expect(e.summary).toMatch(/pending state cannot be cleared by an empty reply/);
    }
    expect((await s.err('message_send_preview', { thread_id: 'thr_new', html_body: '<p>Hi</p>' })).action?.hint).toMatch(/email task/);
    expect((await s.err('message_send_preview', { thread_id: t.thread_id, html_body: '<p>Hi</p>', sender_auth_id: 'snd_outside' })).error_code).toBe('NOT_FOUND');
    expect(row(t.thread_id).needs_reply).toBe(1);
  });

  it('sends on one thread only: siblings keep their state; stale and mismatched applies are refused', async () => {
    const { thread, sibling } = await pendingWithQuietSibling();
    const siblingBefore = row(sibling.thread_id);
    const args = { thread_id: thread.thread_id, html_body: '<p>Thanks! Rates work for us — contract follows.</p>' };
    const p = await s.ok('message_send_preview', args);
    expect(p.effect.current.needs_reply).toBe(true);
    expect(p.effect.siblings_unchanged.map((x: any) => x.thread_id)).toContain(sibling.thread_id);
    expect(p.effect.sender.sender_auth_id).toBe(row(thread.thread_id).sender_auth_id);
    const mismatch = await s.err('message_send_apply', { ...args, html_body: '<p>Something else</p>', preview_token: p.preview_token });
    expect(mismatch.error_code).toBe('PREVIEW_MISMATCH');
    const a = await s.ok('message_send_apply', { ...args, preview_token: p.preview_token });
    expect(a.result).toMatchObject({ needs_reply: false, last_message_direction: 'outbound' });
    const after = row(thread.thread_id);
    expect(after).toMatchObject({ needs_reply: 0, last_message_direction: 'outbound', pending_reason: null });
    expect(row(sibling.thread_id)).toEqual(siblingBefore);
    const g = await s.ok('message_get', { thread_id: thread.thread_id });
    expect(g.messages.at(-1)).toMatchObject({ direction: 'outbound', html_body: args.html_body });

    // An inbound reply after the preview makes the next apply stale.
    const args2 = { thread_id: thread.thread_id, html_body: '<p>One more thing.</p>' };
    const p2 = await s.ok('message_send_preview', args2);
    s.workspaceDb.transaction(() =>
      recordInbound(s.app.workspace!, { threadId: thread.thread_id, html: '<p>Question!</p>', pendingReason: 'creator_asked_question', at: new Date(clock).toISOString() }),
    )();
    expect(row(thread.thread_id)).toMatchObject({ needs_reply: 1, last_message_direction: 'inbound', pending_reason: 'creator_asked_question' });
    expect((await s.err('message_send_apply', { ...args2, preview_token: p2.preview_token })).error_code).toBe('PREVIEW_STALE');
    expect(row(thread.thread_id).needs_reply).toBe(1);
  });

  it('schedules with whole-hour offsets, fires from the job runner at its time, and cancels', async () => {
    const t = (await list({ needs_reply: true })).items.find((x: any) => !x.scheduled_at);
    const body = { thread_id: t.thread_id, html_body: '<p>Following up tomorrow morning.</p>' };
    expect((await s.err('message_schedule_preview', { ...body, send_at: '2030-01-01T09:00:00+05:30' })).summary).toMatch(/whole hour/);
    expect((await s.err('message_schedule_preview', { ...body, send_at: '2030-01-01 09:00' })).error_code).toBe('INVALID_REQUEST');
    expect((await s.err('message_schedule_preview', { ...body, send_at: '2001-01-01T09:00:00Z' })).summary).toMatch(/future/);
    const at = new Date(Math.ceil(clock / 3_600_000) * 3_600_000 + 3 * 3_600_000);
    const local = new Date(at.getTime() + 8 * 3_600_000).toISOString().replace('Z', '+08:00').replace('.000', '');
    const p = await s.ok('message_schedule_preview', { ...body, send_at: local });
    expect(p.effect.send_at).toBe(at.toISOString());
    await s.ok('message_schedule_apply', { ...body, send_at: local, preview_token: p.preview_token });
    expect(row(t.thread_id).scheduled_at).toBe(at.toISOString());
    expect((await s.err('message_send_preview', body)).error_code).toBe('CONFLICT');
    await s.drainJobs(); // not due yet
    expect(row(t.thread_id).needs_reply).toBe(1);
    clock = at.getTime() + 1000;
    await s.drainJobs();
    expect(row(t.thread_id)).toMatchObject({ needs_reply: 0, last_message_direction: 'outbound', scheduled_at: null, pending_reason: null });
    expect((await s.ok('message_get', { thread_id: t.thread_id })).messages.at(-1).html_body).toBe(body.html_body);

    // Cancel puts the body back into the draft and the job never sends.
    const t2 = (await list({ needs_reply: true })).items.find((x: any) => !x.scheduled_at && !x.has_draft);
    const at2 = new Date(Math.ceil(clock / 3_600_000) * 3_600_000 + 3_600_000).toISOString();
    await s.previewApply('message_schedule', { thread_id: t2.thread_id, html_body: '<p>Later.</p>', send_at: at2 });
    const c = await s.ok('message_cancel', { thread_id: t2.thread_id });
    expect(c).toMatchObject({ cancelled: true, was_scheduled_at: at2 });
    expect(row(t2.thread_id)).toMatchObject({ scheduled_at: null, draft_html: '<p>Later.</p>', needs_reply: 1 });
    expect((await s.ok('message_cancel', { thread_id: t2.thread_id })).cancelled).toBe(false);
    clock = new Date(at2).getTime() + 1000;
    await s.drainJobs();
    expect(row(t2.thread_id).needs_reply).toBe(1);
  });

  it('a scheduled reply survives a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nox-msg-'));
    let one = await startServer({ dir, now: () => new Date(clock) });
    try {
      const t = (await one.ok('message_list', { needs_reply: true, page_size: 100 })).items.find((x: any) => !x.scheduled_at);
      const at = new Date(Math.ceil(clock / 3_600_000) * 3_600_000 + 3_600_000).toISOString();
      const r = await one.previewApply('message_schedule', { thread_id: t.thread_id, html_body: '<p>After restart.</p>', send_at: at });
      expect(r.result.job_id).toBeTruthy();
      await one.close();
      one = await startServer({ dir, now: () => new Date(clock) });
      clock = new Date(at).getTime() + 1000;
      await one.drainJobs();
      expect(one.workspaceDb.prepare('SELECT * FROM message_threads WHERE thread_id = ?').get(t.thread_id)).toMatchObject({ needs_reply: 0, last_message_direction: 'outbound', scheduled_at: null });
    } finally {
      await one.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('attachments', () => {
  const b64 = (text: string) => Buffer.from(text).toString('base64');

  it('lists, uploads, downloads and deletes thread files; a third file is refused', async () => {
    const t = (await list({ needs_reply: true })).items.find((x: any) => !x.scheduled_at && !x.has_draft);
    expect((await s.ok('message_attachments_list', { thread_id: t.thread_id })).items).toEqual([]);
    mkdirSync(join(s.app.files.root, 'briefs'), { recursive: true });
    writeFileSync(join(s.app.files.root, 'briefs', 'brief.pdf'), '%PDF-1.4 brief');
    const one = await s.previewApply('message_attachments_upload', { thread_id: t.thread_id, path: 'briefs/brief.pdf' });
    const two = await s.previewApply('message_attachments_upload', { thread_id: t.thread_id, content_base64: b64('rates'), filename: 'rates.txt' });
    const files = await s.ok('message_attachments_list', { thread_id: t.thread_id });
    expect(files.items.map((a: any) => a.file_name)).toEqual(['brief.pdf', 'rates.txt']);
    const third = await s.err('message_attachments_upload_preview', { thread_id: t.thread_id, content_base64: b64('x'), filename: 'third.pdf' });
    expect(third.error_code).toBe('LIMIT_EXCEEDED');
    const d = await s.ok('message_attachments_download', { thread_id: t.thread_id, attachment_id: one.result.attachment.attachment_id, output_path: 'out/brief-copy.pdf' });
    expect(readFileSync(join(s.app.files.root, d.path), 'utf8')).toBe('%PDF-1.4 brief');
    expect((await s.err('message_attachments_download', { thread_id: t.thread_id, attachment_id: one.result.attachment.attachment_id, output_path: 'out/brief-copy.pdf' })).error_code).toBe(
      'FILE_REFUSED',
    );
    const del = await s.previewApply('message_attachments_delete', { thread_id: t.thread_id, attachment_id: two.result.attachment.attachment_id });
    expect(del.result.deleted).toBe(true);
    expect((await s.ok('message_attachments_list', { thread_id: t.thread_id })).items).toHaveLength(1);

    // Draft files go out with the reply and then belong to the sent message.
    await s.previewApply('message_send', { thread_id: t.thread_id, html_body: '<p>Brief attached.</p>' });
    expect((await s.ok('message_attachments_list', { thread_id: t.thread_id })).items).toEqual([]);
    const g = await s.ok('message_get', { thread_id: t.thread_id });
    expect(g.messages.at(-1).attachments.map((a: any) => a.file_name)).toEqual(['brief.pdf']);
    const e = await s.err('message_attachments_delete_preview', { thread_id: t.thread_id, attachment_id: one.result.attachment.attachment_id });
    expect(e.summary).toMatch(/sent message/);
  });

  it('refuses executables, files over 10 MB, and ids of the other kind', async () => {
    const t = (await list({ needs_reply: true })).items.find((x: any) => !x.scheduled_at);
    expect((await s.err('message_attachments_upload_preview', { thread_id: t.thread_id, content_base64: b64('MZ'), filename: 'setup.exe' })).error_code).toBe('FILE_REFUSED');
    const big = Buffer.alloc(10 * 1024 * 1024 + 1, 1).toString('base64');
    expect((await s.err('message_attachments_upload_preview', { thread_id: t.thread_id, content_base64: big, filename: 'big.pdf' })).error_code).toBe('LIMIT_EXCEEDED');
    const tpl = (await s.ok('message_templates_list', {})).items.find((x: any) => x.attachments.length > 0);
    const tplAtt = tpl.attachments[0].attachment_id;
    const refused = await s.err('message_attachments_delete_preview', { thread_id: t.thread_id, attachment_id: tplAtt });
    expect(refused.summary).toMatch(/template attachment/);
    expect((await s.err('message_attachments_download', { thread_id: t.thread_id, attachment_id: tplAtt, output_path: 'x.pdf' })).summary).toMatch(/template attachment/);
    const threadAtt = s.workspaceDb.prepare(`SELECT attachment_id FROM message_attachments WHERE owner_kind = 'thread' LIMIT 1`).pluck().get() as string;
    expect((await s.err('message_template_attachments_delete_preview', { template_id: tpl.template_id, attachment_id: threadAtt })).summary).toMatch(/thread attachment/);
  });

  it('template attachments: list, upload (at most 2), download, delete on their own ids', async () => {
    const tpl = (await s.ok('message_templates_save', { name: 'With files', html_body: '<p>See attached.</p>' })).template_id;
    const a = await s.ok('message_template_attachments_upload', { template_id: tpl, content_base64: b64('one'), filename: 'one.pdf' });
    await s.ok('message_template_attachments_upload', { template_id: tpl, content_base64: b64('two'), filename: 'two.pdf' });
    expect((await s.err('message_template_attachments_upload', { template_id: tpl, content_base64: b64('3'), filename: 'three.pdf' })).error_code).toBe('LIMIT_EXCEEDED');
    const d = await s.ok('message_template_attachments_download', { template_id: tpl, attachment_id: a.attachment.attachment_id, output_path: 'tpl/one.pdf' });
    expect(readFileSync(join(s.app.files.root, d.path), 'utf8')).toBe('one');
    await s.previewApply('message_template_attachments_delete', { template_id: tpl, attachment_id: a.attachment.attachment_id });
    expect((await s.ok('message_templates_list', {})).items.find((x: any) => x.template_id === tpl).attachments.map((x: any) => x.file_name)).toEqual(['two.pdf']);
    const listed = await s.ok('message_template_attachments_list', { template_id: tpl });
    expect(listed).toMatchObject({ template_id: tpl, items: [{ file_name: 'two.pdf', size: 3 }] });
    expect((await s.err('message_template_attachments_list', { template_id: 'tpl_nope' })).error_code).toBe('NOT_FOUND');
  });

  it('an upload on a thread with a scheduled reply cancels it (the preview says so)', async () => {
    const t = (await list({ needs_reply: true })).items.find((x: any) => !x.scheduled_at && !x.has_draft);
    const at = new Date(Math.ceil(clock / 3_600_000) * 3_600_000 + 5 * 3_600_000).toISOString();
    await s.previewApply('message_schedule', { thread_id: t.thread_id, html_body: '<p>Scheduled.</p>', send_at: at });
    const args = { thread_id: t.thread_id, content_base64: b64('brief'), filename: 'brief.pdf' };
    const p = await s.ok('message_attachments_upload_preview', args);
    expect(p.effect).toMatchObject({ cancels_scheduled_send: true, scheduled_at: at });
    const a = await s.ok('message_attachments_upload_apply', { ...args, preview_token: p.preview_token });
    expect(a.result.cancelled_scheduled_send).toBe(true);
    expect(row(t.thread_id)).toMatchObject({ scheduled_at: null, draft_html: '<p>Scheduled.</p>' });
  });
});

describe('archive', () => {
  it('archives the whole conversation including sibling task threads', async () => {
    const { thread, sibling } = await pendingWithQuietSibling();
    const p = await s.ok('message_archive_preview', { thread_id: thread.thread_id });
    const ids = p.effect.threads.map((x: any) => x.thread_id);
    expect(ids).toEqual(expect.arrayContaining([thread.thread_id, sibling.thread_id]));
    expect(p.effect.will_archive_count).toBeGreaterThanOrEqual(2);
    const a = await s.ok('message_archive_apply', { thread_id: thread.thread_id, preview_token: p.preview_token });
    expect(a.result.archived_thread_ids.sort()).toEqual(
      p.effect.threads
        .filter((x: any) => !x.archived)
        .map((x: any) => x.thread_id)
        .sort(),
    );
    const visible = (await list({ creator_id: thread.creator_id })).total;
    expect(visible).toBe(0);
    expect((await list({ creator_id: thread.creator_id, archived: true })).total).toBe(ids.length);
    expect(existsSync(s.app.files.root)).toBe(true);
  });
});
