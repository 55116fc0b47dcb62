// Affiliate campaigns of a Shopify store: commission and discount terms, and whether activation can
// issue codes under them.
import { z } from 'zod';
import { pageInput, paged, idString } from '../shared.js';
import { defineAffiliationContract } from './define.js';
import { storeId } from './stores.js';

export const AFFILIATE_CAMPAIGN_STATUSES = ['active', 'paused', 'ended'] as const;
export const COMMISSION_TYPES = ['percentage', 'fixed'] as const;
export const DISCOUNT_METHODS = ['percentage', 'fixed_amount', 'free_shipping', 'none'] as const;

// Described once, in the instructions (SHARED_FIELDS).
export const campaignId = idString();

export const discountDetail = z
  .strictObject({
    value: z.number().optional().describe('percentage: percent off, (0, 100]; fixed_amount: store currency, > 0.'),
    min_order_amount: z.number().min(0).optional().describe('Minimum order subtotal.'),
  })
  .describe('For discount_method.');
export type DiscountDetail = z.output<typeof discountDetail>;

export const campaignOut = z.object({
  campaign_id: z.string(),
  store_id: z.string(),
  name: z.string(),
  commission_type: z.enum(COMMISSION_TYPES),
  commission_value: z.number(),
  discount_method: z.enum(DISCOUNT_METHODS),
  discount_detail: z.object({ value: z.number().optional(), min_order_amount: z.number().optional() }),
  status: z.enum(AFFILIATE_CAMPAIGN_STATUSES),
  settings_complete: z.boolean().describe('Activation issues discount codes and links only when true.'),
  settings_problems: z.array(z.string()),
  created_at: z.string(),
  updated_at: z.string(),
});

export const totals = z.object({ clicks: z.int(), orders: z.int(), revenue: z.number(), commission: z.number(), conversion_rate: z.number().describe('orders / clicks.') });
export const memberCounts = z.object({ pending: z.int(), active: z.int(), terminated: z.int() });

const termsFields = {
  commission_type: z.enum(COMMISSION_TYPES).describe('percentage of the order, or fixed per order.'),
  commission_value: z.number().describe('percentage: (0, 100]; fixed: > 0, store currency.'),
  discount_method: z.enum(DISCOUNT_METHODS).describe('What the member code gives; none: no code can be issued.'),
  discount_detail: discountDetail,
  status: z.enum(AFFILIATE_CAMPAIGN_STATUSES).describe('Campaign status.'),
};

export const campaigns = {
  list: defineAffiliationContract({
    name: 'affiliation.campaigns_list',
    cli: 'affiliation campaigns list',
    title: 'List affiliate campaigns',
    description: 'Affiliate campaigns of one authorized store.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/affiliation/campaigns' },
    input: z.strictObject({ store_id: storeId, status: z.enum(AFFILIATE_CAMPAIGN_STATUSES).optional().describe('Only this status.'), ...pageInput }),
    output: paged(campaignOut),
  }),
  get: defineAffiliationContract({
    name: 'affiliation.campaigns_get',
    cli: 'affiliation campaigns get',
    title: 'Get an affiliate campaign',
    description: 'One affiliate campaign: commission, discount and whether its settings let activation issue codes.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/affiliation/campaigns/:campaign_id' },
    input: z.strictObject({ campaign_id: campaignId }),
    output: campaignOut,
  }),
  overview: defineAffiliationContract({
    name: 'affiliation.campaigns_overview',
    cli: 'affiliation campaigns overview',
    title: 'Affiliate campaign overview',
    description: 'Member counts by status and totals (clicks, orders, revenue, commission) of one affiliate campaign.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/affiliation/campaigns/:campaign_id/overview' },
    input: z.strictObject({ campaign_id: campaignId }),
    output: z.object({ campaign: campaignOut, currency: z.string(), members: memberCounts, totals }),
  }),
  create: defineAffiliationContract({
    name: 'affiliation.campaigns_create',
    cli: 'affiliation campaigns create',
    title: 'Create an affiliate campaign',
    description: 'Creates an affiliate campaign in an authorized store with commission and discount terms; returns its campaign_id.',
    kind: 'write',
    risk: 'low',
    riskReason: 'Adds an affiliate campaign; nothing existing changes.',
    route: { method: 'POST', path: '/affiliation/campaigns' },
    input: z.strictObject({
      store_id: storeId,
      name: z.string().trim().min(1).max(200).describe('Campaign name.'),
      ...termsFields,
      discount_method: termsFields.discount_method.default('none'),
      discount_detail: discountDetail.default({}),
      status: termsFields.status.default('active'),
    }),
    output: campaignOut,
    idsOf: (_i, o) => [o.campaign_id],
  }),
  update: defineAffiliationContract({
    name: 'affiliation.campaigns_update',
    cli: 'affiliation campaigns update',
    title: 'Update an affiliate campaign',
    description: 'Changes the given fields of one affiliate campaign (terms are re-checked as a whole). Codes already issued are kept.',
    kind: 'write',
    risk: 'low',
    riskReason: 'Edits one affiliate campaign; reversible.',
    hints: { idempotent: true },
    route: { method: 'PATCH', path: '/affiliation/campaigns/:campaign_id' },
    input: z.strictObject({
      campaign_id: campaignId,
      name: z.string().trim().min(1).max(200).optional().describe('Campaign name.'),
      commission_type: termsFields.commission_type.optional(),
      commission_value: termsFields.commission_value.optional(),
      discount_method: termsFields.discount_method.optional(),
      discount_detail: discountDetail.optional(),
      status: termsFields.status.optional(),
    }),
    output: campaignOut,
    idsOf: (i) => [i.campaign_id],
  }),
  delete: defineAffiliationContract({
    name: 'affiliation.campaigns_delete',
    cli: 'affiliation campaigns delete',
    title: 'Delete an affiliate campaign',
    description: 'Deletes one affiliate campaign with its members, codes, links and order history; its message threads are kept.',
    kind: 'write',
    risk: 'high',
    riskReason: 'Irreversible: removes the affiliate campaign and its members.',
    confirm: true,
    route: { method: 'DELETE', path: '/affiliation/campaigns/:campaign_id' },
    input: z.strictObject({ campaign_id: campaignId }),
    output: z.object({ deleted: z.boolean(), campaign_id: z.string(), removed_members: z.int(), removed_orders: z.int(), summary: z.string() }),
    effect: z.object({ campaign: campaignOut, members: memberCounts, will_remove_members: z.int(), will_remove_orders: z.int(), active_codes_deactivated: z.int(), threads_kept: z.int() }),
    idsOf: (i) => [i.campaign_id],
  }),
};
