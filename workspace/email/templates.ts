// Email templates and task copies in the embedded workspace.
import type { z } from 'zod';
import { invalid } from '../../src/errors.js';
import { WHERE } from '../../tools/hints.js';
import { templates, type emailTemplate } from '../../tools/email/templates.js';
import { implement, type Implemented } from '../implement.js';
import { actingUser, getRow } from '../shared.js';
import type { Workspace } from '../workspace.js';
import { loadTask, requireEditable, viewTask } from './task-store.js';

type TemplateRow = z.input<typeof emailTemplate>;

const COLUMNS = 'template_id, name, subject, html_body, text_body, updated_at';
const loadTemplate = (ws: Workspace, tid: string): TemplateRow => {
  const { template_id, name, subject, html_body, text_body, updated_at } = getRow<TemplateRow>(ws, 'email_templates', 'template_id', tid, 'email template', WHERE.emailTemplate);
  return { template_id, name, subject, html_body, text_body, updated_at };
};

export const templateImplementations = {
  list: implement(templates.list, {
    run: (ws) => ({ items: ws.db.prepare(`SELECT ${COLUMNS} FROM email_templates ORDER BY name, template_id`).all() as TemplateRow[] }),
  }),
  save: implement(templates.save, {
    run: (ws, input, call) => {
      const at = ws.now().toISOString();
      if (input.template_id) {
        const r = loadTemplate(ws, input.template_id);
        ws.db
          .prepare('UPDATE email_templates SET name = ?, subject = ?, html_body = ?, text_body = ?, updated_at = ? WHERE template_id = ?')
          .run(input.name ?? r.name, input.subject ?? r.subject, input.html_body ?? r.html_body, input.text_body ?? r.text_body, at, r.template_id);
        return loadTemplate(ws, r.template_id);
      }
      if (!input.name || !input.subject || !input.html_body?.trim()) {
        throw invalid('A new email template needs name, subject and html_body.', 'Give all three, or pass template_id (from email_templates_list) to update one.');
      }
      const tid = ws.newId('etpl');
      ws.db
        .prepare('INSERT INTO email_templates (template_id, name, subject, html_body, text_body, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(tid, input.name, input.subject, input.html_body, input.text_body ?? '', actingUser(ws, call), at, at);
      return loadTemplate(ws, tid);
    },
  }),
  use: implement(templates.use, {
    run: (ws, input) => {
      const t = loadTask(ws, input.task_id);
      requireEditable(t, 'apply a template');
      const tpl = loadTemplate(ws, input.template_id);
      ws.db
        .prepare('UPDATE email_tasks SET subject = ?, html_body = ?, text_body = ?, updated_at = ? WHERE task_id = ?')
        .run(tpl.subject, tpl.html_body, tpl.text_body, ws.now().toISOString(), t.task_id);
      return { ...viewTask(ws, t.task_id), template_id: tpl.template_id };
    },
  }),
  copy: implement(templates.copy, {
    run: (ws, input, call) => {
      const src = loadTask(ws, input.task_id);
      const tid = ws.newId('task');
      const at = ws.now().toISOString();
      const owner = actingUser(ws, call);
      // One statement per table, each from the source's own rows: what the copy holds is exactly what the source held.
      ws.db
        .prepare(
          `INSERT INTO email_tasks (task_id, type, name, status, owner_uid, campaign_id, sender_auth_id, subject, html_body, text_body, recipient_filter_json, created_at, updated_at)
           SELECT ?, 3, ?, 'draft', ?, campaign_id, sender_auth_id, subject, html_body, text_body, recipient_filter_json, ?, ? FROM email_tasks WHERE task_id = ?`,
        )
        .run(tid, input.name ?? `${src.name} (copy)`, owner, at, at, src.task_id);
      ws.db.prepare(`INSERT INTO email_task_collaborators (task_id, user_uid, permission) VALUES (?, ?, 'owner')`).run(tid, owner);
      ws.db.prepare('INSERT INTO email_task_products (task_id, product_collect_id, position) SELECT ?, product_collect_id, position FROM email_task_products WHERE task_id = ?').run(tid, src.task_id);
      ws.db
        .prepare(
          'INSERT INTO email_attachments (attachment_id, task_id, file_name, size, sha256, content, created_at) SELECT ?, ?, file_name, size, sha256, content, ? FROM email_attachments WHERE task_id = ?',
        )
        .run(ws.newId('eatt'), tid, at, src.task_id);
      return viewTask(ws, tid);
    },
  }),
} satisfies Implemented<typeof templates>;
