// Creator search and lookup in the embedded workspace.
import type { z } from 'zod';
import { creators, type creator } from '../../tools/discovery/creators.js';
import { WHERE } from '../../tools/hints.js';
import { invalid, notFound } from '../../src/errors.js';
import { implement, type Implemented } from '../implement.js';
import { escapeLike, pageQuery, Where } from '../shared.js';
import type { Workspace } from '../workspace.js';

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

type Creator = z.input<typeof creator>;

export const toCreator = (r: CreatorRow): Creator => ({
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
    if (!row) throw notFound('creator', by.creator_id, WHERE.creator);
    return row;
  }
  const row = ws.db.prepare('SELECT * FROM creators WHERE platform = ? AND channel_id = ?').get(by.platform, by.channel_id) as CreatorRow | undefined;
  if (!row) throw notFound(`${by.platform} channel`, by.channel_id ?? '', 'Search with creator_search to find the creator_id; a URL or handle must be resolved to a creator first.');
  return row;
}

export const creatorImplementations = {
  search: implement(creators.search, {
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
      return pageQuery<CreatorRow, Creator>(ws, { select: '*', from: `FROM creators ${w.sql}`, order: 'followers DESC, creator_id', params: w.params }, input, toCreator);
    },
  }),
  get: implement(creators.get, {
    run: (ws, input) => toCreator(findCreator(ws, input)),
  }),
} satisfies Implemented<typeof creators>;
