// Collections: where reviewed creators are kept, per platform, for the staged grouped operations.
import { z } from 'zod';
import { defineContract } from '../../src/catalog.js';
import { id, pageInput, paged, searchText, idString } from '../shared.js';

export const platformCounts = z.object({ youtube: z.int(), tiktok: z.int(), instagram: z.int(), total: z.int() });

export const collection = z.object({
  collection_id: z.string(),
  name: z.string(),
  description: z.string(),
  owner_uid: z.string().describe('user_uid of the team member who owns it.'),
  campaign_id: z.string().nullable(),
  item_counts: platformCounts,
  created_at: z.string(),
  updated_at: z.string(),
});

// Described once, in the instructions (SHARED_FIELDS).
export const collectionId = idString();
const collectionName = z.string().trim().min(1).max(200).describe('Collection name.');
const collectionDescription = z.string().max(2000).describe('What the collection is for.');

export const collections = {
  list: defineContract({
    name: 'collection.list',
    title: 'List collections',
    description: 'Lists creator collections with item counts per platform.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/collections' },
    input: z.strictObject({
      ownership: z.enum(['mine', 'all']).default('all').describe('mine: owned by the caller; all: the whole workspace.'),
      campaign_id: id('Only collections linked to this campaign.').optional(),
      keyword: searchText(200).optional().describe('Matches the name.'),
      ...pageInput,
    }),
    output: paged(collection),
  }),
  get: defineContract({
    name: 'collection.get',
    title: 'Get a collection',
    description: 'One collection with its campaign link and item counts per platform.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/collections/:collection_id' },
    input: z.strictObject({ collection_id: collectionId }),
    output: collection,
  }),
  create: defineContract({
    name: 'collection.create',
    title: 'Create a collection',
    description: 'Creates an empty collection, optionally linked to a campaign; returns its collection_id.',
    kind: 'write',
    risk: 'low',
    riskReason: 'Adds an empty collection; nothing existing changes.',
    route: { method: 'POST', path: '/collections' },
    input: z.strictObject({
      name: collectionName,
      description: collectionDescription.default(''),
      campaign_id: id('Campaign to link it to.').optional(),
    }),
    output: collection,
    idsOf: (_i, o) => [o.collection_id],
  }),
  update: defineContract({
    name: 'collection.update',
    title: 'Update a collection',
    description: 'Renames a collection, changes its description, or links it to a campaign (campaign_id null unlinks).',
    kind: 'write',
    risk: 'low',
    riskReason: "Edits one collection's name, description or campaign link; reversible.",
    hints: { idempotent: true },
    route: { method: 'PATCH', path: '/collections/:collection_id' },
    input: z.strictObject({
      collection_id: collectionId,
      name: collectionName.optional(),
      description: collectionDescription.optional(),
      campaign_id: id('Campaign to link; null unlinks.').nullable().optional(),
    }),
    output: collection,
    idsOf: (i) => [i.collection_id],
    campaignOf: (_i, o) => o.campaign_id ?? undefined,
  }),
  delete: defineContract({
    name: 'collection.delete',
    title: 'Delete a collection',
    description: 'Deletes one collection and its item list; creators, CRM channels and email tasks stay.',
    kind: 'write',
    risk: 'high',
    riskReason: 'Irreversible: removes the collection and all its items.',
    confirm: true,
    route: { method: 'DELETE', path: '/collections/:collection_id' },
    input: z.strictObject({ collection_id: collectionId }),
    output: z.object({ deleted: z.boolean(), collection_id: z.string(), campaign_id: z.string().nullable(), removed_items: z.int(), summary: z.string() }),
    effect: z.object({ collection, will_remove_items: z.int() }),
    idsOf: (i) => [i.collection_id],
  }),
};
