// Product Center: products and tags that email tasks show as product cards.
import { z } from 'zod';
import { defineOperation } from '../workspace/legacy.js';
import type { Workspace } from '../workspace/workspace.js';
import { invalid, notFound, ToolError } from '../src/errors.js';
import type { InputRules } from '../src/files.js';
import { escapeLike, fileFields, getRow, id, ids, inJson, loadFile, pageInput, pageQuery, paged, sample, sha256, Where, searchText } from './shared.js';

const HINT_ID = 'product_collect_id values come from product_list.';
const HINT_TAG = 'Tag ids come from product_tags_list.';

// ---------------------------------------------------------------------------------------------
// Products

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

export const product = z.object({
  product_collect_id: z.string(),
  title: z.string(),
  link: z.string().nullable(),
  external_product_id: z.string().nullable(),
  product_type: z.string().nullable().describe('Marketplace of external_product_id, e.g. shopify or amazon.'),
  price: z.number().nullable(),
  currency: z.string(),
  thumbnail_url: z.string().nullable(),
  tag_ids: z.array(z.string()),
  created_at: z.string(),
  updated_at: z.string(),
});

export function loadProduct(ws: Workspace, pid: string): ProductRow {
  return getRow<ProductRow>(ws, 'products', 'product_collect_id', pid, 'product', HINT_ID);
}

export function toProduct(ws: Workspace, r: ProductRow): z.input<typeof product> {
  const tagIds = ws.db.prepare('SELECT tag_id FROM product_tag_links WHERE product_collect_id = ? ORDER BY tag_id').pluck().all(r.product_collect_id) as string[];
  return { ...r, tag_ids: tagIds };
}

function checkTags(ws: Workspace, tagIds: string[]): void {
  const known = new Set(ws.db.prepare(`SELECT tag_id FROM product_tags WHERE ${inJson('tag_id')}`).pluck().all(JSON.stringify(tagIds)) as string[]);
  const missing = tagIds.filter((t) => !known.has(t));
  if (missing.length) throw notFound('product tag', missing.join(', '), HINT_TAG);
}

function setTags(ws: Workspace, pid: string, tagIds: string[]): void {
  ws.db.prepare('DELETE FROM product_tag_links WHERE product_collect_id = ?').run(pid);
  ws.db.prepare(`INSERT OR IGNORE INTO product_tag_links (product_collect_id, tag_id) SELECT ?, value FROM json_each(?)`).run(pid, JSON.stringify([...new Set(tagIds)]));
}

const httpUrl = (what: string) => z.url({ protocol: /^https?$/ }).max(2048).describe(what);
const productFields = {
  title: z.string().trim().min(1).max(300).describe('Product title shown on the card.'),
  price: z.number().min(0).max(10_000_000).nullable().describe('Price, or null when unknown.'),
  currency: z.string().regex(/^[A-Z]{3}$/, 'a three-letter currency code such as USD').describe('ISO 4217 currency code.'),
  thumbnail_url: httpUrl('Image URL (e.g. the file_url from product_image_upload).').nullable(),
  tag_ids: z.array(z.string().min(1).max(128)).max(20).describe(`Tag ids. ${HINT_TAG}`),
};

/** Tasks that show a product as a card. */
function cardTasks(ws: Workspace, pids: string[]): { task_id: string; name: string; status: string }[] {
  return ws.db
    .prepare(`SELECT DISTINCT t.task_id, t.name, t.status FROM email_task_products p JOIN email_tasks t ON t.task_id = p.task_id WHERE ${inJson('p.product_collect_id')} ORDER BY t.task_id`)
    .all(JSON.stringify(pids)) as { task_id: string; name: string; status: string }[];
}

// ---------------------------------------------------------------------------------------------
// Tags

interface TagRow {
  tag_id: string;
  name: string;
}
const tag = z.object({ tag_id: z.string(), name: z.string(), product_count: z.int() });
const toTag = (ws: Workspace, r: TagRow): z.input<typeof tag> => ({
  ...r,
  product_count: ws.db.prepare('SELECT COUNT(*) FROM product_tag_links WHERE tag_id = ?').pluck().get(r.tag_id) as number,
});
const loadTag = (ws: Workspace, tid: string): TagRow => getRow<TagRow>(ws, 'product_tags', 'tag_id', tid, 'product tag', HINT_TAG);
const tagName = z.string().trim().min(1).max(60).describe('Tag name, unique (case-insensitive).');

function checkTagName(ws: Workspace, name: string, except?: string): void {
  const other = ws.db.prepare('SELECT tag_id FROM product_tags WHERE name = ? COLLATE NOCASE AND tag_id IS NOT ?').pluck().get(name, except ?? null) as string | undefined;
  if (other) throw new ToolError('DUPLICATE_DATA', `A product tag named "${name}" exists (${other}).`, { hint: 'Use that tag_id, or choose another name.' });
}

const IMAGE_RULES: InputRules = { maxBytes: 5 * 1024 * 1024, extensions: ['.png', '.jpg', '.jpeg', '.webp', '.gif'] };
const PUBLIC_FILES = 'https://files.nox-demo.example/uploads';

export const productOperations = [
  defineOperation({
    name: 'product.list',
    toolset: 'product',
    title: 'List products',
    description: 'Lists Product Center products (product_collect_id, title, link or external id, price, tags), newest first.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/products' },
    input: z.strictObject({
      keyword: searchText(200).optional().describe('Matches title, link or external product id.'),
      tag_id: id(`Only products with this tag. ${HINT_TAG}`).optional(),
      ...pageInput,
    }),
    output: paged(product),
    run: (ws, input) => {
      const like = `%${escapeLike(input.keyword ?? '')}%`;
      const w = new Where()
        .maybe(input.keyword, `(title LIKE ? ESCAPE '\\' OR link LIKE ? ESCAPE '\\' OR external_product_id LIKE ? ESCAPE '\\')`, like, like, like)
        .maybe(input.tag_id, 'product_collect_id IN (SELECT product_collect_id FROM product_tag_links WHERE tag_id = ?)', input.tag_id);
      return pageQuery<ProductRow, z.input<typeof product>>(ws, { select: '*', from: `FROM products ${w.sql}`, order: 'created_at DESC, product_collect_id', params: w.params }, input, (r) => toProduct(ws, r));
    },
  }),
  defineOperation({
    name: 'product.get',
    toolset: 'product',
    title: 'Get a product',
    description: 'One product by product_collect_id (never a marketplace id), with the email tasks that show it as a card.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/products/:product_collect_id' },
    input: z.strictObject({ product_collect_id: id(`The product's id. ${HINT_ID}`) }),
    output: product.extend({ email_task_ids: z.array(z.string()).describe('Email tasks showing this product card.') }),
    run: (ws, input) => ({ ...toProduct(ws, loadProduct(ws, input.product_collect_id)), email_task_ids: cardTasks(ws, [input.product_collect_id]).map((t) => t.task_id) }),
  }),
  defineOperation({
    name: 'product.create',
    toolset: 'product',
    title: 'Create a product',
    description: 'Creates a product from a shop link, or from external_product_id + product_type; returns its product_collect_id.',
    kind: 'write',
    risk: 'low',
    route: { method: 'POST', path: '/products' },
    input: z.strictObject({
      title: productFields.title,
      link: httpUrl('Shop product page URL.').optional(),
      external_product_id: z.string().trim().min(1).max(128).optional().describe('Marketplace product id (with product_type).'),
      product_type: z.string().trim().min(1).max(40).optional().describe('Marketplace of the external id, e.g. shopify or amazon.'),
      price: productFields.price.optional(),
      currency: productFields.currency.default('USD'),
      thumbnail_url: productFields.thumbnail_url.optional(),
      tag_ids: productFields.tag_ids.default([]),
    }),
    output: product,
    idsOf: (_i, o) => [o.product_collect_id],
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
        .prepare('INSERT INTO products (product_collect_id, link, external_product_id, product_type, title, price, currency, thumbnail_url, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(pid, input.link ?? null, input.external_product_id ?? null, input.product_type ?? null, input.title, input.price ?? null, input.currency, input.thumbnail_url ?? null, at, at);
      setTags(ws, pid, input.tag_ids);
      return toProduct(ws, loadProduct(ws, pid));
    },
  }),
  defineOperation({
    name: 'product.update',
    toolset: 'product',
    title: 'Update a product',
    description: 'Partial update of one product: omitted fields, and omitted tag_ids, are kept; tag_ids, when given, replaces the tag list.',
    kind: 'write',
    risk: 'low',
    hints: { idempotent: true },
    route: { method: 'PATCH', path: '/products/:product_collect_id' },
    input: z.strictObject({
      product_collect_id: id(`The product's id. ${HINT_ID}`),
      title: productFields.title.optional(),
      link: httpUrl('Shop product page URL (only for link products).').optional(),
      price: productFields.price.optional(),
      currency: productFields.currency.optional(),
      thumbnail_url: productFields.thumbnail_url.optional(),
      tag_ids: productFields.tag_ids.optional(),
    }),
    output: product,
    idsOf: (i) => [i.product_collect_id],
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
  defineOperation({
    name: 'product.delete',
    toolset: 'product',
    title: 'Delete a product',
    description: 'Deletes one product; email tasks showing it lose that product card (the preview lists them).',
    kind: 'write',
    risk: 'high',
    confirm: true,
    route: { method: 'DELETE', path: '/products/:product_collect_id' },
    input: z.strictObject({ product_collect_id: id(`The product's id. ${HINT_ID}`) }),
    output: z.object({ deleted: z.boolean(), product_collect_id: z.string(), removed_cards: z.int(), summary: z.string() }),
    idsOf: (i) => [i.product_collect_id],
    preview: {
      effect: z.object({ product, card_tasks: z.array(z.object({ task_id: z.string(), name: z.string(), status: z.string() })).describe('Email tasks that lose this card.') }),
      read: (ws, input) => {
        const row = loadProduct(ws, input.product_collect_id);
        const tasks = cardTasks(ws, [row.product_collect_id]);
        const scheduled = tasks.filter((t) => t.status === 'scheduled' || t.status === 'sending');
        if (scheduled.length) {
          throw new ToolError('CONFLICT', `Product ${row.product_collect_id} is a card of email task(s) in their send flow: ${scheduled.map((t) => t.task_id).join(', ')}.`, {
            hint: 'Cancel those schedules (email_cancel) or remove the card with email_content_save first.',
          });
        }
        return {
          effect: { product: toProduct(ws, row), card_tasks: sample(tasks, 50) },
          state: { product: row.updated_at, tasks: tasks.map((t) => t.task_id) },
          summary: `Delete product "${row.title}" (${row.product_collect_id})${tasks.length ? `; ${tasks.length} email task(s) lose the card` : ''}.`,
        };
      },
    },
    run: (ws, input) => {
      const n = ws.db.prepare('SELECT COUNT(*) FROM email_task_products WHERE product_collect_id = ?').pluck().get(input.product_collect_id) as number;
      ws.db.prepare('DELETE FROM products WHERE product_collect_id = ?').run(input.product_collect_id);
      return { deleted: true, product_collect_id: input.product_collect_id, removed_cards: n, summary: `Deleted product ${input.product_collect_id}; removed it from ${n} email task(s).` };
    },
  }),
  defineOperation({
    name: 'product.image_upload',
    toolset: 'product',
    title: 'Upload a product image',
    description: 'Uploads an image (png, jpg, webp, gif; ≤5 MB) from the files root or base64 and returns a public file_url to use as thumbnail_url.',
    kind: 'write',
    risk: 'low',
    route: { method: 'POST', path: '/products/images' },
    input: z.strictObject(fileFields(IMAGE_RULES.maxBytes, 'An image (.png, .jpg, .webp, .gif)')),
    output: z.object({ file_id: z.string(), file_url: z.string(), file_name: z.string(), size: z.int(), sha256: z.string() }),
    idsOf: (_i, o) => [o.file_id],
    run: (ws, input) => {
      const file = loadFile(ws, input, IMAGE_RULES);
      const fid = ws.newId('file');
      const url = `${PUBLIC_FILES}/${fid}/${encodeURIComponent(file.name)}`;
      const digest = sha256(file.bytes);
      ws.db
        .prepare(`INSERT INTO uploaded_files (file_id, purpose, file_name, size, sha256, content, public_url, created_at) VALUES (?, 'product_image', ?, ?, ?, ?, ?, ?)`)
        .run(fid, file.name, file.bytes.length, digest, file.bytes, url, ws.now().toISOString());
      return { file_id: fid, file_url: url, file_name: file.name, size: file.bytes.length, sha256: digest };
    },
  }),
  defineOperation({
    name: 'product.tags_list',
    toolset: 'product',
    title: 'List product tags',
    description: 'Lists Product Center tags with how many products carry each.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/products/tags' },
    input: z.strictObject({ ...pageInput }),
    output: paged(tag),
    run: (ws, input) => pageQuery<TagRow, z.input<typeof tag>>(ws, { select: '*', from: 'FROM product_tags', order: 'name, tag_id' }, input, (r) => toTag(ws, r)),
  }),
  defineOperation({
    name: 'product.tag_create',
    toolset: 'product',
    title: 'Create a product tag',
    description: 'Creates a Product Center tag; returns its tag_id.',
    kind: 'write',
    risk: 'low',
    route: { method: 'POST', path: '/products/tags' },
    input: z.strictObject({ name: tagName }),
    output: tag,
    idsOf: (_i, o) => [o.tag_id],
    run: (ws, input) => {
      checkTagName(ws, input.name);
      const tid = ws.newId('ptag');
      ws.db.prepare('INSERT INTO product_tags (tag_id, name) VALUES (?, ?)').run(tid, input.name);
      return toTag(ws, loadTag(ws, tid));
    },
  }),
  defineOperation({
    name: 'product.tag_update',
    toolset: 'product',
    title: 'Rename a product tag',
    description: 'Renames one product tag (tag_id from product_tags_list).',
    kind: 'write',
    risk: 'low',
    hints: { idempotent: true },
    route: { method: 'PATCH', path: '/products/tags/:tag_id' },
    input: z.strictObject({ tag_id: id(`The tag's id. ${HINT_TAG}`), name: tagName }),
    output: tag,
    idsOf: (i) => [i.tag_id],
    run: (ws, input) => {
      loadTag(ws, input.tag_id);
      checkTagName(ws, input.name, input.tag_id);
      ws.db.prepare('UPDATE product_tags SET name = ? WHERE tag_id = ?').run(input.name, input.tag_id);
      return toTag(ws, loadTag(ws, input.tag_id));
    },
  }),
  defineOperation({
    name: 'product.tag_delete',
    toolset: 'product',
    title: 'Delete product tags',
    description: 'Deletes product tags and removes them from every product; the products themselves stay.',
    kind: 'write',
    risk: 'high',
    confirm: true,
    route: { method: 'POST', path: '/products/tags/delete' },
    input: z.strictObject({ tag_ids: ids(`Tags to delete. ${HINT_TAG}`, 100) }),
    output: z.object({ deleted_count: z.int(), untagged_products: z.int(), summary: z.string() }),
    idsOf: (i) => [...i.tag_ids],
    preview: {
      effect: z.object({ tags: z.array(tag), will_untag_products: z.int() }),
      read: (ws, input) => {
        const tagIds = [...new Set(input.tag_ids)].sort();
        const tags = tagIds.map((t) => toTag(ws, loadTag(ws, t)));
        const n = untagCount(ws, tagIds);
        return {
          effect: { tags, will_untag_products: n },
          state: { tags: tags.map((t) => [t.tag_id, t.product_count]) },
          summary: `Delete ${tags.length} product tag(s) (${tags.map((t) => t.name).join(', ')}); ${n} product(s) lose a tag.`,
        };
      },
    },
    run: (ws, input) => {
      const tagIds = [...new Set(input.tag_ids)];
      const n = untagCount(ws, tagIds);
      const res = ws.db.prepare(`DELETE FROM product_tags WHERE ${inJson('tag_id')}`).run(JSON.stringify(tagIds));
      return { deleted_count: res.changes, untagged_products: n, summary: `Deleted ${res.changes} tag(s); ${n} product(s) untagged.` };
    },
  }),
];

function untagCount(ws: Workspace, tagIds: string[]): number {
  return ws.db.prepare(`SELECT COUNT(DISTINCT product_collect_id) FROM product_tag_links WHERE ${inJson('tag_id')}`).pluck().get(JSON.stringify(tagIds)) as number;
}
