// Campaign: the anchor of the working set (market, objective, scope).
import { z } from 'zod';
import { defineContract } from '../../src/catalog.js';
import { CAMPAIGN_STATUSES, PLATFORMS } from '../vocabulary.js';
import { pageInput, paged, searchText, idString } from '../shared.js';

export const campaign = z.object({
  campaign_id: z.string(),
  name: z.string(),
  objective: z.string(),
  markets: z.array(z.string()).describe('ISO 3166 country codes the campaign targets.'),
  platforms: z.array(z.string()),
  status: z.enum(CAMPAIGN_STATUSES),
  created_at: z.string(),
  updated_at: z.string(),
});

export const campaignCounts = z.object({
  collections: z.int(),
  collection_items: z.int(),
  crm_channels: z.int().describe('Active CRM channels of creators in the campaign collections.'),
  email_tasks: z.int(),
  threads_needing_reply: z.int().describe('Threads of the campaign email tasks with needs_reply true.'),
  exports: z.int(),
});

// Described once, in the instructions (SHARED_FIELDS).
const campaignId = idString();
const market = z.string().regex(/^[A-Z]{2}$/, 'a two-letter upper-case country code such as US');
const fields = {
  name: z.string().trim().min(1).max(200).describe('Campaign name.'),
  objective: z.string().trim().min(1).max(2000).describe('The goal, in a sentence or two.'),
  markets: z.array(market).max(50).describe('Target countries, ISO 3166-1 alpha-2.'),
  platforms: z.array(z.enum(PLATFORMS)).max(3).describe('Platforms in scope.'),
  status: z.enum(CAMPAIGN_STATUSES).describe('Campaign status.'),
};

export const campaigns = {
  list: defineContract({
    name: 'campaign.list',
    title: 'List campaigns',
    description: 'Lists campaigns, newest first: start here to pick the campaign anchor.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/campaigns' },
    input: z.strictObject({
      keyword: searchText(200).optional().describe('Matches name or objective.'),
      status: z.enum(CAMPAIGN_STATUSES).optional().describe('Only this status.'),
      ...pageInput,
    }),
    output: paged(campaign),
  }),
  dropdown: defineContract({
    name: 'campaign.dropdown',
    title: 'Campaign names and ids',
    description: 'Every campaign as a short {campaign_id, name, status} list, for choosing a campaign id.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/campaigns/dropdown' },
    input: z.strictObject({}),
    output: z.object({ items: z.array(z.object({ campaign_id: z.string(), name: z.string(), status: z.string() })) }),
  }),
  get: defineContract({
    name: 'campaign.get',
    title: 'Get a campaign',
    description: 'One campaign: name, objective, markets, platforms and status.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/campaigns/:campaign_id' },
    input: z.strictObject({ campaign_id: campaignId }),
    output: campaign,
  }),
  dashboard: defineContract({
    name: 'campaign.dashboard',
    title: 'Campaign dashboard',
    description: 'Counts for one campaign: collections, creators, CRM channels, email tasks, threads needing a reply, exports.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/campaigns/:campaign_id/dashboard' },
    input: z.strictObject({ campaign_id: campaignId }),
    output: z.object({ campaign: campaign, counts: campaignCounts }),
  }),
  create: defineContract({
    name: 'campaign.create',
    title: 'Create a campaign',
    description: 'Creates a campaign anchor; returns its campaign_id.',
    kind: 'write',
    risk: 'low',
    riskReason: 'Adds a new campaign anchor; nothing existing changes and it can be deleted.',
    route: { method: 'POST', path: '/campaigns' },
    input: z.strictObject({ ...fields, markets: fields.markets.default([]), platforms: fields.platforms.default([]), status: fields.status.default('draft') }),
    output: campaign,
    idsOf: (_i, o) => [o.campaign_id],
    campaignOf: (_i, o) => o.campaign_id,
  }),
  update: defineContract({
    name: 'campaign.update',
    title: 'Update a campaign',
    description: 'Changes the given fields of one campaign; omitted fields stay as they are.',
    kind: 'write',
    risk: 'low',
    riskReason: 'Edits fields of one campaign; reversible by another update.',
    route: { method: 'PATCH', path: '/campaigns/:campaign_id' },
    hints: { idempotent: true },
    input: z.strictObject({
      campaign_id: campaignId,
      name: fields.name.optional(),
      objective: fields.objective.optional(),
      markets: fields.markets.optional(),
      platforms: fields.platforms.optional(),
      status: fields.status.optional(),
    }),
    output: campaign,
    idsOf: (i) => [i.campaign_id],
  }),
  delete: defineContract({
    name: 'campaign.delete',
    title: 'Delete a campaign',
    description: 'Deletes one campaign and its context; its collections and email tasks stay, unlinked.',
    kind: 'write',
    risk: 'high',
    riskReason: 'Irreversible: removes the campaign and unlinks its collections.',
    confirm: true,
    route: { method: 'DELETE', path: '/campaigns/:campaign_id' },
    input: z.strictObject({ campaign_id: campaignId }),
    output: z.object({ deleted: z.boolean(), campaign_id: z.string(), unlinked_collections: z.int(), unlinked_email_tasks: z.int(), summary: z.string() }),
    effect: z.object({ campaign: campaign, counts: campaignCounts, will_unlink: z.object({ collections: z.int(), email_tasks: z.int() }) }),
    idsOf: (i) => [i.campaign_id],
  }),
};
