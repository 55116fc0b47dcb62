// What affiliate members bring: one member's overview, promotions and tracked orders, a campaign's
// ranking, and its performance exported as an Excel workbook.
import { z } from 'zod';
import { MEMBER_STATUSES } from '../vocabulary.js';
import { pageInput, paged } from '../shared.js';
import { defineAffiliationContract } from './define.js';
import { campaignId, totals } from './campaigns.js';
import { memberId, memberOut } from './members.js';

export const memberPerformance = {
  overview: defineAffiliationContract({
    name: 'affiliation.members_overview',
    cli: 'affiliation members overview',
    title: 'Affiliate member overview',
    description: 'One member: identity, status, discount code, tracking link and totals.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/affiliation/members/:member_id' },
    input: z.strictObject({ member_id: memberId }),
    output: memberOut.extend({ campaign_name: z.string(), conversion_rate: z.number(), first_order_at: z.string().nullable(), last_order_at: z.string().nullable() }),
  }),
  ranking: defineAffiliationContract({
    name: 'affiliation.members_performance',
    cli: 'affiliation members performance',
    title: 'Affiliate member performance',
    description: 'Members of one campaign ranked by revenue, orders or clicks, with commission and conversion.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/affiliation/campaigns/:campaign_id/members/performance' },
    input: z.strictObject({
      campaign_id: campaignId,
      sort_by: z.enum(['revenue', 'orders', 'clicks']).default('revenue').describe('Ranking metric, highest first.'),
      status: z.enum(MEMBER_STATUSES).optional().describe('Only members in this status.'),
      ...pageInput,
    }),
    output: paged(memberOut.extend({ conversion_rate: z.number() })).extend({ totals }),
  }),
  promotions: defineAffiliationContract({
    name: 'affiliation.members_promotions',
    cli: 'affiliation members promotions',
    title: 'Affiliate member promotions',
    description: "What an active member promotes: code, offer, tracking link and per-product links on the store's domain.",
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/affiliation/members/:member_id/promotions' },
    input: z.strictObject({ member_id: memberId }),
    output: z.object({
      member_id: z.string(),
      status: z.string(),
      discount_code: z.string().nullable(),
      offer: z.string().describe('The discount in words.'),
      tracking_link: z.string().nullable(),
      product_links: z.array(z.object({ title: z.string(), price: z.number(), url: z.string() })),
      note: z.string().nullable(),
    }),
  }),
  tracking: defineAffiliationContract({
    name: 'affiliation.members_tracking_detail',
    cli: 'affiliation members tracking-detail',
    title: 'Affiliate member tracking detail',
    description: "One member's tracked orders (newest first) with clicks and totals.",
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/affiliation/members/:member_id/tracking' },
    input: z.strictObject({ member_id: memberId, ...pageInput }),
    output: paged(z.object({ order_id: z.string(), amount: z.number(), commission: z.number(), ordered_at: z.string() })).extend({
      member_id: z.string(),
      tracking_link: z.string().nullable(),
      totals,
    }),
  }),
  export: defineAffiliationContract({
    name: 'affiliation.campaigns_export',
    cli: 'affiliation campaigns export',
    title: 'Export campaign performance',
    description: 'Writes the per-member performance (codes, links, clicks, orders, revenue, commission) of one affiliate campaign as a .xlsx file in the files root.',
    kind: 'write',
    risk: 'high',
    riskReason: 'Bulk export of affiliate data; can replace an existing file.',
    route: { method: 'POST', path: '/affiliation/campaigns/:campaign_id/export' },
    input: z.strictObject({
      campaign_id: campaignId,
      output_path: z
        .string()
        .min(1)
        .max(1024)
        .regex(/\.xlsx$/i, 'end with .xlsx'),
      overwrite: z.boolean().default(false).describe('Replace an existing file.'),
    }),
    output: z.object({ path: z.string(), bytes: z.int(), row_count: z.int(), summary: z.string() }),
    effect: z.object({ campaign_id: z.string(), row_count: z.int(), columns: z.array(z.string()), output_path: z.string(), will_overwrite: z.boolean() }),
    idsOf: (i) => [i.campaign_id],
  }),
};
