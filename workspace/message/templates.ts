// Reply templates in the embedded workspace.
import type { z } from 'zod';
import { invalid } from '../../src/errors.js';
import { WHERE } from '../../tools/hints.js';
import { templates, type template } from '../../tools/message/templates.js';
import { implement, type Implemented } from '../implement.js';
import { getRow } from '../shared.js';
import type { Workspace } from '../workspace.js';
import { attachmentsOf } from './attachment-store.js';
import { loadThread, requireVisible } from './thread-store.js';

interface TemplateRow {
  template_id: string;
  name: string;
  subject: string;
  html_body: string;
  updated_at: string;
}

export const loadTemplate = (ws: Workspace, tid: string) => getRow<TemplateRow>(ws, 'message_templates', 'template_id', tid, 'message template', WHERE.messageTemplate);

export function touchTemplate(ws: Workspace, tid: string): void {
  ws.db.prepare('UPDATE message_templates SET updated_at = ? WHERE template_id = ?').run(ws.now().toISOString(), tid);
}

const toTemplate = (ws: Workspace, r: TemplateRow): z.input<typeof template> => ({
  template_id: r.template_id,
  name: r.name,
  subject: r.subject,
  html_body: r.html_body,
  attachments: attachmentsOf(ws, 'template', r.template_id),
  updated_at: r.updated_at,
});

export const templatesImplementations = {
  list: implement(templates.list, {
    run: (ws) => ({ items: (ws.db.prepare('SELECT * FROM message_templates ORDER BY name, template_id').all() as TemplateRow[]).map((r) => toTemplate(ws, r)) }),
  }),
  save: implement(templates.save, {
    run: (ws, input) => {
      if (input.html_body !== undefined) requireVisible(input.html_body);
      const at = ws.now().toISOString();
      if (input.template_id) {
        const r = loadTemplate(ws, input.template_id);
        ws.db
          .prepare('UPDATE message_templates SET name = ?, subject = ?, html_body = ?, updated_at = ? WHERE template_id = ?')
          .run(input.name ?? r.name, input.subject ?? r.subject, input.html_body ?? r.html_body, at, r.template_id);
        return toTemplate(ws, loadTemplate(ws, r.template_id));
      }
      if (!input.name || input.html_body === undefined) throw invalid('A new template needs name and html_body.', 'Give both, or pass template_id to update an existing template.');
      const tid = ws.newId('tpl');
      ws.db
        .prepare('INSERT INTO message_templates (template_id, name, subject, html_body, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(tid, input.name, input.subject ?? '', input.html_body, at, at);
      return toTemplate(ws, loadTemplate(ws, tid));
    },
  }),
  use: implement(templates.use, {
    run: (ws, input) => {
      const t = loadThread(ws, input.thread_id);
      const tpl = loadTemplate(ws, input.template_id);
      const at = ws.now().toISOString();
      ws.db.prepare('UPDATE message_threads SET draft_html = ?, draft_updated_at = ?, updated_at = ? WHERE thread_id = ?').run(tpl.html_body, at, at, t.thread_id);
      return {
        thread_id: t.thread_id,
        template_id: tpl.template_id,
        replaced_draft: t.draft_html !== null,
        draft_html: tpl.html_body,
        template_attachments: attachmentsOf(ws, 'template', tpl.template_id),
        summary: `The draft of ${t.thread_id} is now template "${tpl.name}".`,
      };
    },
  }),
} satisfies Implemented<typeof templates>;
