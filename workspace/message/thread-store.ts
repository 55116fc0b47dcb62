// Threads as stored, and what every message family does with them: load one, list a creator's
// conversation, require a visible reply body, clear a scheduled reply.
import type { z } from 'zod';
import { invalid } from '../../src/errors.js';
import { WHERE } from '../../tools/hints.js';
import type { MESSAGE_DIRECTIONS } from '../../tools/vocabulary.js';
import type { threadOut } from '../../tools/message/schemas.js';
import { getRow, parseJsonList, visibleText } from '../shared.js';
import type { Workspace } from '../workspace.js';

export const SCHEDULED_SEND_JOB = 'message.scheduled_send';

export interface ThreadRow {
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

/** A thread with what the list shows beside it: its creator, labels, last message time and project name. */
export interface ListRow extends ThreadRow {
  nickname: string;
  platform: string;
  channel_url: string;
  label_ids_json: string;
  last_message_at: string | null;
  project_name: string | null;
}

export type ThreadOut = z.input<typeof threadOut>;

export const LIST_SELECT = `t.*, c.nickname, c.platform, c.channel_url,
  (SELECT json_group_array(label_id) FROM (SELECT label_id FROM message_thread_labels l WHERE l.thread_id = t.thread_id ORDER BY label_id)) AS label_ids_json,
  (SELECT MAX(sent_at) FROM messages m WHERE m.thread_id = t.thread_id) AS last_message_at,
  CASE t.business_kind WHEN 'email_task' THEN (SELECT name FROM email_tasks WHERE task_id = t.business_id)
    ELSE (SELECT name FROM aff_campaigns WHERE campaign_id = t.business_id) END AS project_name`;
export const LIST_FROM = 'FROM message_threads t JOIN creators c ON c.creator_id = t.creator_id';

export const toThread = (r: ListRow): ThreadOut => ({
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
  return getRow<ThreadRow>(ws, 'message_threads', 'thread_id', tid, 'message thread', `${WHERE.thread} Starting a new thread is not offered: first outreach is an email task.`);
}

/** The whole conversation: every thread of the creator, newest first, archived ones included. */
export function creatorThreads(ws: Workspace, creatorId: string): ListRow[] {
  return ws.db.prepare(`SELECT ${LIST_SELECT} ${LIST_FROM} WHERE t.creator_id = ? ORDER BY t.updated_at DESC, t.thread_id`).all(creatorId) as ListRow[];
}

/** Rows of a grouped count query over threads. */
export const countBy = (ws: Workspace, sql: string, ...params: unknown[]) => ws.db.prepare(sql).all(...params) as Record<string, string | number>[];

/** The visible text of a reply body; an empty one is refused, since only a real reply clears pending. */
export function requireVisible(html: string, field = 'html_body'): string {
  const text = visibleText(html);
  if (!text) {
    throw invalid(
      `${field} has no visible text (empty, whitespace, <p><br></p> or tags only). A reply must say something; pending state cannot be cleared by an empty reply.`,
      'Write the actual reply text. To leave a thread pending, send nothing; there is no tool that marks a thread or task handled.',
    );
  }
  return text;
}

/** Clears a scheduled reply (its body goes back to the draft when there is none) and drops its job. */
export function clearSchedule(ws: Workspace, thread: ThreadRow): boolean {
  if (thread.scheduled_at === null) return false;
  ws.db
    .prepare(
      'UPDATE message_threads SET scheduled_html = NULL, scheduled_at = NULL, scheduled_sender_auth_id = NULL, draft_html = COALESCE(draft_html, ?), draft_updated_at = COALESCE(draft_updated_at, ?), updated_at = ? WHERE thread_id = ?',
    )
    .run(thread.scheduled_html, ws.now().toISOString(), ws.now().toISOString(), thread.thread_id);
  // The job row lives in the same store; the job also re-checks the thread, so this is tidiness.
  const jobs = ws.db
    .prepare(`SELECT job_id FROM jobs WHERE kind = ? AND status = 'queued' AND json_extract(params_json, '$.thread_id') = ?`)
    .pluck()
    .all(SCHEDULED_SEND_JOB, thread.thread_id) as string[];
  for (const j of jobs) ws.jobs.cancel(j);
  return true;
}

export function touchThread(ws: Workspace, tid: string): void {
  ws.db.prepare('UPDATE message_threads SET updated_at = ? WHERE thread_id = ?').run(ws.now().toISOString(), tid);
}
