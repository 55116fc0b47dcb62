// Email recipients in the embedded workspace.
import { recipients } from '../../tools/email/recipients.js';
import type { RecipientInput } from '../../tools/email/schemas.js';
import { implement, type Implemented } from '../implement.js';
import { inJson, pageQuery, sample, sha256, Where } from '../shared.js';
import type { Workspace } from '../workspace.js';
import { evaluate } from './recipient-filter.js';
import { brief, checkCapacity, insertRecipients, loadImport, planAdd, planImport, refuseProblems, resolveRecipients, type Resolved } from './recipient-resolution.js';
import { loadTask, readFilter, recipientCount, requireEditable, touch, type RecipientRow } from './task-store.js';

/** The whole new list against the current one: who is added, removed (a sample of them to show) and kept. */
function planReplace(ws: Workspace, taskId: string, items: RecipientInput[]) {
  const task = loadTask(ws, taskId);
  requireEditable(task, 'change recipients');
  const { rows, problems } = resolveRecipients(ws, items);
  refuseProblems(problems);
  const { have, add } = planAdd(ws, taskId, rows);
  const next = new Set(rows.map((r) => r.key));
  const remove = [...have].filter(([key]) => !next.has(key)).map(([, recipientId]) => recipientId);
  const removeSample = ws.db
    .prepare(`SELECT creator_id, platform, channel_id, email_address FROM email_recipients WHERE ${inJson('recipient_id')} ORDER BY added_at, recipient_id`)
    .all(JSON.stringify(remove.slice(0, 10))) as Resolved[];
  return { task, have, add, remove, removeSample, keep: rows.length - add.length };
}

export const recipientImplementations = {
  list: implement(recipients.list, {
    run: (ws, input) => {
      const t = loadTask(ws, input.task_id);
      const ev = evaluate(ws, t.task_id, readFilter(t.recipient_filter_json));
      const hiddenBy = new Map(ev.hidden.map((r) => [r.recipient_id, r.hide_reason]));
      const w = new Where().add('r.task_id = ?', t.task_id).maybe(input.status, 'r.status = ?', input.status);
      const page = pageQuery(
        ws,
        { select: 'r.*, c.nickname', from: `FROM email_recipients r LEFT JOIN creators c ON c.creator_id = r.creator_id ${w.sql}`, order: 'r.added_at, r.rowid', params: w.params },
        input,
        (r: RecipientRow & { nickname: string | null }) => ({
          recipient_id: r.recipient_id,
          creator_id: r.creator_id,
          nickname: r.nickname,
          platform: r.platform,
          channel_id: r.channel_id,
          email_address: r.email_address,
          status: r.status,
          filtered_reason: r.filtered_reason,
          would_be_hidden_by: hiddenBy.get(r.recipient_id) ?? null,
          opened: r.opened === 1,
          clicked: r.clicked === 1,
          reply_count: r.reply_count,
          sent_at: r.sent_at,
          added_at: r.added_at,
        }),
      );
      return { ...page, task_id: t.task_id };
    },
  }),
  add: implement(recipients.add, {
    run: (ws, input) => {
      const t = loadTask(ws, input.task_id);
      requireEditable(t, 'change recipients');
      const { rows, problems } = resolveRecipients(ws, input.recipients);
      refuseProblems(problems);
      const plan = planAdd(ws, t.task_id, rows);
      checkCapacity(ws, t.task_id, plan.add.length);
      insertRecipients(ws, t.task_id, plan.add);
      touch(ws, t.task_id);
      const n = recipientCount(ws, t.task_id);
      return {
        task_id: t.task_id,
        added_count: plan.add.length,
        already_present_count: plan.present.length,
        recipient_count: n,
        summary: `Added ${plan.add.length} recipient(s) to ${t.task_id}; ${plan.present.length} already present; ${n} in total.`,
      };
    },
  }),
  delete: implement(recipients.delete, {
    run: (ws, input) => {
      const t = loadTask(ws, input.task_id);
      requireEditable(t, 'change recipients');
      const wanted = [...new Set(input.recipient_ids)];
      const present = new Set(
        ws.db
          .prepare(`SELECT recipient_id FROM email_recipients WHERE task_id = ? AND ${inJson('recipient_id')}`)
          .pluck()
          .all(t.task_id, JSON.stringify(wanted)) as string[],
      );
      ws.db.prepare(`DELETE FROM email_recipients WHERE task_id = ? AND ${inJson('recipient_id')}`).run(t.task_id, JSON.stringify([...present]));
      if (present.size) touch(ws, t.task_id);
      const n = recipientCount(ws, t.task_id);
      return {
        task_id: t.task_id,
        deleted_count: present.size,
        not_found: wanted.filter((r) => !present.has(r)),
        recipient_count: n,
        summary: `Removed ${present.size} recipient(s) from ${t.task_id}; ${n} left.`,
      };
    },
  }),
  replace: implement(recipients.replace, {
    read: (ws, input) => planReplace(ws, input.task_id, input.recipients),
    state: (p) => ({ status: p.task.status, current: [...p.have.keys()].sort() }),
    effect: (_ws, _input, p) => ({
      effect: { will_add_count: p.add.length, will_remove_count: p.remove.length, will_keep_count: p.keep, sample_add: sample(p.add).map(brief), sample_remove: sample(p.removeSample).map(brief) },
      summary: `Replace the recipients of ${p.task.task_id}: add ${p.add.length}, remove ${p.remove.length}, keep ${p.keep}.`,
    }),
    run: (ws, _input, _call, _loaded, p) => {
      ws.db.prepare(`DELETE FROM email_recipients WHERE ${inJson('recipient_id')}`).run(JSON.stringify(p.remove));
      insertRecipients(ws, p.task.task_id, p.add);
      touch(ws, p.task.task_id);
      const n = recipientCount(ws, p.task.task_id);
      return {
        task_id: p.task.task_id,
        added_count: p.add.length,
        removed_count: p.remove.length,
        kept_count: p.keep,
        recipient_count: n,
        summary: `Replaced recipients of ${p.task.task_id}: ${p.add.length} added, ${p.remove.length} removed, ${p.keep} kept.`,
      };
    },
  }),
  import: implement(recipients.import, {
    load: (ws, input) => loadImport(ws, input),
    // One reading: the task, and which rows of the file resolve, are new, or fail.
    read: (ws, input, _call, imp) => {
      const task = loadTask(ws, input.task_id);
      requireEditable(task, 'import recipients');
      const plan = planImport(ws, task.task_id, imp);
      checkCapacity(ws, task.task_id, plan.add.length);
      return { task, fileName: imp.file.name, rowCount: imp.rows.length, fileDigest: sha256(imp.file.bytes), ...plan };
    },
    state: (p) => ({ status: p.task.status, file: p.fileDigest, current: [...p.have.keys()].sort() }),
    effect: (_ws, _input, p) => ({
      effect: {
        file_name: p.fileName,
        row_count: p.rowCount,
        will_add_count: p.add.length,
        already_present_count: p.present.length,
        failed_count: p.failed.length,
        failed_items: p.failed.slice(0, 20),
        sample_add: sample(p.add).map(brief),
      },
      summary: `Import ${p.add.length} recipient(s) from ${p.fileName} into ${p.task.task_id}; ${p.present.length} already present, ${p.failed.length} row(s) unusable.`,
    }),
    run: (ws, _input, _call, _loaded, p) => {
      insertRecipients(ws, p.task.task_id, p.add);
      touch(ws, p.task.task_id);
      return {
        task_id: p.task.task_id,
        added_count: p.add.length,
        already_present_count: p.present.length,
        failed_count: p.failed.length,
        failed_items: p.failed.slice(0, 100),
        recipient_count: recipientCount(ws, p.task.task_id),
        summary: `Imported ${p.add.length} recipient(s) from ${p.fileName}; ${p.failed.length} row(s) failed.`,
      };
    },
  }),
} satisfies Implemented<typeof recipients>;
