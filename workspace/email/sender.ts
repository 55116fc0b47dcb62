// Email senders in the embedded workspace.
import { notFound } from '../../src/errors.js';
import { WHERE } from '../../tools/hints.js';
import { senders } from '../../tools/email/sender.js';
import { implement, type Implemented } from '../implement.js';
import { loadTask, requireEditable, senderOf, type SenderRow } from './task-store.js';

export const senderImplementations = {
  list: implement(senders.list, {
    run: (ws, input) => {
      const chosen = input.task_id ? loadTask(ws, input.task_id).sender_auth_id : null;
      const rows = ws.db.prepare('SELECT * FROM senders ORDER BY sender_auth_id').all() as SenderRow[];
      return { task_id: input.task_id ?? null, items: rows.map((r) => ({ ...r, selected: r.sender_auth_id === chosen })) };
    },
  }),
  update: implement(senders.update, {
    run: (ws, input) => {
      const t = loadTask(ws, input.task_id);
      requireEditable(t, 'change the sender');
      const s = senderOf(ws, input.sender_auth_id);
      if (!s) throw notFound('sender', input.sender_auth_id, WHERE.emailSender);
      ws.db.prepare('UPDATE email_tasks SET sender_auth_id = ?, updated_at = ? WHERE task_id = ?').run(s.sender_auth_id, ws.now().toISOString(), t.task_id);
      return { task_id: t.task_id, sender: s, summary: `${t.task_id} will be sent from ${s.name} <${s.email}>.` };
    },
  }),
} satisfies Implemented<typeof senders>;
