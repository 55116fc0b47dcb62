// Threads in the embedded workspace: the list and its filters, one thread, the creator's
// conversation, and archiving that conversation.
import type { z } from 'zod';
import { invalid } from '../../src/errors.js';
import { threads } from '../../tools/message/threads.js';
import { implement, type Implemented } from '../implement.js';
import { checkCoopStatus } from '../coop-statuses.js';
import { inJson, pageQuery, trimmed, Where } from '../shared.js';
import { attachmentsOf } from './attachment-store.js';
import { clearSchedule, creatorThreads, LIST_FROM, LIST_SELECT, loadThread, toThread, type ListRow, type ThreadOut } from './thread-store.js';

function listWhere(input: z.output<typeof threads.list.input>): Where {
  if ((input.business_kind === undefined) !== (input.business_id === undefined)) {
    throw invalid('business_kind and business_id go together.', 'Give both (e.g. email_task + a task_id), or use project_ids.');
  }
  if (input.project_ids && input.business_kind) throw invalid('project_ids cannot be combined with business_kind/business_id.', 'Use one way of naming the project.');
  if ((input.status === 'draft' || input.status === 'scheduled') && !input.business_kind) {
    throw invalid(`status ${input.status} needs business_kind + business_id.`, 'Name the project, e.g. business_kind email_task and a task_id from email_list.');
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

interface MessageRow {
  message_id: string;
  direction: string;
  html_body: string;
  sender_auth_id: string | null;
  sent_at: string;
}

const byThreadId = (a: ListRow, b: ListRow) => (a.thread_id < b.thread_id ? -1 : a.thread_id > b.thread_id ? 1 : 0);

export const threadsImplementations = {
  list: implement(threads.list, {
    run: (ws, input) => {
      if (input.coop_status !== undefined) checkCoopStatus(ws, input.coop_status);
      const w = listWhere(input);
      return pageQuery<ListRow, ThreadOut>(ws, { select: LIST_SELECT, from: `${LIST_FROM} ${w.sql}`, order: 't.updated_at DESC, t.thread_id', params: w.params }, input, (r) => {
        const t = toThread(r);
        return { ...t, subject: trimmed(t.subject, 120) };
      });
    },
  }),
  get: implement(threads.get, {
    run: (ws, input) => {
      const t = loadThread(ws, input.thread_id);
      ws.db.prepare('UPDATE message_threads SET unread = 0 WHERE thread_id = ?').run(t.thread_id);
      const count = ws.db.prepare('SELECT COUNT(*) FROM messages WHERE thread_id = ?').pluck().get(t.thread_id) as number;
      const msgs = (
        ws.db
          .prepare('SELECT message_id, direction, html_body, sender_auth_id, sent_at FROM messages WHERE thread_id = ? ORDER BY sent_at DESC, rowid DESC LIMIT ?')
          .all(t.thread_id, input.max_messages) as MessageRow[]
      ).reverse();
      // The view is read after the unread flag is cleared, so it shows unread false.
      const view = ws.db.prepare(`SELECT ${LIST_SELECT} ${LIST_FROM} WHERE t.thread_id = ?`).get(t.thread_id) as ListRow;
      return {
        ...toThread(view),
        message_count: count,
        messages: msgs.map((m) => ({ ...m, attachments: attachmentsOf(ws, 'message', m.message_id) })),
        draft: t.draft_html === null ? null : { html_body: t.draft_html, updated_at: t.draft_updated_at },
        scheduled: t.scheduled_at === null ? null : { html_body: t.scheduled_html ?? '', send_at: t.scheduled_at, sender_auth_id: t.scheduled_sender_auth_id },
        sender_auth_id: t.sender_auth_id,
        attachments: attachmentsOf(ws, 'thread', t.thread_id),
      };
    },
  }),
  projects: implement(threads.projects, {
    run: (ws, input) => {
      const t = loadThread(ws, input.thread_id);
      const items = creatorThreads(ws, t.creator_id).map(toThread);
      return { thread_id: t.thread_id, creator_id: t.creator_id, pending_count: items.filter((x) => x.needs_reply && !x.archived).length, items };
    },
  }),
  archive: implement(threads.archive, {
    // One reading of the conversation: the preview lists it, the apply archives its open threads.
    read: (ws, input) => {
      const thread = loadThread(ws, input.thread_id);
      return { creatorId: thread.creator_id, conversation: creatorThreads(ws, thread.creator_id) };
    },
    state: ({ conversation }) => ({ threads: conversation.map((x) => [x.thread_id, x.archived === 1, x.updated_at]) }),
    effect: (_ws, _input, { creatorId, conversation }) => {
      const all = conversation.map(toThread);
      const open = all.filter((x) => !x.archived);
      const pending = open.filter((x) => x.needs_reply).length;
      return {
        effect: {
          creator_id: creatorId,
          will_archive_count: open.length,
          already_archived_count: all.length - open.length,
          pending_count: pending,
          will_cancel_scheduled_count: open.filter((x) => x.scheduled_at !== null).length,
          threads: all.map(({ thread_id, project_id, project_name, needs_reply, scheduled_at, archived }) => ({ thread_id, project_id, project_name, needs_reply, scheduled_at, archived })),
        },
        summary: `Archive the whole conversation with creator ${creatorId}: ${open.length} thread(s) (${pending} still need a reply).`,
      };
    },
    run: (ws, _input, _call, _loaded, { creatorId, conversation }) => {
      const open = conversation.filter((x) => x.archived === 0).sort(byThreadId);
      let cancelled = 0;
      for (const x of open) if (clearSchedule(ws, x)) cancelled++;
      ws.db.prepare(`UPDATE message_threads SET archived = 1, updated_at = ? WHERE ${inJson('thread_id')}`).run(ws.now().toISOString(), JSON.stringify(open.map((x) => x.thread_id)));
      return { creator_id: creatorId, archived_thread_ids: open.map((x) => x.thread_id), cancelled_scheduled: cancelled, summary: `Archived ${open.length} thread(s) of creator ${creatorId}.` };
    },
  }),
} satisfies Implemented<typeof threads>;
