// Email tasks as the workspace stores them: rows, loading, the edit guard, what a task holds, the
// view email_get shows, and the queued jobs of a schedule. Every email family builds on these.
import type { z } from 'zod';
import { ToolError } from '../../src/errors.js';
import { WHERE } from '../../tools/hints.js';
import { RECIPIENT_STATUSES, type EMAIL_TASK_STATUSES } from '../../tools/vocabulary.js';
import type { collaborator, Filter, listRow, productCard, productCardDetail, sender, statusCounts, taskView } from '../../tools/email/schemas.js';
import { getRow, pageQuery, type Where } from '../shared.js';
import type { Workspace } from '../workspace.js';

/** The stored filter; `hide_grouped` (older tasks) means the same as hide_in_crm. */
export function readFilter(json: string): Filter {
  const raw = JSON.parse(json || '{}') as Record<string, unknown>;
  const f: Filter = {};
  if (raw.hide_contacted === true) f.hide_contacted = true;
  if (raw.hide_in_crm === true || raw.hide_grouped === true) f.hide_in_crm = true;
  if (typeof raw.hide_in_collection === 'string') f.hide_in_collection = raw.hide_in_collection;
  if (Array.isArray(raw.hide_in_other_task) && raw.hide_in_other_task.length) f.hide_in_other_task = raw.hide_in_other_task as string[];
  return f;
}

export const JOB_SCHEDULED_SEND = 'email.scheduled_send';
export const JOB_REPLIES = 'email.replies';

export interface TaskRow {
  task_id: string;
  type: number;
  name: string;
  status: (typeof EMAIL_TASK_STATUSES)[number];
  owner_uid: string;
  campaign_id: string | null;
  sender_auth_id: string | null;
  subject: string;
  html_body: string;
  text_body: string;
  plan_send_at: string | null;
  recipient_filter_json: string;
  created_at: string;
  updated_at: string;
  sent_at: string | null;
}

export interface RecipientRow {
  recipient_id: string;
  task_id: string;
  creator_id: string | null;
  platform: string | null;
  channel_id: string | null;
  email_address: string | null;
  status: (typeof RECIPIENT_STATUSES)[number];
  filtered_reason: string | null;
  opened: number;
  clicked: number;
  reply_count: number;
  sent_at: string | null;
  added_at: string;
}

export interface AttachmentRow {
  attachment_id: string;
  task_id: string;
  file_name: string;
  size: number;
  sha256: string;
  created_at: string;
}

export type SenderRow = z.input<typeof sender>;
export type TaskView = z.input<typeof taskView>;
export type ListRow = z.input<typeof listRow>;

export const loadTask = (ws: Workspace, taskId: string): TaskRow => getRow<TaskRow>(ws, 'email_tasks', 'task_id', taskId, 'email task', WHERE.emailTask);

/** Draft and cancelled tasks are outside the send flow; everything else refuses edits. */
export function requireEditable(t: TaskRow, what: string): void {
  if (t.status === 'draft' || t.status === 'cancelled') return;
  const hint =
    t.status === 'scheduled'
      ? `Cancel the schedule with email_cancel, change the task, then preview the schedule again.`
      : 'This task was already sent; create a new task with email_create for another send.';
  throw new ToolError('CONFLICT', `Cannot ${what}: email task ${t.task_id} is ${t.status}${t.plan_send_at && t.status === 'scheduled' ? ` for ${t.plan_send_at}` : ''}.`, { hint });
}

export function touch(ws: Workspace, taskId: string): void {
  ws.db.prepare('UPDATE email_tasks SET updated_at = ? WHERE task_id = ?').run(ws.now().toISOString(), taskId);
}

export const recipientCount = (ws: Workspace, taskId: string): number => ws.db.prepare('SELECT COUNT(*) FROM email_recipients WHERE task_id = ?').pluck().get(taskId) as number;

/** Queued scheduled sends of a task are cancelled whenever its schedule ends or moves. */
export function cancelScheduleJobs(ws: Workspace, taskId: string): void {
  const jobIds = ws.db.prepare(`SELECT job_id FROM jobs WHERE kind = ? AND status = 'queued' AND json_extract(params_json, '$.task_id') = ?`).pluck().all(JOB_SCHEDULED_SEND, taskId) as string[];
  for (const j of jobIds) ws.jobs.cancel(j);
}

// ---------------------------------------------------------------------------------------------
// What a task holds

export const senderOf = (ws: Workspace, senderId: string | null): SenderRow | null =>
  senderId ? ((ws.db.prepare('SELECT * FROM senders WHERE sender_auth_id = ?').get(senderId) as SenderRow | undefined) ?? null) : null;

export const cardDetailsOf = (ws: Workspace, taskId: string) =>
  ws.db
    .prepare(
      'SELECT p.product_collect_id, p.title, tp.position, p.link, p.price, p.currency, p.thumbnail_url FROM email_task_products tp JOIN products p ON p.product_collect_id = tp.product_collect_id WHERE tp.task_id = ? ORDER BY tp.position',
    )
    .all(taskId) as z.input<typeof productCardDetail>[];

const cardsOf = (ws: Workspace, taskId: string) =>
  ws.db
    .prepare('SELECT p.product_collect_id, p.title, tp.position FROM email_task_products tp JOIN products p ON p.product_collect_id = tp.product_collect_id WHERE tp.task_id = ? ORDER BY tp.position')
    .all(taskId) as z.input<typeof productCard>[];

export const attachmentOf = (ws: Workspace, taskId: string) =>
  (ws.db.prepare('SELECT attachment_id, task_id, file_name, size, sha256, created_at FROM email_attachments WHERE task_id = ? ORDER BY created_at, attachment_id LIMIT 1').get(taskId) as
    AttachmentRow | undefined) ?? null;

export const collaboratorsOf = (ws: Workspace, taskId: string) =>
  ws.db
    .prepare(
      `SELECT c.user_uid, m.name, c.permission FROM email_task_collaborators c JOIN team_members m ON m.user_uid = c.user_uid WHERE c.task_id = ? ORDER BY CASE c.permission WHEN 'owner' THEN 0 ELSE 1 END, c.user_uid`,
    )
    .all(taskId) as z.input<typeof collaborator>[];

/** The short links whose URL appears in the task's html or text body. */
export function embeddedLinks(ws: Workspace, t: TaskRow) {
  const links = ws.db.prepare('SELECT short_link_id, short_url, title, web_url, ios_url, android_url FROM short_links').all() as {
    short_link_id: string;
    short_url: string;
    title: string;
    web_url: string | null;
    ios_url: string | null;
    android_url: string | null;
  }[];
  return links.filter((l) => t.html_body.includes(l.short_url) || t.text_body.includes(l.short_url));
}

function statusCountsOf(ws: Workspace, taskId: string): z.input<typeof statusCounts> {
  const out = Object.fromEntries([...RECIPIENT_STATUSES, 'total'].map((s) => [s, 0])) as z.input<typeof statusCounts>;
  for (const r of ws.db.prepare('SELECT status, COUNT(*) AS n FROM email_recipients WHERE task_id = ? GROUP BY status').all(taskId) as { status: (typeof RECIPIENT_STATUSES)[number]; n: number }[]) {
    out[r.status] = r.n;
    out.total += r.n;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Views

export function viewTask(ws: Workspace, taskId: string): TaskView {
  const t = loadTask(ws, taskId);
  return {
    task_id: t.task_id,
    type: t.type,
    name: t.name,
    status: t.status,
    owner_uid: t.owner_uid,
    campaign_id: t.campaign_id,
    sender: senderOf(ws, t.sender_auth_id),
    subject: t.subject,
    html_body: t.html_body,
    text_body: t.text_body,
    product_cards: cardsOf(ws, taskId),
    short_links: embeddedLinks(ws, t),
    attachment: attachmentOf(ws, taskId),
    plan_send_at: t.plan_send_at,
    filter: readFilter(t.recipient_filter_json),
    collaborators: collaboratorsOf(ws, taskId),
    recipients: statusCountsOf(ws, taskId),
    created_at: t.created_at,
    updated_at: t.updated_at,
    sent_at: t.sent_at,
  };
}

/** A task as a list row, given its recipient count. */
export const toListRow = (t: TaskRow, recipientCountValue: number): ListRow => ({
  task_id: t.task_id,
  type: t.type,
  name: t.name,
  status: t.status,
  owner_uid: t.owner_uid,
  campaign_id: t.campaign_id,
  recipient_count: recipientCountValue,
  plan_send_at: t.plan_send_at,
  sent_at: t.sent_at,
  updated_at: t.updated_at,
});

/** A page of task rows with their recipient counts, newest change first. */
export function listTasks(ws: Workspace, w: Where, page: { page: number; page_size: number }) {
  return pageQuery<ListRow, ListRow>(
    ws,
    {
      select:
        't.task_id, t.type, t.name, t.status, t.owner_uid, t.campaign_id, (SELECT COUNT(*) FROM email_recipients r WHERE r.task_id = t.task_id) AS recipient_count, t.plan_send_at, t.sent_at, t.updated_at',
      from: `FROM email_tasks t ${w.sql}`,
      order: 't.updated_at DESC, t.task_id',
      params: w.params,
    },
    page,
    (r) => r,
  );
}
