// Email reports in the embedded workspace.
import type { z } from 'zod';
import { invalid } from '../../src/errors.js';
import { reports, type metrics } from '../../tools/email/reports.js';
import { EMAIL_TASK_KIND } from '../simulator.js';
import { implement, type Implemented } from '../implement.js';
import { checkTeamMember, inJson, Where } from '../shared.js';
import type { Workspace } from '../workspace.js';
import { loadTask, type TaskRow } from './task-store.js';

type Metrics = z.input<typeof metrics>;

function metricsOf(ws: Workspace, taskIds: string[]): Metrics {
  const list = JSON.stringify(taskIds);
  const r = ws.db
    .prepare(
      `SELECT COUNT(*) AS recipient_count,
              COALESCE(SUM(status IN ('sent','replied','bounced')), 0) AS sent_count,
              COALESCE(SUM(status = 'bounced'), 0) AS bounced_count,
              COALESCE(SUM(status = 'filtered_out'), 0) AS filtered_out_count,
              COALESCE(SUM(opened), 0) AS opened_count, COALESCE(SUM(clicked), 0) AS clicked_count,
              COALESCE(SUM(reply_count), 0) AS reply_count,
              COUNT(DISTINCT CASE WHEN reply_count > 0 THEN COALESCE(creator_id, 'e:' || lower(email_address)) END) AS replied_creator_count
       FROM email_recipients WHERE ${inJson('task_id')}`,
    )
    .get(list) as Omit<Metrics, 'task_count' | 'open_rate' | 'inbound_message_count' | 'threads_needing_reply'>;
  const inbound = ws.db
    .prepare(`SELECT COUNT(*) FROM messages m JOIN message_threads t ON t.thread_id = m.thread_id WHERE t.business_kind = ? AND ${inJson('t.business_id')} AND m.direction = 'inbound'`)
    .pluck()
    .get(EMAIL_TASK_KIND, list) as number;
  const pending = ws.db
    .prepare(`SELECT COUNT(*) FROM message_threads WHERE business_kind = ? AND ${inJson('business_id')} AND needs_reply = 1`)
    .pluck()
    .get(EMAIL_TASK_KIND, list) as number;
  const delivered = r.sent_count - r.bounced_count;
  return { task_count: taskIds.length, ...r, open_rate: delivered ? Math.round((r.opened_count / delivered) * 1000) / 1000 : 0, inbound_message_count: inbound, threads_needing_reply: pending };
}

/** The tasks a report covers: the ones named, or every sent one, within the sent window and owners given. */
function scopeTasks(ws: Workspace, input: { task_ids?: string[] | undefined; sent_from?: string | undefined; sent_to?: string | undefined; uids?: string[] | undefined }): TaskRow[] {
  for (const k of ['sent_from', 'sent_to'] as const) if (input[k] && Number.isNaN(Date.parse(input[k]!))) throw invalid(`${k} is not an ISO 8601 time.`, 'Use e.g. 2026-04-01T00:00:00Z.');
  if (input.task_ids) for (const tid of input.task_ids) loadTask(ws, tid);
  const w = new Where()
    .add(input.task_ids ? inJson('task_id') : 'sent_at IS NOT NULL', ...(input.task_ids ? [JSON.stringify([...new Set(input.task_ids)])] : []))
    .maybe(input.sent_from, 'sent_at >= ?', input.sent_from && new Date(input.sent_from).toISOString())
    .maybe(input.sent_to, 'sent_at < ?', input.sent_to && new Date(input.sent_to).toISOString())
    .maybe(input.uids, inJson('owner_uid'), JSON.stringify(input.uids ?? []));
  return ws.db.prepare(`SELECT * FROM email_tasks ${w.sql} ORDER BY sent_at DESC, task_id`).all(...w.params) as TaskRow[];
}

export const reportImplementations = {
  task: implement(reports.task, {
    run: (ws, input) => {
      const t = loadTask(ws, input.task_id);
      return { task_id: t.task_id, name: t.name, status: t.status, sent_at: t.sent_at, ...metricsOf(ws, [t.task_id]) };
    },
  }),
  teamSummary: implement(reports.teamSummary, {
    run: (ws, input) => {
      const tasks = scopeTasks(ws, input);
      return {
        ...metricsOf(
          ws,
          tasks.map((t) => t.task_id),
        ),
        tasks: tasks.slice(0, 100).map((t) => {
          const m = metricsOf(ws, [t.task_id]);
          return {
            task_id: t.task_id,
            name: t.name,
            owner_uid: t.owner_uid,
            status: t.status,
            sent_at: t.sent_at,
            sent_count: m.sent_count,
            reply_count: m.reply_count,
            replied_creator_count: m.replied_creator_count,
            inbound_message_count: m.inbound_message_count,
          };
        }),
      };
    },
  }),
  teamBreakdown: implement(reports.teamBreakdown, {
    run: (ws, input) => {
      for (const u of input.uids ?? []) checkTeamMember(ws, u);
      const tasks = scopeTasks(ws, input);
      const members = ws.db.prepare('SELECT user_uid, name FROM team_members ORDER BY user_uid').all() as { user_uid: string; name: string }[];
      const items = members
        .filter((m) => (input.uids ? input.uids.includes(m.user_uid) : tasks.some((t) => t.owner_uid === m.user_uid)))
        .map((m) => ({
          uid: m.user_uid,
          name: m.name,
          ...metricsOf(
            ws,
            tasks.filter((t) => t.owner_uid === m.user_uid).map((t) => t.task_id),
          ),
        }));
      return { items };
    },
  }),
} satisfies Implemented<typeof reports>;
