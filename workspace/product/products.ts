// Product Center products in the embedded workspace.
import type { z } from 'zod';
import { invalid, notFound, ToolError } from '../../src/errors.js';
import { products, type product } from '../../tools/product/products.js';
import { WHERE } from '../../tools/hints.js';
import { implement, type Implemented } from '../implement.js';
import { uploadPublicImage } from '../public-images.js';
import { escapeLike, getRow, inJson, pageQuery, sample, Where } from '../shared.js';
import type { Workspace } from '../workspace.js';

interface ProductRow {
  product_collect_id: string;
  link: string | null;
  external_product_id: string | null;
  product_type: string | null;
  title: string;
  price: number | null;
  currency: string;
  thumbnail_url: string | null;
  created_at: string;
  updated_at: string;
}

type Product = z.input<typeof product>;

export function loadProduct(ws: Workspace, pid: string): ProductRow {
  return getRow<ProductRow>(ws, 'products', 'product_collect_id', pid, 'product', WHERE.product);
}

export function toProduct(ws: Workspace, r: ProductRow): Product {
  const tagIds = ws.db.prepare('SELECT tag_id FROM product_tag_links WHERE product_collect_id = ? ORDER BY tag_id').pluck().all(r.product_collect_id) as string[];
  return { ...r, tag_ids: tagIds };
}

function checkTags(ws: Workspace, tagIds: string[]): void {
  const known = new Set(
    ws.db
      .prepare(`SELECT tag_id FROM product_tags WHERE ${inJson('tag_id')}`)
      .pluck()
      .all(JSON.stringify(tagIds)) as string[],
  );
  const missing = tagIds.filter((t) => !known.has(t));
  if (missing.length) throw notFound('product tag', missing.join(', '), WHERE.productTag);
}

function setTags(ws: Workspace, pid: string, tagIds: string[]): void {
  ws.db.prepare('DELETE FROM product_tag_links WHERE product_collect_id = ?').run(pid);
  ws.db.prepare(`INSERT OR IGNORE INTO product_tag_links (product_collect_id, tag_id) SELECT ?, value FROM json_each(?)`).run(pid, JSON.stringify([...new Set(tagIds)]));
}

/** Tasks that show a product as a card. */
function cardTasks(ws: Workspace, pids: string[]): { task_id: string; name: string; status: string }[] {
  return ws.db
    .prepare(`SELECT DISTINCT t.task_id, t.name, t.status FROM email_task_products p JOIN email_tasks t ON t.task_id = p.task_id WHERE ${inJson('p.product_collect_id')} ORDER BY t.task_id`)
    .all(JSON.stringify(pids)) as { task_id: string; name: string; status: string }[];
}

export const productsImplementations = {
  list: implement(products.list, {
    run: (ws, input) => {
      const like = `%${escapeLike(input.keyword ?? '')}%`;
      const w = new Where()
        .maybe(input.keyword, `(title LIKE ? ESCAPE '\\' OR link LIKE ? ESCAPE '\\' OR external_product_id LIKE ? ESCAPE '\\')`, like, like, like)
        .maybe(input.tag_id, 'product_collect_id IN (SELECT product_collect_id FROM product_tag_links WHERE tag_id = ?)', input.tag_id);
      return pageQuery<ProductRow, Product>(ws, { select: '*', from: `FROM products ${w.sql}`, order: 'created_at DESC, product_collect_id', params: w.params }, input, (r) => toProduct(ws, r));
    },
  }),
  get: implement(products.get, {
    run: (ws, input) => ({ ...toProduct(ws, loadProduct(ws, input.product_collect_id)), email_task_ids: cardTasks(ws, [input.product_collect_id]).map((t) => t.task_id) }),
  }),
  create: implement(products.create, {
    run: (ws, input) => {
      const external = input.external_product_id !== undefined || input.product_type !== undefined;
      if (!input.link && !(input.external_product_id && input.product_type)) {
        throw invalid('A product needs link, or external_product_id together with product_type.', 'Pass the shop page URL as link, or the marketplace id with its product_type (e.g. shopify).');
      }
      if (input.link && external) throw invalid('Give link, or external_product_id + product_type, not both.', 'Choose one way to identify the product.');
      checkTags(ws, input.tag_ids);
      const pid = ws.newId('pc');
      const at = ws.now().toISOString();
      ws.db
        .prepare(
          'INSERT INTO products (product_collect_id, link, external_product_id, product_type, title, price, currency, thumbnail_url, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        )
        .run(pid, input.link ?? null, input.external_product_id ?? null, input.product_type ?? null, input.title, input.price ?? null, input.currency, input.thumbnail_url ?? null, at, at);
      setTags(ws, pid, input.tag_ids);
      return toProduct(ws, loadProduct(ws, pid));
    },
  }),
  update: implement(products.update, {
    run: (ws, input) => {
      const row = loadProduct(ws, input.product_collect_id);
      if (input.link !== undefined && row.link === null) throw invalid('This product is identified by external_product_id; it has no link to change.', 'Create a new product from the link instead.');
      if (input.tag_ids) {
        checkTags(ws, input.tag_ids);
        setTags(ws, row.product_collect_id, input.tag_ids);
      }
      ws.db
        .prepare('UPDATE products SET title = ?, link = ?, price = ?, currency = ?, thumbnail_url = ?, updated_at = ? WHERE product_collect_id = ?')
        .run(
          input.title ?? row.title,
          input.link ?? row.link,
          input.price === undefined ? row.price : input.price,
          input.currency ?? row.currency,
          input.thumbnail_url === undefined ? row.thumbnail_url : input.thumbnail_url,
          ws.now().toISOString(),
          row.product_collect_id,
        );
      return toProduct(ws, loadProduct(ws, row.product_collect_id));
    },
  }),
  delete: implement(products.delete, {
    // One reading: the product (with its tags, as the preview shows it) and the tasks that show its card.
    read: (ws, input) => {
      const row = loadProduct(ws, input.product_collect_id);
      const tasks = cardTasks(ws, [row.product_collect_id]);
      const inSendFlow = tasks.filter((t) => t.status === 'scheduled' || t.status === 'sending');
      if (inSendFlow.length) {
        throw new ToolError('CONFLICT', `Product ${row.product_collect_id} is a card of email task(s) in their send flow: ${inSendFlow.map((t) => t.task_id).join(', ')}.`, {
          hint: 'Cancel those schedules (email_cancel) or remove the card with email_content_save first.',
        });
      }
      return { row, product: toProduct(ws, row), tasks };
    },
    state: ({ row, tasks }) => ({ product: row.updated_at, tasks: tasks.map((t) => t.task_id) }),
    effect: (_ws, _input, { row, product, tasks }) => ({
      effect: { product, card_tasks: sample(tasks, 50) },
      summary: `Delete product "${row.title}" (${row.product_collect_id})${tasks.length ? `; ${tasks.length} email task(s) lose the card` : ''}.`,
    }),
    run: (ws, input, _call, _loaded, { tasks }) => {
      // A task shows a product at most once (its key is task + product), so each task is one card.
      const removedCards = tasks.length;
      ws.db.prepare('DELETE FROM products WHERE product_collect_id = ?').run(input.product_collect_id);
      return {
        deleted: true,
        product_collect_id: input.product_collect_id,
        removed_cards: removedCards,
        summary: `Deleted product ${input.product_collect_id}; removed it from ${removedCards} email task(s).`,
      };
    },
  }),
  image_upload: implement(products.image_upload, { run: (ws, input) => uploadPublicImage(ws, input, 'product_image') }),
} satisfies Implemented<typeof products>;
