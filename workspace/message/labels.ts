// Thread labels and cooperation statuses in the embedded workspace.
import { notFound } from '../../src/errors.js';
import { labels } from '../../tools/message/labels.js';
import { checkCoopStatus, coopStatuses } from '../coop-statuses.js';
import { implement, type Implemented } from '../implement.js';
import { unknownLabels } from '../shared.js';
import { countBy, loadThread, touchThread } from './thread-store.js';

export const labelsImplementations = {
  list: implement(labels.list, {
    run: (ws) => ({
      items: countBy(
        ws,
        `SELECT l.label_id, l.name, l.color, COUNT(t.thread_id) AS thread_count FROM crm_labels l
         LEFT JOIN message_thread_labels tl ON tl.label_id = l.label_id LEFT JOIN message_threads t ON t.thread_id = tl.thread_id AND t.archived = 0
         GROUP BY l.label_id ORDER BY l.name, l.label_id`,
      ) as { label_id: string; name: string; color: string; thread_count: number }[],
    }),
  }),
  coopStatuses: implement(labels.coopStatuses, {
    run: (ws) => {
      const counts = new Map(
        countBy(ws, 'SELECT coop_status, COUNT(*) AS n FROM message_threads WHERE archived = 0 AND coop_status IS NOT NULL GROUP BY coop_status').map((r) => [r.coop_status as string, r.n as number]),
      );
      return { items: coopStatuses(ws).map((s) => ({ ...s, thread_count: counts.get(s.coop_status) ?? 0 })) };
    },
  }),
  set: implement(labels.set, {
    run: (ws, input) => {
      loadThread(ws, input.thread_id);
      const wanted = [...new Set(input.label_ids)].sort();
      const missing = unknownLabels(ws, wanted);
      if (missing.length) throw notFound('label', missing.join(', '), 'Label ids come from message_labels_list (they are CRM labels).');
      ws.db.prepare('DELETE FROM message_thread_labels WHERE thread_id = ?').run(input.thread_id);
      ws.db.prepare('INSERT INTO message_thread_labels (thread_id, label_id) SELECT ?, value FROM json_each(?)').run(input.thread_id, JSON.stringify(wanted));
      touchThread(ws, input.thread_id);
      return { thread_id: input.thread_id, label_ids: wanted, summary: `Thread ${input.thread_id} now has ${wanted.length} label(s).` };
    },
  }),
  coopSet: implement(labels.coopSet, {
    run: (ws, input) => {
      const t = loadThread(ws, input.thread_id);
      checkCoopStatus(ws, input.coop_status);
      ws.db.prepare('UPDATE message_threads SET coop_status = ?, updated_at = ? WHERE thread_id = ?').run(input.coop_status, ws.now().toISOString(), t.thread_id);
      return {
        thread_id: t.thread_id,
        coop_status: input.coop_status,
        previous: t.coop_status,
        summary: `Thread ${t.thread_id} cooperation status: ${t.coop_status ?? 'none'} → ${input.coop_status}.`,
      };
    },
  }),
} satisfies Implemented<typeof labels>;
