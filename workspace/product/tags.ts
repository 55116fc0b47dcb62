// Product Center tags in the embedded workspace.
import type { z } from 'zod';
import { ToolError } from '../../src/errors.js';
import { tags, type tag } from '../../tools/product/tags.js';
import { WHERE } from '../../tools/hints.js';
import { implement, type Implemented } from '../implement.js';
import { getRow, inJson, pageQuery } from '../shared.js';
import type { Workspace } from '../workspace.js';

interface TagRow {
  tag_id: string;
  name: string;
}
type Tag = z.input<typeof tag>;

const toTag = (ws: Workspace, r: TagRow): Tag => ({
  ...r,
  product_count: ws.db.prepare('SELECT COUNT(*) FROM product_tag_links WHERE tag_id = ?').pluck().get(r.tag_id) as number,
});
const loadTag = (ws: Workspace, tid: string): TagRow => getRow<TagRow>(ws, 'product_tags', 'tag_id', tid, 'product tag', WHERE.productTag);

function checkTagName(ws: Workspace, name: string, except?: string): void {
  const other = ws.db
    .prepare('SELECT tag_id FROM product_tags WHERE name = ? COLLATE NOCASE AND tag_id IS NOT ?')
    .pluck()
    .get(name, except ?? null) as string | undefined;
  if (other) throw new ToolError('DUPLICATE_DATA', `A product tag named "${name}" exists (${other}).`, { hint: 'Use that tag_id, or choose another name.' });
}

/** Products that carry at least one of the tags. */
function untagCount(ws: Workspace, tagIds: string[]): number {
  return ws.db
    .prepare(`SELECT COUNT(DISTINCT product_collect_id) FROM product_tag_links WHERE ${inJson('tag_id')}`)
    .pluck()
    .get(JSON.stringify(tagIds)) as number;
}

export const tagsImplementations = {
  list: implement(tags.list, {
    run: (ws, input) => pageQuery<TagRow, Tag>(ws, { select: '*', from: 'FROM product_tags', order: 'name, tag_id' }, input, (r) => toTag(ws, r)),
  }),
  create: implement(tags.create, {
    run: (ws, input) => {
      checkTagName(ws, input.name);
      const tid = ws.newId('ptag');
      ws.db.prepare('INSERT INTO product_tags (tag_id, name) VALUES (?, ?)').run(tid, input.name);
      return toTag(ws, loadTag(ws, tid));
    },
  }),
  update: implement(tags.update, {
    run: (ws, input) => {
      loadTag(ws, input.tag_id);
      checkTagName(ws, input.name, input.tag_id);
      ws.db.prepare('UPDATE product_tags SET name = ? WHERE tag_id = ?').run(input.name, input.tag_id);
      return toTag(ws, loadTag(ws, input.tag_id));
    },
  }),
  delete: implement(tags.delete, {
    // One reading: every tag (an unknown one is NOT_FOUND) and how many products lose a tag.
    read: (ws, input) => {
      const tagIds = [...new Set(input.tag_ids)].sort();
      return { tags: tagIds.map((t) => toTag(ws, loadTag(ws, t))), untagged: untagCount(ws, tagIds) };
    },
    state: ({ tags: found }) => ({ tags: found.map((t) => [t.tag_id, t.product_count]) }),
    effect: (_ws, _input, { tags: found, untagged }) => ({
      effect: { tags: found, will_untag_products: untagged },
      summary: `Delete ${found.length} product tag(s) (${found.map((t) => t.name).join(', ')}); ${untagged} product(s) lose a tag.`,
    }),
    run: (ws, _input, _call, _loaded, { tags: found, untagged }) => {
      const res = ws.db.prepare(`DELETE FROM product_tags WHERE ${inJson('tag_id')}`).run(JSON.stringify(found.map((t) => t.tag_id)));
      return { deleted_count: res.changes, untagged_products: untagged, summary: `Deleted ${res.changes} tag(s); ${untagged} product(s) untagged.` };
    },
  }),
} satisfies Implemented<typeof tags>;
