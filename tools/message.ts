// Message threads: follow-up on existing threads, replies, drafts, templates and attachments.
// Threads store no project or status columns: project_id is `<business_kind>:<business_id>` and
// the list statuses are derived (deal = the creator wrote last).
import { z } from 'zod';
import type { Catalog, Operation } from '../src/catalog.js';
import { defineOperation } from '../workspace/legacy.js';
import type { Workspace, WorkspaceJobs } from '../workspace/workspace.js';
import { invalid, notFound, ToolError } from '../src/errors.js';
import type { LoadedFile } from '../src/files.js';
import { COOP_STATUSES, MESSAGE_DIRECTIONS } from './vocabulary.js';
import { fileFields, getRow, id, inJson, loadFile, pageInput, pageQuery, paged, parseJsonList, sha256, Where } from './shared.js';

const HINT_THREAD = 'Thread ids come from message_list.';
const HINT_TEMPLATE = 'Template ids come from message_templates_list.';
const HINT_SENDER = 'Sender ids (sender_auth_id) are the workspace senders; a thread shows its own in message_get.';
const BUSINESS_KINDS = ['email_task', 'affiliate_campaign'] as const;
const MAX_ATTACHMENTS = 2;
const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
const SCHEDULED_SEND_JOB = 'message.scheduled_send';

interface ThreadRow {
  thread_id: string;
  creator_id: string;
  business_kind: string;
  business_id: string;
  owner_uid: string;
  sender_auth_id: string | null;
  subject: string;
  needs_reply: number;
  last_message_direction: string;
  pending_reason: string | null;
  unread: number;
  coop_status: string | null;
  archived: number;
  draft_html: string | null;
  draft_updated_at: string | null;
  scheduled_html: string | null;
  scheduled_at: string | null;
  scheduled_sender_auth_id: string | null;
  updated_at: string;
}

interface ListRow extends ThreadRow {
  nickname: string;
  platform: string;
  channel_url: string;
  label_ids_json: string;
  last_message_at: string | null;
  project_name: string | null;
}

interface AttachmentRow {
  attachment_id: string;
  owner_kind: 'thread' | 'template' | 'message';
  owner_id: string;
  file_name: string;
  size: number;
  sha256: string;
  content: Buffer;
  created_at: string;
}

const threadId = id(`The thread's id. ${HINT_THREAD}`);
const templateId = id(`The template's id. ${HINT_TEMPLATE}`);
const htmlBody = z.string().max(100_000).describe('Reply body as HTML; must contain visible text.');
const senderField = id(`sender_auth_id to send from; default the thread's sender. ${HINT_SENDER}`).optional();

const attachmentOut = z.object({ attachment_id: z.string(), file_name: z.string(), size: z.int(), created_at: z.string() });
type AttachmentOut = z.input<typeof attachmentOut>;

const threadOut = z.object({
  thread_id: z.string(),
  creator_id: z.string(),
  nickname: z.string(),
  platform: z.string(),
  channel_url: z.string(),
  project_id: z.string().describe('<business_kind>:<business_id>, for the project_ids filter.'),
  project_name: z.string().nullable(),
  business_kind: z.string(),
  business_id: z.string(),
  owner_uid: z.string().describe('user_uid of the task owner.'),
  subject: z.string(),
  needs_reply: z.boolean().describe('The thread is pending: decide follow-up from this, not from unread.'),
  last_message_direction: z.enum(MESSAGE_DIRECTIONS),
  pending_reason: z.string().nullable(),
  unread: z.boolean(),
  label_ids: z.array(z.string()),
  coop_status: z.string().nullable(),
  has_draft: z.boolean(),
  scheduled_at: z.string().nullable(),
  archived: z.boolean(),
  last_message_at: z.string().nullable(),
  updated_at: z.string(),
});
type ThreadOut = z.input<typeof threadOut>;

const LIST_SELECT = `t.*, c.nickname, c.platform, c.channel_url,
  (SELECT json_group_array(label_id) FROM (SELECT label_id FROM message_thread_labels l WHERE l.thread_id = t.thread_id ORDER BY label_id)) AS label_ids_json,
  (SELECT MAX(sent_at) FROM messages m WHERE m.thread_id = t.thread_id) AS last_message_at,
  CASE t.business_kind WHEN 'email_task' THEN (SELECT name FROM email_tasks WHERE task_id = t.business_id)
    ELSE (SELECT name FROM aff_campaigns WHERE campaign_id = t.business_id) END AS project_name`;
const LIST_FROM = 'FROM message_threads t JOIN creators c ON c.creator_id = t.creator_id';

const toThread = (r: ListRow): ThreadOut => ({
  thread_id: r.thread_id,
  creator_id: r.creator_id,
  nickname: r.nickname,
  platform: r.platform,
  channel_url: r.channel_url,
  project_id: `${r.business_kind}:${r.business_id}`,
  project_name: r.project_name,
  business_kind: r.business_kind,
  business_id: r.business_id,
  owner_uid: r.owner_uid,
  subject: r.subject,
  needs_reply: r.needs_reply === 1,
  last_message_direction: r.last_message_direction as (typeof MESSAGE_DIRECTIONS)[number],
  pending_reason: r.pending_reason,
  unread: r.unread === 1,
  label_ids: parseJsonList(r.label_ids_json),
  coop_status: r.coop_status,
  has_draft: r.draft_html !== null,
  scheduled_at: r.scheduled_at,
  archived: r.archived === 1,
  last_message_at: r.last_message_at,
  updated_at: r.updated_at,
});

export function loadThread(ws: Workspace, tid: string): ThreadRow {
  return getRow<ThreadRow>(ws, 'message_threads', 'thread_id', tid, 'message thread', `${HINT_THREAD} Starting a new thread is not offered: first outreach is an email task.`);
}

function threadView(ws: Workspace, tid: string): ThreadOut {
  loadThread(ws, tid);
  return toThread(ws.db.prepare(`SELECT ${LIST_SELECT} ${LIST_FROM} WHERE t.thread_id = ?`).get(tid) as ListRow);
}

function attachmentsOf(ws: Workspace, kind: AttachmentRow['owner_kind'], ownerId: string): AttachmentOut[] {
  return ws.db.prepare('SELECT attachment_id, file_name, size, created_at FROM message_attachments WHERE owner_kind = ? AND owner_id = ? ORDER BY created_at, rowid').all(kind, ownerId) as AttachmentOut[];
}

/** Visible text of an HTML body: tags dropped, common entities decoded, whitespace collapsed. */
export function visibleText(html: string): string {
  return html
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;|&#160;|&#xa0;|&zwnj;|&zwj;|&#8203;|\u200b|\u00a0/gi, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, ' ')
    .trim();
}

function requireVisible(html: string, field = 'html_body'): string {
  const text = visibleText(html);
  if (!text) {
    throw invalid(
      `${field} has no visible text (empty, whitespace, <p><br></p> or tags only). A reply must say something; pending state cannot be cleared by an empty reply.`,
      'Write the actual reply text. To leave a thread pending, send nothing; there is no tool that marks a thread or task handled.',
    );
  }
  return text;
}

function loadSender(ws: Workspace, thread: ThreadRow, sender: string | undefined): { sender_auth_id: string; email: string; name: string } {
  const sid = sender ?? thread.sender_auth_id;
  if (!sid) throw invalid(`Thread ${thread.thread_id} has no sender; give sender_auth_id.`, HINT_SENDER);
  const row = ws.db.prepare('SELECT sender_auth_id, email, name FROM senders WHERE sender_auth_id = ?').get(sid) as { sender_auth_id: string; email: string; name: string } | undefined;
  if (!row) throw notFound('workspace sender', sid, `${HINT_SENDER} Only the workspace's own senders can send.`);
  return row;
}

/** Whole-hour offsets only (Z, +08:00, -05:00), as the real scheduler accepts. */
function parseScheduleTime(value: string, now: Date): Date {
  const m = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-](\d{2}):(\d{2}))$/.exec(value);
  if (!m) throw invalid(`send_at ${JSON.stringify(value)} is not an ISO 8601 time with an offset.`, 'Use e.g. 2026-12-01T09:00:00+08:00 or 2026-12-01T01:00:00Z.');
  if (m[5] !== undefined && m[5] !== '00') throw invalid(`send_at offset ${m[3]} is not a whole hour.`, 'Use a whole-hour offset such as Z, +08:00 or -05:00, converting the time if needed.');
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) throw invalid(`send_at ${JSON.stringify(value)} is not a valid time.`, 'Check the date and time fields.');
  if (at.getTime() <= now.getTime()) throw invalid(`send_at ${value} is not in the future.`, 'Pick a later time, or send now with message_send_preview.');
  return at;
}


/** Siblings: every thread of the same creator (the whole conversation), this one included. */
function creatorThreads(ws: Workspace, creatorId: string): ListRow[] {
  return ws.db.prepare(`SELECT ${LIST_SELECT} ${LIST_FROM} WHERE t.creator_id = ? ORDER BY t.updated_at DESC, t.thread_id`).all(creatorId) as ListRow[];
}

/** Writes one outbound message; only this thread's reply state changes, siblings keep theirs. */
function deliverReply(ws: Workspace, thread: ThreadRow, html: string, senderId: string): { message_id: string; sent_at: string; attachment_ids: string[] } {
  const at = ws.now().toISOString();
  const messageId = ws.newId('msg');
  ws.db.prepare(`INSERT INTO messages (message_id, thread_id, direction, html_body, sender_auth_id, sent_at) VALUES (?, ?, 'outbound', ?, ?, ?)`).run(messageId, thread.thread_id, html, senderId, at);
  // The thread's draft files go out with the reply and then belong to the message.
  const attachmentIds = ws.db.prepare(`SELECT attachment_id FROM message_attachments WHERE owner_kind = 'thread' AND owner_id = ? ORDER BY created_at, rowid`).pluck().all(thread.thread_id) as string[];
  ws.db.prepare(`UPDATE message_attachments SET owner_kind = 'message', owner_id = ? WHERE owner_kind = 'thread' AND owner_id = ?`).run(messageId, thread.thread_id);
  ws.db
    .prepare(
      `UPDATE message_threads SET last_message_direction = 'outbound', needs_reply = 0, pending_reason = NULL, unread = 0,
         draft_html = NULL, draft_updated_at = NULL, scheduled_html = NULL, scheduled_at = NULL, scheduled_sender_auth_id = NULL, updated_at = ? WHERE thread_id = ?`,
    )
    .run(at, thread.thread_id);
  return { message_id: messageId, sent_at: at, attachment_ids: attachmentIds };
}

/** Clears a scheduled reply (its body goes back to the draft when there is none) and drops its job. */
function clearSchedule(ws: Workspace, thread: ThreadRow): boolean {
  if (thread.scheduled_at === null) return false;
  ws.db
    .prepare('UPDATE message_threads SET scheduled_html = NULL, scheduled_at = NULL, scheduled_sender_auth_id = NULL, draft_html = COALESCE(draft_html, ?), draft_updated_at = COALESCE(draft_updated_at, ?), updated_at = ? WHERE thread_id = ?')
    .run(thread.scheduled_html, ws.now().toISOString(), ws.now().toISOString(), thread.thread_id);
  // The job row lives in the same store; the job also re-checks the thread, so this is tidiness.
  const jobs = ws.db.prepare(`SELECT job_id FROM jobs WHERE kind = ? AND status = 'queued' AND json_extract(params_json, '$.thread_id') = ?`).pluck().all(SCHEDULED_SEND_JOB, thread.thread_id) as string[];
  for (const j of jobs) ws.jobs.cancel(j);
  return true;
}

function refuseIfScheduled(thread: ThreadRow): void {
  if (thread.scheduled_at !== null) {
    throw new ToolError('CONFLICT', `Thread ${thread.thread_id} already has a reply scheduled for ${thread.scheduled_at}.`, {
      hint: 'Cancel it with message_cancel first (its body returns to the draft), then send or schedule again.',
    });
  }
}

/** What a send or schedule will deliver: the approval state shown in the preview and bound into the token. */
function replyPlan(ws: Workspace, input: { thread_id: string; html_body: string; sender_auth_id?: string | undefined }) {
  const thread = loadThread(ws, input.thread_id);
  const text = requireVisible(input.html_body);
  refuseIfScheduled(thread);
  const sender = loadSender(ws, thread, input.sender_auth_id);
  const view = threadView(ws, thread.thread_id);
  const files = attachmentsOf(ws, 'thread', thread.thread_id);
  const siblings = creatorThreads(ws, thread.creator_id).filter((t) => t.thread_id !== thread.thread_id);
  const effect = {
    thread_id: thread.thread_id,
    project_id: view.project_id,
    creator: { creator_id: view.creator_id, nickname: view.nickname, channel_url: view.channel_url },
    sender,
    subject: thread.subject,
    body_sha256: sha256(input.html_body),
    body_text: text.slice(0, 300),
    attachments: files.map(({ attachment_id, file_name, size }) => ({ attachment_id, file_name, size })),
    current: { needs_reply: view.needs_reply, last_message_direction: view.last_message_direction, pending_reason: view.pending_reason },
    siblings_unchanged: siblings.map((s) => ({ thread_id: s.thread_id, project_id: `${s.business_kind}:${s.business_id}`, needs_reply: s.needs_reply === 1 })),
  };
  const state = {
    thread: {
      needs_reply: thread.needs_reply,
      last_message_direction: thread.last_message_direction,
      pending_reason: thread.pending_reason,
      scheduled_at: thread.scheduled_at,
      archived: thread.archived,
      last_message_at: view.last_message_at,
    },
    // Attachment ids name immutable files; the sender is bound by the address the person saw.
    attachments: files.map((f) => f.attachment_id),
    sender: [sender.sender_auth_id, sender.email, sender.name],
  };
  return { thread, sender, effect, state };
}

const replyEffect = z.object({
  thread_id: z.string(),
  project_id: z.string(),
  creator: z.object({ creator_id: z.string(), nickname: z.string(), channel_url: z.string() }),
  sender: z.object({ sender_auth_id: z.string(), email: z.string(), name: z.string() }),
  subject: z.string(),
  body_sha256: z.string(),
  body_text: z.string().describe('Visible text of the body (first 300 characters).'),
  attachments: z.array(z.object({ attachment_id: z.string(), file_name: z.string(), size: z.int() })).describe('Thread files that go out with the reply.'),
  current: z.object({ needs_reply: z.boolean(), last_message_direction: z.string(), pending_reason: z.string().nullable() }),
  siblings_unchanged: z.array(z.object({ thread_id: z.string(), project_id: z.string(), needs_reply: z.boolean() })).describe("The creator's other threads; they keep their own state."),
});

// ---------------------------------------------------------------------------------------------
// Attachments: thread and template files have their own ids; one kind is refused on the other path.

function loadAttachment(ws: Workspace, kind: 'thread' | 'template', ownerId: string, attachmentId: string, allowSent: boolean): AttachmentRow {
  const row = ws.db.prepare('SELECT * FROM message_attachments WHERE attachment_id = ?').get(attachmentId) as AttachmentRow | undefined;
  const listTool = kind === 'thread' ? 'message_attachments_list or message_get' : 'message_templates_list';
  if (!row) throw notFound(`${kind} attachment`, attachmentId, `Attachment ids come from ${listTool}.`);
  const other = row.owner_kind === 'template' ? 'template' : 'thread';
  if (other !== kind) {
    throw invalid(
      `${attachmentId} is a ${other} attachment; ${kind} attachment tools take only ${kind} attachment ids.`,
      other === 'template' ? 'Use message_template_attachments_* with its template_id.' : 'Use message_attachments_* with its thread_id.',
    );
  }
  const owned =
    row.owner_kind === 'message'
      ? allowSent && ws.db.prepare('SELECT 1 FROM messages WHERE message_id = ? AND thread_id = ?').get(row.owner_id, ownerId) !== undefined
      : row.owner_id === ownerId;
  if (!owned) {
    if (row.owner_kind === 'message' && !allowSent) throw invalid(`${attachmentId} went out with a sent message and cannot be removed.`, 'Only draft files (message_attachments_list) can be deleted.');
    throw notFound(`attachment of ${kind} ${ownerId}`, attachmentId, `Attachment ids come from ${listTool}.`);
  }
  return row;
}

function checkRoom(ws: Workspace, kind: 'thread' | 'template', ownerId: string): AttachmentOut[] {
  const existing = attachmentsOf(ws, kind, ownerId);
  if (existing.length >= MAX_ATTACHMENTS) {
    throw new ToolError('LIMIT_EXCEEDED', `${kind === 'thread' ? 'Thread' : 'Template'} ${ownerId} already has ${existing.length} attachments; at most ${MAX_ATTACHMENTS} are allowed.`, {
      hint: `Delete one first (message_${kind === 'thread' ? '' : 'template_'}attachments_delete_preview), then upload.`,
      details: { attachment_ids: existing.map((a) => a.attachment_id) },
    });
  }
  return existing;
}

function storeAttachment(ws: Workspace, kind: 'thread' | 'template', ownerId: string, file: LoadedFile): AttachmentOut {
  const att = { attachment_id: ws.newId('matt'), file_name: file.name, size: file.bytes.length, created_at: ws.now().toISOString() };
  ws.db
    .prepare('INSERT INTO message_attachments (attachment_id, owner_kind, owner_id, file_name, size, sha256, content, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
    .run(att.attachment_id, kind, ownerId, file.name, file.bytes.length, sha256(file.bytes), file.bytes, att.created_at);
  return att;
}

const uploadFields = fileFields(MAX_ATTACHMENT_BYTES);
const loadUpload = (ws: Workspace, input: { path?: string | undefined; content_base64?: string | undefined; filename?: string | undefined }): Promise<LoadedFile> =>
  Promise.resolve(loadFile(ws, input, { maxBytes: MAX_ATTACHMENT_BYTES }));
const downloadOut = z.object({ attachment_id: z.string(), file_name: z.string(), path: z.string().describe('Written file, relative to the files root.'), bytes: z.int() });
const outputPath = z.string().min(1).max(1024).describe('Where to write the file, relative to the files root; an existing file is refused.');

function download(ws: Workspace, att: AttachmentRow, path: string): z.input<typeof downloadOut> {
  const written = ws.files.writeOutput(path, att.content, false);
  return { attachment_id: att.attachment_id, file_name: att.file_name, path: written.path, bytes: written.bytes };
}

// ---------------------------------------------------------------------------------------------
// list filters

const listInput = z.strictObject({
  status: z.enum(['deal', 'unread', 'draft', 'scheduled']).optional().describe('deal: the creator wrote last; unread; draft or scheduled (these two need business_kind + business_id).'),
  business_kind: z.enum(BUSINESS_KINDS).optional().describe('Project kind, with business_id.'),
  business_id: id('Project id, e.g. an email task_id (email_task_list) or an affiliate campaign_id.').optional(),
  project_ids: z.array(z.string().regex(/^(email_task|affiliate_campaign):[^:\s]+$/, 'use <business_kind>:<business_id>')).min(1).max(50).optional().describe('Projects as <business_kind>:<business_id>, e.g. email_task:task_1820. Not with business_kind/id.'),
  creator_uids: z.array(z.string().min(1).max(128)).min(1).max(50).optional().describe('Task owners (user_uid from message_creator_filters).'),
  creator_id: id("Only this creator's threads.").optional(),
  label_id: id('Only threads with this CRM label (message_labels_list).').optional(),
  coop_status: z.enum(COOP_STATUSES).optional().describe('Only threads with this cooperation status.'),
  needs_reply: z.boolean().optional().describe('true: only threads waiting for our reply.'),
  archived: z.boolean().default(false).describe('true: list archived conversations instead.'),
  ...pageInput,
});

function listWhere(input: z.output<typeof listInput>): Where {
  if ((input.business_kind === undefined) !== (input.business_id === undefined)) {
    throw invalid('business_kind and business_id go together.', 'Give both (e.g. email_task + a task_id), or use project_ids.');
  }
  if (input.project_ids && input.business_kind) throw invalid('project_ids cannot be combined with business_kind/business_id.', 'Use one way of naming the project.');
  if ((input.status === 'draft' || input.status === 'scheduled') && !input.business_kind) {
    throw invalid(`status ${input.status} needs business_kind + business_id.`, 'Name the project, e.g. business_kind email_task and a task_id from email_task_list.');
  }
  const statusSql = { deal: `t.last_message_direction = 'inbound'`, unread: 't.unread = 1', draft: 't.draft_html IS NOT NULL', scheduled: 't.scheduled_at IS NOT NULL' } as const;
  return new Where()
    .add('t.archived = ?', input.archived ? 1 : 0)
    .maybe(input.status, input.status ? statusSql[input.status] : '')
    .maybe(input.business_kind, 't.business_kind = ? AND t.business_id = ?', input.business_kind, input.business_id)
    .maybe(input.project_ids, inJson(`t.business_kind || ':' || t.business_id`), JSON.stringify(input.project_ids ?? []))
    .maybe(input.creator_uids, inJson('t.owner_uid'), JSON.stringify(input.creator_uids ?? []))
    .maybe(input.creator_id, 't.creator_id = ?', input.creator_id)
    .maybe(input.label_id, 'EXISTS (SELECT 1 FROM message_thread_labels l WHERE l.thread_id = t.thread_id AND l.label_id = ?)', input.label_id)
    .maybe(input.coop_status, 't.coop_status = ?', input.coop_status)
    .maybe(input.needs_reply, 't.needs_reply = ?', input.needs_reply ? 1 : 0);
}

const countBy = (ws: Workspace, sql: string, ...params: unknown[]) => ws.db.prepare(sql).all(...params) as Record<string, string | number>[];

const template = z.object({ template_id: z.string(), name: z.string(), subject: z.string(), html_body: z.string(), attachments: z.array(attachmentOut), updated_at: z.string() });
interface TemplateRow {
  template_id: string;
  name: string;
  subject: string;
  html_body: string;
  updated_at: string;
}
const loadTemplate = (ws: Workspace, tid: string) => getRow<TemplateRow>(ws, 'message_templates', 'template_id', tid, 'message template', HINT_TEMPLATE);
const toTemplate = (ws: Workspace, r: TemplateRow): z.input<typeof template> => ({
  template_id: r.template_id,
  name: r.name,
  subject: r.subject,
  html_body: r.html_body,
  attachments: attachmentsOf(ws, 'template', r.template_id),
  updated_at: r.updated_at,
});

function touchThread(ws: Workspace, tid: string): void {
  ws.db.prepare('UPDATE message_threads SET updated_at = ? WHERE thread_id = ?').run(ws.now().toISOString(), tid);
}

// ---------------------------------------------------------------------------------------------

export const messageOperations: Operation[] = [
  defineOperation({
    name: 'message.list',
    toolset: 'message',
    title: 'List message threads',
    description:
      'Existing creator threads, newest first, with needs_reply, last_message_direction and pending_reason (decide follow-up from these, not unread). For an email task use project_ids ["email_task:<task_id>"]. New threads are not started here: first outreach is an email task.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/messages' },
    input: listInput,
    output: paged(threadOut),
    run: (ws, input) => {
      const w = listWhere(input);
      return pageQuery<ListRow, ThreadOut>(ws, { select: LIST_SELECT, from: `${LIST_FROM} ${w.sql}`, order: 't.updated_at DESC, t.thread_id', params: w.params }, input, toThread);
    },
  }),
  defineOperation({
    name: 'message.get',
    toolset: 'message',
    title: 'Get a message thread',
    description: 'One thread with its messages, draft, scheduled reply and draft files. Reading it marks it read (unread=false; nothing else changes).',
    // The only write is the unread flag, which no preview depends on (updated_at is left alone).
    kind: 'write',
    risk: 'low',
    hints: { idempotent: true },
    route: { method: 'GET', path: '/messages/:thread_id' },
    input: z.strictObject({ thread_id: threadId, max_messages: z.int().min(1).max(200).default(50).describe('Latest messages to return.') }),
    output: threadOut.extend({
      message_count: z.int(),
      messages: z.array(z.object({ message_id: z.string(), direction: z.string(), html_body: z.string(), sender_auth_id: z.string().nullable(), sent_at: z.string(), attachments: z.array(attachmentOut) })).describe('Oldest first.'),
      draft: z.object({ html_body: z.string(), updated_at: z.string().nullable() }).nullable(),
      scheduled: z.object({ html_body: z.string(), send_at: z.string(), sender_auth_id: z.string().nullable() }).nullable(),
      sender_auth_id: z.string().nullable(),
      attachments: z.array(attachmentOut).describe('Draft files that go out with the next reply.'),
    }),
    idsOf: (i) => [i.thread_id],
    run: (ws, input) => {
      const t = loadThread(ws, input.thread_id);
      ws.db.prepare('UPDATE message_threads SET unread = 0 WHERE thread_id = ?').run(t.thread_id);
      const count = ws.db.prepare('SELECT COUNT(*) FROM messages WHERE thread_id = ?').pluck().get(t.thread_id) as number;
      const msgs = (
        ws.db.prepare('SELECT message_id, direction, html_body, sender_auth_id, sent_at FROM messages WHERE thread_id = ? ORDER BY sent_at DESC, rowid DESC LIMIT ?').all(t.thread_id, input.max_messages) as {
          message_id: string;
          direction: string;
          html_body: string;
          sender_auth_id: string | null;
          sent_at: string;
        }[]
      ).reverse();
      return {
        ...threadView(ws, t.thread_id),
        message_count: count,
        messages: msgs.map((m) => ({ ...m, attachments: attachmentsOf(ws, 'message', m.message_id) })),
        draft: t.draft_html === null ? null : { html_body: t.draft_html, updated_at: t.draft_updated_at },
        scheduled: t.scheduled_at === null ? null : { html_body: t.scheduled_html ?? '', send_at: t.scheduled_at, sender_auth_id: t.scheduled_sender_auth_id },
        sender_auth_id: t.sender_auth_id,
        attachments: attachmentsOf(ws, 'thread', t.thread_id),
      };
    },
  }),
  defineOperation({
    name: 'message.projects',
    toolset: 'message',
    title: 'Sibling task threads of a creator',
    description: "Every thread of the same creator across projects (email tasks, affiliate campaigns) with each one's pending state; use it when a replied thread still shows pending work elsewhere.",
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/messages/:thread_id/projects' },
    input: z.strictObject({ thread_id: threadId }),
    output: z.object({ thread_id: z.string(), creator_id: z.string(), pending_count: z.int().describe('Threads with needs_reply true.'), items: z.array(threadOut) }),
    run: (ws, input) => {
      const t = loadThread(ws, input.thread_id);
      const items = creatorThreads(ws, t.creator_id).map(toThread);
      return { thread_id: t.thread_id, creator_id: t.creator_id, pending_count: items.filter((x) => x.needs_reply && !x.archived).length, items };
    },
  }),
  defineOperation({
    name: 'message.creator_filters',
    toolset: 'message',
    title: 'Task owners for message filters',
    description: 'Team members (user_uid) who own threads, with thread and needs-reply counts; pass user_uids as creator_uids to message_list or message_project_filters.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/messages/filters/creators' },
    input: z.strictObject({}),
    output: z.object({ items: z.array(z.object({ user_uid: z.string(), name: z.string(), role: z.string(), thread_count: z.int(), needs_reply_count: z.int() })) }),
    run: (ws) => ({
      items: countBy(
        ws,
        `SELECT m.user_uid, m.name, m.role, COUNT(t.thread_id) AS thread_count, COALESCE(SUM(t.needs_reply), 0) AS needs_reply_count
         FROM team_members m LEFT JOIN message_threads t ON t.owner_uid = m.user_uid AND t.archived = 0 GROUP BY m.user_uid ORDER BY m.user_uid`,
      ) as { user_uid: string; name: string; role: string; thread_count: number; needs_reply_count: number }[],
    }),
  }),
  defineOperation({
    name: 'message.project_filters',
    toolset: 'message',
    title: 'Projects for message filters',
    description: 'Projects that have threads (project_id = <business_kind>:<business_id>), optionally of given task owners (creator_uids), with thread and needs-reply counts.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/messages/filters/projects' },
    input: z.strictObject({ creator_uids: z.array(z.string().min(1).max(128)).min(1).max(50).optional().describe('Task owners (user_uid from message_creator_filters).') }),
    output: z.object({
      items: z.array(z.object({ project_id: z.string(), business_kind: z.string(), business_id: z.string(), name: z.string().nullable(), owner_uids: z.array(z.string()), thread_count: z.int(), needs_reply_count: z.int() })),
    }),
    run: (ws, input) => {
      const w = new Where().add('t.archived = 0').maybe(input.creator_uids, inJson('t.owner_uid'), JSON.stringify(input.creator_uids ?? []));
      const rows = ws.db
        .prepare(
          `SELECT t.business_kind, t.business_id, json_group_array(DISTINCT t.owner_uid) AS owners, COUNT(*) AS thread_count, SUM(t.needs_reply) AS needs_reply_count,
             CASE t.business_kind WHEN 'email_task' THEN (SELECT name FROM email_tasks WHERE task_id = t.business_id) ELSE (SELECT name FROM aff_campaigns WHERE campaign_id = t.business_id) END AS name
           FROM message_threads t ${w.sql} GROUP BY t.business_kind, t.business_id ORDER BY t.business_kind, t.business_id`,
        )
        .all(...w.params) as { business_kind: string; business_id: string; owners: string; thread_count: number; needs_reply_count: number; name: string | null }[];
      return { items: rows.map(({ owners, ...r }) => ({ ...r, project_id: `${r.business_kind}:${r.business_id}`, owner_uids: (JSON.parse(owners) as string[]).sort() })) };
    },
  }),
  defineOperation({
    name: 'message.labels_list',
    toolset: 'message',
    title: 'Message labels',
    description: 'The CRM labels usable on threads (label_id for message_list and message_labels_set), with thread counts.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/messages/labels' },
    input: z.strictObject({}),
    output: z.object({ items: z.array(z.object({ label_id: z.string(), name: z.string(), color: z.string(), thread_count: z.int() })) }),
    run: (ws) => ({
      items: countBy(
        ws,
        `SELECT l.label_id, l.name, l.color, COUNT(t.thread_id) AS thread_count FROM crm_labels l
         LEFT JOIN message_thread_labels tl ON tl.label_id = l.label_id LEFT JOIN message_threads t ON t.thread_id = tl.thread_id AND t.archived = 0
         GROUP BY l.label_id ORDER BY l.name, l.label_id`,
      ) as { label_id: string; name: string; color: string; thread_count: number }[],
    }),
  }),
  defineOperation({
    name: 'message.coop_statuses',
    toolset: 'message',
    title: 'Cooperation statuses',
    description: 'The cooperation statuses (coop_status values for message_list and message_coop_set) with thread counts.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/messages/coop-statuses' },
    input: z.strictObject({}),
    output: z.object({ items: z.array(z.object({ coop_status: z.string(), thread_count: z.int() })) }),
    run: (ws) => {
      const counts = new Map(countBy(ws, 'SELECT coop_status, COUNT(*) AS n FROM message_threads WHERE archived = 0 AND coop_status IS NOT NULL GROUP BY coop_status').map((r) => [r.coop_status as string, r.n as number]));
      return { items: COOP_STATUSES.map((s) => ({ coop_status: s, thread_count: counts.get(s) ?? 0 })) };
    },
  }),
  defineOperation({
    name: 'message.labels_set',
    toolset: 'message',
    title: 'Set thread labels',
    description: "Replaces one thread's labels with label_ids (CRM labels from message_labels_list); [] clears them.",
    kind: 'write',
    risk: 'low',
    hints: { idempotent: true },
    route: { method: 'PUT', path: '/messages/:thread_id/labels' },
    input: z.strictObject({ thread_id: threadId, label_ids: z.array(z.string().min(1).max(128)).max(20).describe('The full new set of label ids.') }),
    output: z.object({ thread_id: z.string(), label_ids: z.array(z.string()), summary: z.string() }),
    idsOf: (i) => [i.thread_id],
    run: (ws, input) => {
      loadThread(ws, input.thread_id);
      const wanted = [...new Set(input.label_ids)].sort();
      const known = new Set(ws.db.prepare(`SELECT label_id FROM crm_labels WHERE ${inJson('label_id')}`).pluck().all(JSON.stringify(wanted)) as string[]);
      const missing = wanted.filter((l) => !known.has(l));
      if (missing.length) throw notFound('label', missing.join(', '), 'Label ids come from message_labels_list (they are CRM labels).');
      ws.db.prepare('DELETE FROM message_thread_labels WHERE thread_id = ?').run(input.thread_id);
      ws.db.prepare('INSERT INTO message_thread_labels (thread_id, label_id) SELECT ?, value FROM json_each(?)').run(input.thread_id, JSON.stringify(wanted));
      touchThread(ws, input.thread_id);
      return { thread_id: input.thread_id, label_ids: wanted, summary: `Thread ${input.thread_id} now has ${wanted.length} label(s).` };
    },
  }),
  defineOperation({
    name: 'message.coop_set',
    toolset: 'message',
    title: 'Set thread cooperation status',
    description: "Sets one thread's cooperation status (values from message_coop_statuses). The creator's CRM channel is not changed.",
    kind: 'write',
    risk: 'low',
    hints: { idempotent: true },
    route: { method: 'PUT', path: '/messages/:thread_id/coop-status' },
    input: z.strictObject({ thread_id: threadId, coop_status: z.enum(COOP_STATUSES).describe('New cooperation status.') }),
    output: z.object({ thread_id: z.string(), coop_status: z.string(), previous: z.string().nullable(), summary: z.string() }),
    idsOf: (i) => [i.thread_id],
    run: (ws, input) => {
      const t = loadThread(ws, input.thread_id);
      ws.db.prepare('UPDATE message_threads SET coop_status = ?, updated_at = ? WHERE thread_id = ?').run(input.coop_status, ws.now().toISOString(), t.thread_id);
      return { thread_id: t.thread_id, coop_status: input.coop_status, previous: t.coop_status, summary: `Thread ${t.thread_id} cooperation status: ${t.coop_status ?? 'none'} → ${input.coop_status}.` };
    },
  }),
  defineOperation({
    name: 'message.draft_save',
    toolset: 'message',
    title: 'Save a reply draft',
    description: 'Saves (replaces) the reply draft of one thread; null clears it. Nothing is sent: send with message_send_preview.',
    kind: 'write',
    risk: 'low',
    hints: { idempotent: true },
    route: { method: 'PUT', path: '/messages/:thread_id/draft' },
    input: z.strictObject({ thread_id: threadId, html_body: htmlBody.nullable().describe('Draft HTML; null clears the draft.') }),
    output: z.object({ thread_id: z.string(), has_draft: z.boolean(), draft_updated_at: z.string().nullable(), summary: z.string() }),
    idsOf: (i) => [i.thread_id],
    run: (ws, input) => {
      const t = loadThread(ws, input.thread_id);
      if (input.html_body !== null) requireVisible(input.html_body);
      const at = ws.now().toISOString();
      const when = input.html_body === null ? null : at;
      ws.db.prepare('UPDATE message_threads SET draft_html = ?, draft_updated_at = ?, updated_at = ? WHERE thread_id = ?').run(input.html_body, when, at, t.thread_id);
      return { thread_id: t.thread_id, has_draft: input.html_body !== null, draft_updated_at: when, summary: input.html_body === null ? `Cleared the draft of ${t.thread_id}.` : `Saved the draft of ${t.thread_id}.` };
    },
  }),
  defineOperation({
    name: 'message.templates_list',
    toolset: 'message',
    title: 'List reply templates',
    description: 'Reply templates with their bodies and template attachments (template_id for message_templates_use).',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/messages/templates' },
    input: z.strictObject({}),
    output: z.object({ items: z.array(template) }),
    run: (ws) => ({ items: (ws.db.prepare('SELECT * FROM message_templates ORDER BY name, template_id').all() as TemplateRow[]).map((r) => toTemplate(ws, r)) }),
  }),
  defineOperation({
    name: 'message.templates_save',
    toolset: 'message',
    title: 'Save a reply template',
    description: 'Creates a reply template, or updates one when template_id is given (omitted fields stay).',
    kind: 'write',
    risk: 'low',
    route: { method: 'PUT', path: '/messages/templates' },
    input: z.strictObject({
      template_id: id(`Template to update. ${HINT_TEMPLATE}`).optional(),
      name: z.string().trim().min(1).max(200).optional().describe('Template name (required to create).'),
      subject: z.string().max(500).optional().describe('Subject line.'),
      html_body: htmlBody.optional().describe('Template HTML with visible text (required to create).'),
    }),
    output: template,
    idsOf: (_i, o) => [o.template_id],
    run: (ws, input) => {
      if (input.html_body !== undefined) requireVisible(input.html_body);
      const at = ws.now().toISOString();
      if (input.template_id) {
        const r = loadTemplate(ws, input.template_id);
        ws.db
          .prepare('UPDATE message_templates SET name = ?, subject = ?, html_body = ?, updated_at = ? WHERE template_id = ?')
          .run(input.name ?? r.name, input.subject ?? r.subject, input.html_body ?? r.html_body, at, r.template_id);
        return toTemplate(ws, loadTemplate(ws, r.template_id));
      }
      if (!input.name || input.html_body === undefined) throw invalid('A new template needs name and html_body.', 'Give both, or pass template_id to update an existing template.');
      const tid = ws.newId('tpl');
      ws.db.prepare('INSERT INTO message_templates (template_id, name, subject, html_body, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)').run(tid, input.name, input.subject ?? '', input.html_body, at, at);
      return toTemplate(ws, loadTemplate(ws, tid));
    },
  }),
  defineOperation({
    name: 'message.templates_use',
    toolset: 'message',
    title: 'Use a template as the draft',
    description: "Puts a template's body into one thread's reply draft (replacing it). Template files are not copied; nothing is sent.",
    kind: 'write',
    risk: 'low',
    hints: { idempotent: true },
    route: { method: 'POST', path: '/messages/:thread_id/use-template' },
    input: z.strictObject({ thread_id: threadId, template_id: templateId }),
    output: z.object({ thread_id: z.string(), template_id: z.string(), replaced_draft: z.boolean(), draft_html: z.string(), template_attachments: z.array(attachmentOut), summary: z.string() }),
    idsOf: (i) => [i.thread_id],
    run: (ws, input) => {
      const t = loadThread(ws, input.thread_id);
      const tpl = loadTemplate(ws, input.template_id);
      const at = ws.now().toISOString();
      ws.db.prepare('UPDATE message_threads SET draft_html = ?, draft_updated_at = ?, updated_at = ? WHERE thread_id = ?').run(tpl.html_body, at, at, t.thread_id);
      return {
        thread_id: t.thread_id,
        template_id: tpl.template_id,
        replaced_draft: t.draft_html !== null,
        draft_html: tpl.html_body,
        template_attachments: attachmentsOf(ws, 'template', tpl.template_id),
        summary: `The draft of ${t.thread_id} is now template "${tpl.name}".`,
      };
    },
  }),
  defineOperation({
    name: 'message.archive',
    toolset: 'message',
    title: 'Archive a conversation',
    description: "Archives the creator's whole conversation: this thread and every sibling task thread (listed in the preview); scheduled replies in them are cancelled. Only on explicit request; not a CRM archive.",
    kind: 'write',
    risk: 'high',
    confirm: true,
    hints: { destructive: false, idempotent: true },
    route: { method: 'POST', path: '/messages/:thread_id/archive' },
    input: z.strictObject({ thread_id: threadId }),
    output: z.object({ creator_id: z.string(), archived_thread_ids: z.array(z.string()), cancelled_scheduled: z.int(), summary: z.string() }),
    idsOf: (_i, o) => o.archived_thread_ids,
    preview: {
      effect: z.object({
        creator_id: z.string(),
        will_archive_count: z.int(),
        already_archived_count: z.int(),
        pending_count: z.int().describe('Threads still needing a reply that will be hidden.'),
        will_cancel_scheduled_count: z.int(),
        threads: z.array(threadOut.pick({ thread_id: true, project_id: true, project_name: true, needs_reply: true, scheduled_at: true, archived: true })),
      }),
      read: (ws, input) => {
        const t = loadThread(ws, input.thread_id);
        const all = creatorThreads(ws, t.creator_id).map(toThread);
        const open = all.filter((x) => !x.archived);
        return {
          effect: {
            creator_id: t.creator_id,
            will_archive_count: open.length,
            already_archived_count: all.length - open.length,
            pending_count: open.filter((x) => x.needs_reply).length,
            will_cancel_scheduled_count: open.filter((x) => x.scheduled_at !== null).length,
            threads: all.map(({ thread_id, project_id, project_name, needs_reply, scheduled_at, archived }) => ({ thread_id, project_id, project_name, needs_reply, scheduled_at, archived })),
          },
          state: { threads: all.map((x) => [x.thread_id, x.archived, x.updated_at]) },
          summary: `Archive the whole conversation with creator ${t.creator_id}: ${open.length} thread(s) (${open.filter((x) => x.needs_reply).length} still need a reply).`,
        };
      },
    },
    run: (ws, input) => {
      const t = loadThread(ws, input.thread_id);
      const open = (ws.db.prepare('SELECT * FROM message_threads WHERE creator_id = ? AND archived = 0 ORDER BY thread_id').all(t.creator_id) as ThreadRow[]);
      let cancelled = 0;
      for (const x of open) if (clearSchedule(ws, x)) cancelled++;
      ws.db.prepare(`UPDATE message_threads SET archived = 1, updated_at = ? WHERE ${inJson('thread_id')}`).run(ws.now().toISOString(), JSON.stringify(open.map((x) => x.thread_id)));
      return { creator_id: t.creator_id, archived_thread_ids: open.map((x) => x.thread_id), cancelled_scheduled: cancelled, summary: `Archived ${open.length} thread(s) of creator ${t.creator_id}.` };
    },
  }),

  // ----- replies -----
  defineOperation({
    name: 'message.send',
    toolset: 'message',
    title: 'Send a reply',
    description:
      'Sends a reply on an existing thread_id (from message_list) with its draft files; sets that thread outbound and needs_reply false, siblings keep theirs. No new threads (use an email task) and no mark-handled: a thread stops pending only by a real reply.',
    kind: 'write',
    risk: 'high',
    confirm: true,
    hints: { destructive: true, openWorld: true },
    route: { method: 'POST', path: '/messages/:thread_id/send' },
    input: z.strictObject({ thread_id: threadId, html_body: htmlBody, sender_auth_id: senderField }),
    output: z.object({ thread_id: z.string(), message_id: z.string(), sent_at: z.string(), sender_auth_id: z.string(), attachment_ids: z.array(z.string()), needs_reply: z.boolean(), last_message_direction: z.string(), summary: z.string() }),
    idsOf: (i, o) => [i.thread_id, o.message_id],
    preview: {
      effect: replyEffect,
      read: (ws, input) => {
        const p = replyPlan(ws, input);
        return { effect: p.effect, state: p.state, summary: `Send a reply to ${p.effect.creator.nickname} on thread ${p.thread.thread_id} from ${p.sender.email} with ${p.effect.attachments.length} attachment(s).` };
      },
    },
    run: (ws, input) => {
      const p = replyPlan(ws, input);
      const sent = deliverReply(ws, p.thread, input.html_body, p.sender.sender_auth_id);
      return { thread_id: p.thread.thread_id, ...sent, sender_auth_id: p.sender.sender_auth_id, needs_reply: false, last_message_direction: 'outbound', summary: `Sent the reply on ${p.thread.thread_id}.` };
    },
  }),
  defineOperation({
    name: 'message.schedule',
    toolset: 'message',
    title: 'Schedule a reply',
    description: 'Schedules a reply on an existing thread_id for send_at (ISO 8601, whole-hour offset such as Z or +08:00); it goes out with the thread files at that time. Cancel with message_cancel.',
    kind: 'write',
    risk: 'high',
    confirm: true,
    hints: { destructive: false, openWorld: true },
    route: { method: 'POST', path: '/messages/:thread_id/schedule' },
    input: z.strictObject({ thread_id: threadId, html_body: htmlBody, send_at: z.string().max(40).describe('ISO 8601 time in the future with a whole-hour offset.'), sender_auth_id: senderField }),
    output: z.object({ thread_id: z.string(), scheduled_at: z.string(), sender_auth_id: z.string(), job_id: z.string(), summary: z.string() }),
    idsOf: (i) => [i.thread_id],
    preview: {
      effect: replyEffect.extend({ send_at: z.string().describe('UTC time the reply goes out.') }),
      read: (ws, input) => {
        const at = parseScheduleTime(input.send_at, ws.now());
        const p = replyPlan(ws, input);
        return {
          effect: { ...p.effect, send_at: at.toISOString() },
          state: p.state,
          summary: `Schedule a reply to ${p.effect.creator.nickname} on thread ${p.thread.thread_id} for ${at.toISOString()} from ${p.sender.email}.`,
        };
      },
    },
    run: (ws, input) => {
      const at = parseScheduleTime(input.send_at, ws.now()).toISOString();
      const p = replyPlan(ws, input);
      ws.db
        .prepare('UPDATE message_threads SET scheduled_html = ?, scheduled_at = ?, scheduled_sender_auth_id = ?, updated_at = ? WHERE thread_id = ?')
        .run(input.html_body, at, p.sender.sender_auth_id, ws.now().toISOString(), p.thread.thread_id);
      const jobId = ws.jobs.enqueue(SCHEDULED_SEND_JOB, { thread_id: p.thread.thread_id, scheduled_at: at }, new Date(at));
      return { thread_id: p.thread.thread_id, scheduled_at: at, sender_auth_id: p.sender.sender_auth_id, job_id: jobId, summary: `Scheduled the reply on ${p.thread.thread_id} for ${at}.` };
    },
  }),
  defineOperation({
    name: 'message.cancel',
    toolset: 'message',
    title: 'Cancel a scheduled reply',
    description: "Cancels one thread's scheduled reply; its body becomes the draft when the thread has none.",
    kind: 'write',
    risk: 'low',
    hints: { idempotent: true },
    route: { method: 'POST', path: '/messages/:thread_id/cancel' },
    input: z.strictObject({ thread_id: threadId }),
    output: z.object({ thread_id: z.string(), cancelled: z.boolean(), was_scheduled_at: z.string().nullable(), summary: z.string() }),
    idsOf: (i) => [i.thread_id],
    run: (ws, input) => {
      const t = loadThread(ws, input.thread_id);
      const cancelled = clearSchedule(ws, t);
      return { thread_id: t.thread_id, cancelled, was_scheduled_at: t.scheduled_at, summary: cancelled ? `Cancelled the reply scheduled for ${t.scheduled_at}.` : `Thread ${t.thread_id} had no scheduled reply.` };
    },
  }),

  // ----- thread attachments -----
  defineOperation({
    name: 'message.attachments_list',
    toolset: 'message',
    title: 'List thread attachments',
    description: `Draft files of one thread (at most ${MAX_ATTACHMENTS}); they go out with the next reply.`,
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/messages/:thread_id/attachments' },
    input: z.strictObject({ thread_id: threadId }),
    output: z.object({ thread_id: z.string(), items: z.array(attachmentOut) }),
    run: (ws, input) => ({ thread_id: loadThread(ws, input.thread_id).thread_id, items: attachmentsOf(ws, 'thread', input.thread_id) }),
  }),
  defineOperation({
    name: 'message.attachments_upload',
    toolset: 'message',
    title: 'Upload a thread attachment',
    description: `Attaches a file (path in the files root, or content_base64 + filename) to one thread for the next reply: at most ${MAX_ATTACHMENTS} per thread, 10 MB each, no executables. Cancels a scheduled reply of the thread.`,
    kind: 'write',
    risk: 'high',
    hints: { destructive: false },
    route: { method: 'POST', path: '/messages/:thread_id/attachments' },
    input: z.strictObject({ thread_id: threadId, ...uploadFields }),
    output: z.object({ thread_id: z.string(), attachment: attachmentOut, cancelled_scheduled_send: z.boolean(), summary: z.string() }),
    idsOf: (i, o) => [i.thread_id, o.attachment.attachment_id],
    load: (ws, input) => loadUpload(ws, input),
    preview: {
      effect: z.object({ thread_id: z.string(), file_name: z.string(), size: z.int(), sha256: z.string(), existing_count: z.int(), cancels_scheduled_send: z.boolean(), scheduled_at: z.string().nullable() }),
      read: (ws, input, _call, file) => {
        const t = loadThread(ws, input.thread_id);
        const existing = checkRoom(ws, 'thread', t.thread_id);
        return {
          effect: { thread_id: t.thread_id, file_name: file.name, size: file.bytes.length, sha256: sha256(file.bytes), existing_count: existing.length, cancels_scheduled_send: t.scheduled_at !== null, scheduled_at: t.scheduled_at },
          state: { attachments: existing.map((a) => a.attachment_id), scheduled_at: t.scheduled_at },
          summary: `Attach ${file.name} to thread ${t.thread_id}${t.scheduled_at ? `; this cancels the reply scheduled for ${t.scheduled_at}` : ''}.`,
        };
      },
    },
    run: (ws, input, _call, file) => {
      const t = loadThread(ws, input.thread_id);
      checkRoom(ws, 'thread', t.thread_id);
      const cancelled = clearSchedule(ws, t);
      const att = storeAttachment(ws, 'thread', t.thread_id, file);
      touchThread(ws, t.thread_id);
      return { thread_id: t.thread_id, attachment: att, cancelled_scheduled_send: cancelled, summary: `Attached ${att.file_name} (${att.attachment_id}) to ${t.thread_id}${cancelled ? '; the scheduled reply was cancelled, schedule it again' : ''}.` };
    },
  }),
  defineOperation({
    name: 'message.attachments_download',
    toolset: 'message',
    title: 'Download a thread attachment',
    description: "Writes one attachment of a thread (a draft file or one of its sent messages') to output_path in the files root.",
    kind: 'write',
    risk: 'low',
    route: { method: 'POST', path: '/messages/:thread_id/attachments/:attachment_id/download' },
    input: z.strictObject({ thread_id: threadId, attachment_id: id('Thread attachment id (message_attachments_list or message_get).'), output_path: outputPath }),
    output: downloadOut,
    run: (ws, input) => {
      loadThread(ws, input.thread_id);
      return download(ws, loadAttachment(ws, 'thread', input.thread_id, input.attachment_id, true), input.output_path);
    },
  }),
  defineOperation({
    name: 'message.attachments_delete',
    toolset: 'message',
    title: 'Delete a thread attachment',
    description: 'Removes one draft file from a thread. Cancels a scheduled reply of the thread.',
    kind: 'write',
    risk: 'high',
    confirm: true,
    route: { method: 'DELETE', path: '/messages/:thread_id/attachments/:attachment_id' },
    input: z.strictObject({ thread_id: threadId, attachment_id: id('Thread attachment id (message_attachments_list).') }),
    output: z.object({ thread_id: z.string(), attachment_id: z.string(), deleted: z.boolean(), cancelled_scheduled_send: z.boolean(), summary: z.string() }),
    idsOf: (i) => [i.thread_id, i.attachment_id],
    preview: {
      effect: z.object({ thread_id: z.string(), attachment: attachmentOut, cancels_scheduled_send: z.boolean(), scheduled_at: z.string().nullable() }),
      read: (ws, input) => {
        const t = loadThread(ws, input.thread_id);
        const a = loadAttachment(ws, 'thread', t.thread_id, input.attachment_id, false);
        return {
          effect: { thread_id: t.thread_id, attachment: { attachment_id: a.attachment_id, file_name: a.file_name, size: a.size, created_at: a.created_at }, cancels_scheduled_send: t.scheduled_at !== null, scheduled_at: t.scheduled_at },
          state: { attachment: a.attachment_id, owner: a.owner_id, scheduled_at: t.scheduled_at },
          summary: `Delete ${a.file_name} from thread ${t.thread_id}${t.scheduled_at ? `; this cancels the reply scheduled for ${t.scheduled_at}` : ''}.`,
        };
      },
    },
    run: (ws, input) => {
      const t = loadThread(ws, input.thread_id);
      loadAttachment(ws, 'thread', t.thread_id, input.attachment_id, false);
      const cancelled = clearSchedule(ws, t);
      ws.db.prepare('DELETE FROM message_attachments WHERE attachment_id = ?').run(input.attachment_id);
      touchThread(ws, t.thread_id);
      return { thread_id: t.thread_id, attachment_id: input.attachment_id, deleted: true, cancelled_scheduled_send: cancelled, summary: `Deleted ${input.attachment_id} from ${t.thread_id}.` };
    },
  }),

  // ----- template attachments (their own ids) -----
  defineOperation({
    name: 'message.template_attachments_upload',
    toolset: 'message',
    title: 'Upload a template attachment',
    description: `Attaches a file (path in the files root, or content_base64 + filename) to one reply template: at most ${MAX_ATTACHMENTS}, 10 MB each, no executables.`,
    kind: 'write',
    risk: 'low',
    route: { method: 'POST', path: '/messages/templates/:template_id/attachments' },
    input: z.strictObject({ template_id: templateId, ...uploadFields }),
    output: z.object({ template_id: z.string(), attachment: attachmentOut, summary: z.string() }),
    idsOf: (i, o) => [i.template_id, o.attachment.attachment_id],
    load: (ws, input) => loadUpload(ws, input),
    run: (ws, input, _call, file) => {
      const tpl = loadTemplate(ws, input.template_id);
      checkRoom(ws, 'template', tpl.template_id);
      const att = storeAttachment(ws, 'template', tpl.template_id, file);
      ws.db.prepare('UPDATE message_templates SET updated_at = ? WHERE template_id = ?').run(ws.now().toISOString(), tpl.template_id);
      return { template_id: tpl.template_id, attachment: att, summary: `Attached ${att.file_name} (${att.attachment_id}) to template ${tpl.template_id}.` };
    },
  }),
  defineOperation({
    name: 'message.template_attachments_download',
    toolset: 'message',
    title: 'Download a template attachment',
    description: 'Writes one template attachment to output_path in the files root.',
    kind: 'write',
    risk: 'low',
    route: { method: 'POST', path: '/messages/templates/:template_id/attachments/:attachment_id/download' },
    input: z.strictObject({ template_id: templateId, attachment_id: id('Template attachment id (message_templates_list).'), output_path: outputPath }),
    output: downloadOut,
    run: (ws, input) => {
      loadTemplate(ws, input.template_id);
      return download(ws, loadAttachment(ws, 'template', input.template_id, input.attachment_id, false), input.output_path);
    },
  }),
  defineOperation({
    name: 'message.template_attachments_delete',
    toolset: 'message',
    title: 'Delete a template attachment',
    description: 'Removes one attachment from a reply template.',
    kind: 'write',
    risk: 'high',
    confirm: true,
    route: { method: 'DELETE', path: '/messages/templates/:template_id/attachments/:attachment_id' },
    input: z.strictObject({ template_id: templateId, attachment_id: id('Template attachment id (message_templates_list).') }),
    output: z.object({ template_id: z.string(), attachment_id: z.string(), deleted: z.boolean(), summary: z.string() }),
    idsOf: (i) => [i.template_id, i.attachment_id],
    preview: {
      effect: z.object({ template_id: z.string(), attachment: attachmentOut }),
      read: (ws, input) => {
        loadTemplate(ws, input.template_id);
        const a = loadAttachment(ws, 'template', input.template_id, input.attachment_id, false);
        return {
          effect: { template_id: input.template_id, attachment: { attachment_id: a.attachment_id, file_name: a.file_name, size: a.size, created_at: a.created_at } },
          state: { attachment: a.attachment_id, owner: a.owner_id },
          summary: `Delete ${a.file_name} from template ${input.template_id}.`,
        };
      },
    },
    run: (ws, input) => {
      loadAttachment(ws, 'template', input.template_id, input.attachment_id, false);
      ws.db.prepare('DELETE FROM message_attachments WHERE attachment_id = ?').run(input.attachment_id);
      ws.db.prepare('UPDATE message_templates SET updated_at = ? WHERE template_id = ?').run(ws.now().toISOString(), input.template_id);
      return { template_id: input.template_id, attachment_id: input.attachment_id, deleted: true, summary: `Deleted ${input.attachment_id} from template ${input.template_id}.` };
    },
  }),
];

/** The scheduled reply fires at its time; a cancelled or replaced schedule makes the job a no-op. */
export const messageJobs: WorkspaceJobs = {
  [SCHEDULED_SEND_JOB]: (ws) => async (params) => {
    const tid = String(params.thread_id);
    return ws.db
      .transaction(() => {
        const t = ws.db.prepare('SELECT * FROM message_threads WHERE thread_id = ?').get(tid) as ThreadRow | undefined;
        if (!t || t.scheduled_at === null || t.scheduled_at !== params.scheduled_at || t.scheduled_html === null) return { sent: false, reason: 'no longer scheduled' };
        const sender = t.scheduled_sender_auth_id ?? t.sender_auth_id ?? '';
        return { sent: true, ...deliverReply(ws, t, t.scheduled_html, sender) };
      })
      .immediate();
  },
};
