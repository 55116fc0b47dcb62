// Collection items: the creators kept in a collection, listed per platform and added by id.
import { z } from 'zod';
import { defineContract } from '../../src/catalog.js';
import { creatorIds, id, ids, paged, pageInputOf, platform, searchText } from '../shared.js';
import { collectionId } from './collections.js';

export const item = z.object({
  creator_id: z.string(),
  platform: z.string(),
  channel_id: z.string(),
  channel_url: z.string(),
  nickname: z.string(),
  followers: z.int(),
  country: z.string().nullable(),
  email: z.string().nullable().describe('Known after an email refresh.'),
  email_refreshed_at: z.string().nullable(),
  base_refreshed_at: z.string().nullable(),
  audience_unlocked: z.boolean(),
  label_ids: z.array(z.string()),
  added_at: z.string(),
  source: z.string().describe('added, imported, copied or moved.'),
});

const perCollection = z.object({ collection_id: z.string(), name: z.string(), will_add_count: z.int(), already_present_count: z.int() });

export const items = {
  list: defineContract({
    name: 'collection.items',
    title: 'List collection items',
    description: 'The creators of one collection on one platform, oldest first, with refresh state, labels and source.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/collections/:collection_id/items' },
    input: z.strictObject({
      collection_id: collectionId,
      platform,
      has_email: z.boolean().optional().describe('true: only items whose email is known (refreshed).'),
      keyword: searchText(200).optional().describe('Matches nickname or channel id.'),
      label_id: id('Only items carrying this label.').optional(),
      ...pageInputOf(15),
    }),
    output: paged(item).extend({ collection_id: z.string(), platform: z.string() }),
  }),
  add: defineContract({
    name: 'collection.add_creators',
    title: 'Add creators to collections',
    description: 'Adds creators of one platform to one or more collections, by creator_ids or channel_ids; ones present are reported, unknown ids listed.',
    kind: 'write',
    risk: 'high',
    riskReason: 'Bulk: adds up to hundreds of creators to several collections at once.',
    hints: { destructive: false },
    route: { method: 'POST', path: '/collections/add-creators' },
    input: z.strictObject({
      collection_ids: ids(undefined, 20),
      platform,
      creator_ids: creatorIds('Creator ids from creator_search or collection_items, all on the given platform.').optional(),
      channel_ids: ids('Raw platform channel ids of the given platform, when you hold no creator_id.').optional(),
    }),
    output: z.object({
      campaign_id: z.string().nullable().describe('The campaign of the first linked collection.'),
      added_count: z.int(),
      already_present_count: z.int(),
      not_found: z.array(z.string()),
      wrong_platform: z.array(z.string()),
      per_collection: z.array(perCollection.extend({ added_count: z.int() }).omit({ will_add_count: true })),
      summary: z.string(),
    }),
    effect: z.object({
      platform: z.string(),
      requested_count: z.int(),
      matched_count: z.int().describe('Requested ids that resolved to creators on this platform.'),
      will_add_count: z.int(),
      already_present_count: z.int(),
      not_found: z.array(z.string()).describe('Ids that match no creator (at most 50 shown).'),
      wrong_platform: z.array(z.string()).describe('Creator ids on another platform (at most 50 shown).'),
      per_collection: z.array(perCollection),
      sample: z.array(z.object({ creator_id: z.string(), nickname: z.string(), channel_url: z.string() })),
    }),
    idsOf: (i) => [...i.collection_ids],
  }),
};
