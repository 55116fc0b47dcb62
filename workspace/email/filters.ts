// Recipient filters in the embedded workspace.
import { filters } from '../../tools/email/filters.js';
import { FILTER_DIMENSIONS } from '../../tools/email/schemas.js';
import { implement, type Implemented } from '../implement.js';
import { escapeLike, Where } from '../shared.js';
import { checkFilter, evaluate, filterSummary } from './recipient-filter.js';
import { listTasks, loadTask, readFilter, requireEditable } from './task-store.js';

export const filterImplementations = {
  options: implement(filters.options, {
    run: (ws, input) => {
      if (input.task_id) loadTask(ws, input.task_id);
      return {
        dimensions: FILTER_DIMENSIONS,
        collections: ws.db.prepare('SELECT collection_id, name FROM collections ORDER BY updated_at DESC, collection_id LIMIT 50').all() as { collection_id: string; name: string }[],
        tasks: ws.db.prepare('SELECT task_id, name, status FROM email_tasks WHERE task_id IS NOT ? ORDER BY updated_at DESC, task_id LIMIT 50').all(input.task_id ?? null) as {
          task_id: string;
          name: string;
          status: string;
        }[],
      };
    },
  }),
  get: implement(filters.get, {
    run: (ws, input) => {
      const t = loadTask(ws, input.task_id);
      const f = readFilter(t.recipient_filter_json);
      return { task_id: t.task_id, filter: f, effect: filterSummary(evaluate(ws, t.task_id, f)) };
    },
  }),
  update: implement(filters.update, {
    run: (ws, input) => {
      const t = loadTask(ws, input.task_id);
      requireEditable(t, 'change the recipient filter');
      checkFilter(ws, t.task_id, input.filter);
      // Stored in the normalized form readFilter gives, so the saved filter reads back unchanged.
      const f = readFilter(JSON.stringify(input.filter));
      ws.db.prepare('UPDATE email_tasks SET recipient_filter_json = ?, updated_at = ? WHERE task_id = ?').run(JSON.stringify(f), ws.now().toISOString(), t.task_id);
      const e = filterSummary(evaluate(ws, t.task_id, f));
      const why = Object.entries(e.hidden_by_reason)
        .map(([k, v]) => `${v} ${k}`)
        .join(', ');
      return {
        task_id: t.task_id,
        filter: f,
        effect: e,
        summary: `Filter saved: ${e.will_send_count} of ${e.pending_count} pending recipient(s) will be sent to${e.hidden_count ? `; hidden: ${why}` : ''}.`,
      };
    },
  }),
  tasks: implement(filters.tasks, {
    run: (ws, input) => {
      const w = new Where().maybe(input.task_id, 't.task_id <> ?', input.task_id).maybe(input.keyword, `t.name LIKE ? ESCAPE '\\'`, `%${escapeLike(input.keyword ?? '')}%`);
      return listTasks(ws, w, input);
    },
  }),
} satisfies Implemented<typeof filters>;
