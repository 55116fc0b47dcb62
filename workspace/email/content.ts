// Email content and product cards in the embedded workspace.
import { invalid, notFound, ToolError } from '../../src/errors.js';
import { WHERE } from '../../tools/hints.js';
import { content } from '../../tools/email/content.js';
import { MAX_PRODUCT_CARDS } from '../../tools/email/schemas.js';
import { resolveShortLink } from '../short-link/links.js';
import { implement, type Implemented } from '../implement.js';
import type { Workspace } from '../workspace.js';
import { cardDetailsOf, loadTask, requireEditable, viewTask } from './task-store.js';

const escapeHtml = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** Sets the product cards of a task, in the order given. */
function setCards(ws: Workspace, taskId: string, productIds: string[]): void {
  if (productIds.length > MAX_PRODUCT_CARDS) {
    throw new ToolError('LIMIT_EXCEEDED', `An email task holds at most ${MAX_PRODUCT_CARDS} product cards; ${productIds.length} were given.`, {
      hint: `Keep the ${MAX_PRODUCT_CARDS} most relevant product_collect_ids.`,
    });
  }
  if (new Set(productIds).size !== productIds.length) throw invalid('product_collect_ids lists a product twice.', 'List each product once, in card order.');
  for (const p of productIds) if (!ws.db.prepare('SELECT 1 FROM products WHERE product_collect_id = ?').get(p)) throw notFound('product', p, WHERE.product);
  ws.db.prepare('DELETE FROM email_task_products WHERE task_id = ?').run(taskId);
  const ins = ws.db.prepare('INSERT INTO email_task_products (task_id, product_collect_id, position) VALUES (?, ?, ?)');
  productIds.forEach((p, i) => ins.run(taskId, p, i));
}

export const contentImplementations = {
  save: implement(content.save, {
    run: (ws, input) => {
      const t = loadTask(ws, input.task_id);
      requireEditable(t, 'change the content');
      let html = input.html_body ?? t.html_body;
      let text = input.text_body ?? t.text_body;
      const appended: string[] = [];
      // A short link the body lacks is appended to both bodies, titled.
      for (const v of input.short_links ?? []) {
        const l = resolveShortLink(ws, v);
        if (!html.includes(l.short_url)) {
          html += `<p><a href="${l.short_url}">${escapeHtml(l.title)}</a></p>`;
          appended.push(l.short_url);
        }
        if (!text.includes(l.short_url)) text += `${text ? '\n\n' : ''}${l.title}: ${l.short_url}`;
      }
      if (input.product_collect_ids) setCards(ws, t.task_id, input.product_collect_ids);
      ws.db
        .prepare('UPDATE email_tasks SET subject = ?, html_body = ?, text_body = ?, updated_at = ? WHERE task_id = ?')
        .run(input.subject ?? t.subject, html, text, ws.now().toISOString(), t.task_id);
      return { ...viewTask(ws, t.task_id), embedded_short_links: appended };
    },
  }),
  products: implement(content.products, {
    run: (ws, input) => {
      loadTask(ws, input.task_id);
      return { task_id: input.task_id, items: cardDetailsOf(ws, input.task_id) };
    },
  }),
} satisfies Implemented<typeof content>;
