// Discovery: finding creators, so an agent holds creator_id values before it adds anyone anywhere.
import { z } from 'zod';
import { defineContract } from '../../src/catalog.js';
import { idString, paged, pageInput, platform, searchText, creatorIdString } from '../shared.js';

export const creator = z.object({
  creator_id: z.string().describe('Use this id in every other tool.'),
  platform: z.string(),
  channel_id: z.string(),
  channel_url: z.string(),
  nickname: z.string(),
  followers: z.int(),
  country: z.string().nullable(),
  language: z.string().nullable(),
  tags: z.array(z.string()),
  engagement_rate: z.number().describe('Percent.'),
  avg_views: z.int(),
  has_email: z.boolean().describe('Whether an email is known; the address itself appears only after a refresh or in an export.'),
});

export const creators = {
  search: defineContract({
    name: 'creator.search',
    toolset: 'discovery',
    title: 'Search creators',
    description: 'Finds creators by platform, keywords, country, followers and known email (exclude_* skip ones you hold); with no match, a hint and the nearest tags.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/creators' },
    input: z.strictObject({
      platform: platform.optional(),
      keywords: searchText(200).optional().describe('Words matched against nickname, channel id and tags.'),
      country: z
        .string()
        .regex(/^[A-Z]{2}$/)
        .optional()
        .describe('ISO 3166-1 alpha-2, e.g. US.'),
      followers_min: z.int().min(0).optional().describe('Lowest follower count.'),
      followers_max: z.int().min(0).optional().describe('Highest follower count.'),
      has_email: z.boolean().optional().describe('true: only creators with a known email.'),
      exclude_collection_ids: z.array(idString()).min(1).max(20).optional().describe('Leave out creators in these collections.'),
      exclude_in_crm: z.boolean().optional().describe('true: leave out creators in the CRM.'),
      exclude_contacted: z.boolean().optional().describe('true: leave out recipients of sent email tasks.'),
      ...pageInput,
    }),
    output: paged(creator).extend({
      hint: z.string().optional().describe('Only when nothing matches: what to change.'),
      nearest_tags: z.array(z.string()).optional().describe('Only when nothing matches: known tags nearest the keywords.'),
    }),
  }),
  get: defineContract({
    name: 'creator.get',
    toolset: 'discovery',
    title: 'Get a creator',
    description: 'One creator by creator_id, or by platform + channel_id; search URLs and handles first.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/creators/lookup' },
    input: z
      .strictObject({
        creator_id: creatorIdString().optional(),
        platform: platform.optional(),
        channel_id: z.string().min(1).max(128).optional().describe('The platform channel id (with platform).'),
      })
      .refine((v) => (v.creator_id ? !v.platform && !v.channel_id : !!v.platform && !!v.channel_id), {
        message: 'give creator_id, or platform together with channel_id',
      }),
    output: creator,
  }),
};
