// Discovery: finding creators, so an agent holds creator_id values before it adds anyone anywhere.
import { z } from 'zod';
import { defineOperation } from '../workspace/legacy.js';
import type { Workspace } from '../workspace/workspace.js';
import { invalid, notFound } from '../src/errors.js';
import { escapeLike, id, pageInput, pageQuery, paged, platform, Where, searchText } from './shared.js';

export interface CreatorRow {
  creator_id: string;
  platform: string;
  channel_id: string;
  channel_url: string;
  nickname: string;
  followers: number;
  country: string | null;
  language: string | null;
  tags_json: string;
  engagement_rate: number;
  avg_views: number;
  has_email: number;
  email: string | null;
}

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

export const toCreator = (r: CreatorRow): z.input<typeof creator> => ({
  creator_id: r.creator_id,
  platform: r.platform,
  channel_id: r.channel_id,
  channel_url: r.channel_url,
  nickname: r.nickname,
  followers: r.followers,
  country: r.country,
  language: r.language,
  tags: JSON.parse(r.tags_json),
  engagement_rate: r.engagement_rate,
  avg_views: r.avg_views,
  has_email: r.has_email === 1,
});

export function findCreator(ws: Workspace, by: { creator_id?: string | undefined; platform?: string | undefined; channel_id?: string | undefined }): CreatorRow {
  if (by.creator_id) {
    const row = ws.db.prepare('SELECT * FROM creators WHERE creator_id = ?').get(by.creator_id) as CreatorRow | undefined;
    if (!row) throw notFound('creator', by.creator_id, 'Creator ids come from creator_search or collection_items.');
    return row;
  }
  const row = ws.db.prepare('SELECT * FROM creators WHERE platform = ? AND channel_id = ?').get(by.platform, by.channel_id) as CreatorRow | undefined;
  if (!row) throw notFound(`${by.platform} channel`, by.channel_id ?? '', 'Search with creator_search to find the creator_id; a URL or handle must be resolved to a creator first.');
  return row;
}

export const discoveryOperations = [
  defineOperation({
    name: 'creator.search',
    toolset: 'discovery',
    title: 'Search creators',
    description: 'Finds creators by platform, keywords (nickname, channel id or tag), country, follower range and whether an email is known. Returns creator_id values for collections, CRM and email.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/creators' },
    input: z.strictObject({
      platform: platform.optional(),
      keywords: searchText(200).optional().describe('Words matched against nickname, channel id and tags.'),
      country: z.string().regex(/^[A-Z]{2}$/).optional().describe('ISO 3166-1 alpha-2 code such as US.'),
      followers_min: z.int().min(0).optional().describe('Lowest follower count.'),
      followers_max: z.int().min(0).optional().describe('Highest follower count.'),
      has_email: z.boolean().optional().describe('true: only creators with a known email.'),
      ...pageInput,
    }),
    output: paged(creator),
    run: (ws, input) => {
      if (input.followers_min !== undefined && input.followers_max !== undefined && input.followers_min > input.followers_max) {
        throw invalid('followers_min is greater than followers_max.', 'Swap the two bounds.');
      }
      const w = new Where()
        .maybe(input.platform, 'platform = ?', input.platform)
        .maybe(input.country, 'country = ?', input.country)
        .maybe(input.followers_min, 'followers >= ?', input.followers_min)
        .maybe(input.followers_max, 'followers <= ?', input.followers_max)
        .maybe(input.has_email, 'has_email = ?', input.has_email ? 1 : 0);
      for (const word of (input.keywords ?? '').split(/\s+/).filter(Boolean).slice(0, 8)) {
        const like = `%${escapeLike(word)}%`;
        // Tags are matched as values, never as their JSON text (a quote would match every creator).
        w.add(`(nickname LIKE ? ESCAPE '\\' OR channel_id LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM json_each(tags_json) WHERE value LIKE ? ESCAPE '\\'))`, like, like, like);
      }
      return pageQuery<CreatorRow, z.input<typeof creator>>(
        ws,
        { select: '*', from: `FROM creators ${w.sql}`, order: 'followers DESC, creator_id', params: w.params },
        input,
        toCreator,
      );
    },
  }),
  defineOperation({
    name: 'creator.get',
    toolset: 'discovery',
    title: 'Get a creator',
    description: 'One creator by creator_id, or by platform + channel_id when you hold a raw platform identity. URLs and handles must be searched first.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/creators/lookup' },
    input: z
      .strictObject({
        creator_id: id('The creator id from creator_search or collection_items.').optional(),
        platform: platform.optional(),
        channel_id: z.string().min(1).max(128).optional().describe('The platform channel id (with platform).'),
      })
      .refine((v) => (v.creator_id ? !v.platform && !v.channel_id : !!v.platform && !!v.channel_id), {
        message: 'give creator_id, or platform together with channel_id',
      }),
    output: creator,
    run: (ws, input) => toCreator(findCreator(ws, input)),
  }),
];
