// Creator search and lookup in the embedded workspace.
import type { z } from 'zod';
import { creators, type creator } from '../../tools/discovery/creators.js';
import { WHERE } from '../../tools/hints.js';
import { invalid, notFound } from '../../src/errors.js';
import { implement, type Implemented } from '../implement.js';
import { escapeLike, inJson, pageQuery, Where } from '../shared.js';
import { nearestTags } from './nearest.js';
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

type SearchInput = z.infer<typeof creators.search.input>;

/** The conditions of what the agent asked for; `exclude` adds the exclusion filters too. */
function conditions(ws: Workspace, input: SearchInput, words: string[], exclude: boolean): Where {
  const w = new Where()
    .maybe(input.platform, 'platform = ?', input.platform)
    .maybe(input.country, 'country = ?', input.country)
    .maybe(input.followers_min, 'followers >= ?', input.followers_min)
    .maybe(input.followers_max, 'followers <= ?', input.followers_max)
    .maybe(input.has_email, 'has_email = ?', input.has_email ? 1 : 0);
  for (const word of words) {
    const like = `%${escapeLike(word)}%`;
    // Tags are matched as values, never as their JSON text (a quote would match every creator).
    w.add(`(nickname LIKE ? ESCAPE '\\' OR channel_id LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM json_each(tags_json) WHERE value LIKE ? ESCAPE '\\'))`, like, like, like);
  }
  if (!exclude) return w;
  if (input.exclude_collection_ids) {
    const ids = [...new Set(input.exclude_collection_ids)];
    const known = new Set(
      ws.db
        .prepare(`SELECT collection_id FROM collections WHERE ${inJson('collection_id')}`)
        .pluck()
        .all(JSON.stringify(ids)) as string[],
    );
    // An id that names no collection would exclude nothing, silently: refuse it.
    const missing = ids.find((id) => !known.has(id));
    if (missing) throw notFound('collection', missing, WHERE.collection);
    w.add(`NOT EXISTS (SELECT 1 FROM collection_items i WHERE i.creator_id = c.creator_id AND ${inJson('i.collection_id')})`, JSON.stringify(ids));
  }
  if (input.exclude_in_crm) w.add('NOT EXISTS (SELECT 1 FROM crm_channels k WHERE k.creator_id = c.creator_id)');
  // Contacted: every recipient a sent task reached or tried to reach (a bounce included).
  if (input.exclude_contacted) w.add(`NOT EXISTS (SELECT 1 FROM email_recipients r WHERE r.creator_id = c.creator_id AND r.status IN ('sent','replied','bounced'))`);
  return w;
}

const excludes = (input: SearchInput) => !!(input.exclude_collection_ids || input.exclude_in_crm || input.exclude_contacted);

/** What to change when nothing matched: exclusions that hid every match, or the nearest known tags. */
function noMatch(ws: Workspace, input: SearchInput, words: string[]): { hint: string; nearest_tags: string[] } {
  const nearest = nearestTags(ws, words);
  if (excludes(input)) {
    const w = conditions(ws, input, words, false);
    const before = ws.db
      .prepare(`SELECT COUNT(*) FROM creators c ${w.sql}`)
      .pluck()
      .get(...w.params) as number;
    if (before > 0)
      return {
        hint: `All ${before} matching creator(s) are excluded by exclude_*: you already hold them. Widen the search (other keywords, platform or followers) for new ones.`,
        nearest_tags: nearest,
      };
  }
  const others = ['platform', 'country', 'followers_min', 'followers_max', 'has_email'].filter((k) => input[k as keyof SearchInput] !== undefined);
  const tried = words.length ? `No creator matches "${words.join(' ')}"${others.length ? ` with ${others.join(', ')}` : ''}.` : `No creator matches ${others.join(', ')}.`;
  const next = nearest.length ? ` Try a known tag as keywords: ${nearest.join(', ')}` : ' Try fewer or shorter keywords';
  return { hint: `${tried}${next}${others.length ? `, or drop ${others.join('/')}` : ''}. Keywords match nickname, channel id and tags (every word must match).`, nearest_tags: nearest };
}

export const creatorImplementations = {
  search: implement(creators.search, {
    run: (ws, input) => {
      if (input.followers_min !== undefined && input.followers_max !== undefined && input.followers_min > input.followers_max) {
        throw invalid('followers_min is greater than followers_max.', 'Swap the two bounds.');
      }
      const words = (input.keywords ?? '').split(/\s+/).filter(Boolean).slice(0, 8);
      const w = conditions(ws, input, words, true);
      const page = pageQuery<CreatorRow, Creator>(ws, { select: 'c.*', from: `FROM creators c ${w.sql}`, order: 'followers DESC, creator_id', params: w.params }, input, toCreator);
      return page.total > 0 ? page : { ...page, ...noMatch(ws, input, words) };
    },
  }),
  get: implement(creators.get, {
    run: (ws, input) => toCreator(findCreator(ws, input)),
  }),
} satisfies Implemented<typeof creators>;
