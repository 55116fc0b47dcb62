// Product Center tags: labels that group products.
import { z } from 'zod';
import { defineContract } from '../../src/catalog.js';
import { ids, pageInput, paged, idString } from '../shared.js';

export const tag = z.object({ tag_id: z.string(), name: z.string(), product_count: z.int() });
const tagName = z.string().trim().min(1).max(60).describe('Tag name, unique (case-insensitive).');

export const tags = {
  list: defineContract({
    name: 'product.tags_list',
    cli: 'product tags list',
    title: 'List product tags',
    description: 'Lists Product Center tags with how many products carry each.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/products/tags' },
    input: z.strictObject({ ...pageInput }),
    output: paged(tag),
  }),
  create: defineContract({
    name: 'product.tag_create',
    cli: 'product tags create',
    title: 'Create a product tag',
    description: 'Creates a Product Center tag; returns its tag_id.',
    kind: 'write',
    risk: 'low',
    riskReason: 'Adds a product tag; nothing existing changes.',
    route: { method: 'POST', path: '/products/tags' },
    input: z.strictObject({ name: tagName }),
    output: tag,
    idsOf: (_i, o) => [o.tag_id],
  }),
  update: defineContract({
    name: 'product.tag_update',
    cli: 'product tags update',
    title: 'Rename a product tag',
    description: 'Renames one product tag; its products keep it.',
    kind: 'write',
    risk: 'low',
    riskReason: 'Renames one product tag; reversible.',
    hints: { idempotent: true },
    route: { method: 'PATCH', path: '/products/tags/:tag_id' },
    input: z.strictObject({ tag_id: idString(), name: tagName }),
    output: tag,
    idsOf: (i) => [i.tag_id],
  }),
  delete: defineContract({
    name: 'product.tag_delete',
    cli: 'product tags delete',
    title: 'Delete product tags',
    description: 'Deletes product tags and removes them from every product; the products themselves stay.',
    kind: 'write',
    risk: 'high',
    riskReason: 'Irreversible: removes the tag from every product.',
    confirm: true,
    route: { method: 'POST', path: '/products/tags/delete' },
    input: z.strictObject({ tag_ids: ids(undefined, 100) }),
    output: z.object({ deleted_count: z.int(), untagged_products: z.int(), summary: z.string() }),
    effect: z.object({ tags: z.array(tag), will_untag_products: z.int() }),
    idsOf: (i) => [...i.tag_ids],
  }),
};
