// Product Center products: what email tasks show as product cards.
import { z } from 'zod';
import { defineContract } from '../../src/catalog.js';
import { httpUrl, id, idString, imageFileFields, pageInput, paged, searchText, uploadedImage } from '../shared.js';

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

// Described once, in the instructions (SHARED_FIELDS).
const productId = idString();
const productFields = {
  title: z.string().trim().min(1).max(300).describe('Product title shown on the card.'),
  price: z.number().min(0).max(10_000_000).nullable().describe('null: unknown.'),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'a three-letter currency code such as USD')
    .describe('ISO 4217 currency code.'),
  thumbnail_url: httpUrl('Image URL (e.g. the file_url from product_image_upload).').nullable(),
  tag_ids: z.array(idString()).max(20),
};

export const products = {
  list: defineContract({
    name: 'product.list',
    title: 'List products',
    description: 'Lists Product Center products, newest first.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/products' },
    input: z.strictObject({
      keyword: searchText(200).optional().describe('Matches title, link or external product id.'),
      tag_id: id('Only products with this tag.').optional(),
      ...pageInput,
    }),
    output: paged(product),
  }),
  get: defineContract({
    name: 'product.get',
    title: 'Get a product',
    description: 'One product (by product_collect_id, not a marketplace id) with the email tasks that show it.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/products/:product_collect_id' },
    input: z.strictObject({ product_collect_id: productId }),
    output: product.extend({ email_task_ids: z.array(z.string()).describe('Email tasks showing this product card.') }),
  }),
  create: defineContract({
    name: 'product.create',
    title: 'Create a product',
    description: 'Creates a product from a shop link, or from external_product_id + product_type; returns its product_collect_id.',
    kind: 'write',
    risk: 'low',
    riskReason: 'Adds a product; nothing existing changes.',
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
  }),
  update: defineContract({
    name: 'product.update',
    title: 'Update a product',
    description: 'Changes the given fields of one product; tag_ids replaces the tag list.',
    kind: 'write',
    risk: 'low',
    riskReason: "Edits one product's fields; reversible by another update.",
    hints: { idempotent: true },
    route: { method: 'PATCH', path: '/products/:product_collect_id' },
    input: z.strictObject({
      product_collect_id: productId,
      title: productFields.title.optional(),
      link: httpUrl('Shop product page URL (only for link products).').optional(),
      price: productFields.price.optional(),
      currency: productFields.currency.optional(),
      thumbnail_url: productFields.thumbnail_url.optional(),
      tag_ids: productFields.tag_ids.optional(),
    }),
    output: product,
    idsOf: (i) => [i.product_collect_id],
  }),
  delete: defineContract({
    name: 'product.delete',
    title: 'Delete a product',
    description: 'Deletes one product; email tasks showing it lose that product card (the preview lists them).',
    kind: 'write',
    risk: 'high',
    riskReason: 'Irreversible: removes the product and its links to tags and cards.',
    confirm: true,
    route: { method: 'DELETE', path: '/products/:product_collect_id' },
    input: z.strictObject({ product_collect_id: productId }),
    output: z.object({ deleted: z.boolean(), product_collect_id: z.string(), removed_cards: z.int(), summary: z.string() }),
    effect: z.object({ product, card_tasks: z.array(z.object({ task_id: z.string(), name: z.string(), status: z.string() })).describe('Email tasks that lose this card.') }),
    idsOf: (i) => [i.product_collect_id],
  }),
  image_upload: defineContract({
    name: 'product.image_upload',
    cli: 'product image upload',
    title: 'Upload a product image',
    description: 'Uploads an image (png, jpg, webp, gif; ≤5 MB); returns a public file_url for thumbnail_url.',
    kind: 'write',
    risk: 'low',
    riskReason: 'Uploads one image and returns its URL; nothing existing changes.',
    route: { method: 'POST', path: '/products/images' },
    input: z.strictObject(imageFileFields()),
    output: uploadedImage,
    idsOf: (_i, o) => [o.file_id],
  }),
};
