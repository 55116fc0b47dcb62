// The recipient filter as the workspace applies it (task-store.ts reads the stored one): deciding for each
// pending recipient whether it is sent to or hidden (and why), and checking what a filter names.
import type { z } from 'zod';
import { invalid, notFound } from '../../src/errors.js';
import type { Filter, FILTER_REASONS, filterEffect } from '../../tools/email/schemas.js';
import type { Workspace } from '../workspace.js';
import type { RecipientRow } from './task-store.js';

export interface Evaluated extends RecipientRow {
  nickname: string | null;
  hide_reason: (typeof FILTER_REASONS)[number] | null;
}

export interface Evaluation {
  send: Evaluated[];
  hidden: Evaluated[];
  byReason: Record<string, number>;
}

/** Decides, for the pending recipients of a task, who is sent to and who the filter hides (first matching reason). */
export function evaluate(ws: Workspace, taskId: string, filter: Filter): Evaluation {
  const same = `((r.creator_id IS NOT NULL AND o.creator_id = r.creator_id) OR (r.email_address IS NOT NULL AND o.email_address = r.email_address))`;
  const rows = ws.db
    .prepare(
      `SELECT r.*, c.nickname, CASE
         WHEN r.creator_id IS NOT NULL AND c.has_email = 0 THEN 'no_email'
         WHEN @contacted = 1 AND EXISTS (SELECT 1 FROM email_recipients o WHERE o.task_id <> r.task_id AND o.status IN ('sent','replied') AND ${same}) THEN 'already_contacted'
         WHEN @crm = 1 AND r.creator_id IS NOT NULL AND EXISTS (SELECT 1 FROM crm_channels k WHERE k.creator_id = r.creator_id) THEN 'in_crm'
         WHEN @col IS NOT NULL AND EXISTS (SELECT 1 FROM collection_items i WHERE i.collection_id = @col AND i.creator_id = r.creator_id) THEN 'in_collection'
         WHEN @other IS NOT NULL AND EXISTS (SELECT 1 FROM email_recipients o WHERE o.task_id IN (SELECT value FROM json_each(@other)) AND o.task_id <> r.task_id AND ${same}) THEN 'in_other_task'
       END AS hide_reason
       FROM email_recipients r LEFT JOIN creators c ON c.creator_id = r.creator_id
       WHERE r.task_id = @task AND r.status = 'pending' ORDER BY r.added_at, r.rowid`,
    )
    .all({
      task: taskId,
      contacted: filter.hide_contacted ? 1 : 0,
      crm: filter.hide_in_crm ? 1 : 0,
      col: filter.hide_in_collection ?? null,
      other: filter.hide_in_other_task ? JSON.stringify(filter.hide_in_other_task) : null,
    }) as Evaluated[];
  const byReason: Record<string, number> = {};
  for (const r of rows) if (r.hide_reason) byReason[r.hide_reason] = (byReason[r.hide_reason] ?? 0) + 1;
  return { send: rows.filter((r) => !r.hide_reason), hidden: rows.filter((r) => r.hide_reason), byReason };
}

/** The collection and other tasks a filter names must exist, and the task cannot hide its own recipients. */
export function checkFilter(ws: Workspace, taskId: string, f: Filter): void {
  if (f.hide_in_collection && !ws.db.prepare('SELECT 1 FROM collections WHERE collection_id = ?').get(f.hide_in_collection)) {
    throw notFound('collection', f.hide_in_collection, 'Collection ids come from collection_list or email_recipient_filter_options.');
  }
  for (const other of f.hide_in_other_task ?? []) {
    if (other === taskId) throw invalid('hide_in_other_task names this task itself.', 'List other tasks (from email_recipient_filter_tasks).');
    if (!ws.db.prepare('SELECT 1 FROM email_tasks WHERE task_id = ?').get(other)) throw notFound('email task', other, 'Task ids for hide_in_other_task come from email_recipient_filter_tasks.');
  }
}

export function filterSummary(ev: Evaluation): z.input<typeof filterEffect> {
  return { pending_count: ev.send.length + ev.hidden.length, will_send_count: ev.send.length, hidden_count: ev.hidden.length, hidden_by_reason: ev.byReason };
}
