// Collection items in the embedded workspace: the paged listing and adding creators by id.
import type { z } from 'zod';
import type { item as itemSchema } from '../../tools/collection/items.js';
import { items } from '../../tools/collection/items.js';
import { invalid } from '../../src/errors.js';
import { implement, type Implemented } from '../implement.js';
import { escapeLike, inJson, parseJsonList, sample, Where } from '../shared.js';
import type { Workspace } from '../workspace.js';
import { firstCampaign, loadCollection, touch, type CollectionRow } from './collections.js';

interface ItemRow {
  creator_id: string;
  platform: string;
  channel_id: string;
  channel_url: string;
  nickname: string;
  followers: number;
  country: string | null;
  email: string | null;
  email_refreshed_at: string | null;
  base_refreshed_at: string | null;
  audience_unlocked: number;
  label_ids_json: string;
  added_at: string;
  source: string;
}

const toItem = (r: ItemRow): z.input<typeof itemSchema> => ({
  creator_id: r.creator_id,
  platform: r.platform,
  channel_id: r.channel_id,
  channel_url: r.channel_url,
  nickname: r.nickname,
  followers: r.followers,
  country: r.country,
  email: r.email,
  email_refreshed_at: r.email_refreshed_at,
  base_refreshed_at: r.base_refreshed_at,
  audience_unlocked: r.audience_unlocked === 1,
  label_ids: parseJsonList(r.label_ids_json),
  added_at: r.added_at,
  source: r.source,
});

type AddInput = z.output<typeof items.add.input>;

/** What an add resolves to: the collections, the usable creators, and which are already in each collection. */
interface AddPlan {
  collections: CollectionRow[];
  creatorIds: string[];
  notFound: string[];
  wrongPlatform: string[];
  present: Map<string, Set<string>>;
}

function readAdd(ws: Workspace, input: AddInput): AddPlan {
  if ((input.creator_ids ? 1 : 0) + (input.channel_ids ? 1 : 0) !== 1) {
    throw invalid('Give exactly one of creator_ids or channel_ids.', 'Use creator_ids from search results; channel_ids only for raw same-platform ids.');
  }
  const collections = [...new Set(input.collection_ids)].map((cid) => loadCollection(ws, cid));
  const wanted = [...new Set(input.creator_ids ?? input.channel_ids ?? [])];
  const key = input.creator_ids ? 'creator_id' : 'channel_id';
  const rows = (
    input.creator_ids
      ? ws.db.prepare(`SELECT creator_id, channel_id, platform FROM creators WHERE ${inJson('creator_id')}`).all(JSON.stringify(wanted))
      : ws.db.prepare(`SELECT creator_id, channel_id, platform FROM creators WHERE platform = ? AND ${inJson('channel_id')}`).all(input.platform, JSON.stringify(wanted))
  ) as { creator_id: string; channel_id: string; platform: string }[];
  const found = new Map(rows.map((r) => [r[key], r]));
  const creatorIds: string[] = [];
  const notFoundIds: string[] = [];
  const wrongPlatform: string[] = [];
  for (const w of wanted) {
    const r = found.get(w);
    if (!r) notFoundIds.push(w);
    else if (r.platform !== input.platform) wrongPlatform.push(w);
    else creatorIds.push(r.creator_id);
  }
  creatorIds.sort();
  const present = new Map<string, Set<string>>();
  const presentStmt = ws.db.prepare(`SELECT creator_id FROM collection_items WHERE collection_id = ? AND ${inJson('creator_id')}`).pluck();
  for (const c of collections) present.set(c.collection_id, new Set(presentStmt.all(c.collection_id, JSON.stringify(creatorIds)) as string[]));
  return { collections, creatorIds, notFound: notFoundIds, wrongPlatform, present };
}

function addCounts(plan: AddPlan) {
  const per = plan.collections.map((c) => {
    const present = plan.present.get(c.collection_id)!.size;
    return { collection_id: c.collection_id, name: c.name, will_add_count: plan.creatorIds.length - present, already_present_count: present };
  });
  return {
    per,
    willAdd: per.reduce((n, p) => n + p.will_add_count, 0),
    already: per.reduce((n, p) => n + p.already_present_count, 0),
  };
}

export const itemsImplementations = {
  list: implement(items.list, {
    run: (ws, input) => {
      loadCollection(ws, input.collection_id);
      const like = `%${escapeLike(input.keyword ?? '')}%`;
      const w = new Where()
        .add('i.collection_id = ?', input.collection_id)
        .add('i.platform = ?', input.platform)
        .maybe(input.has_email, input.has_email ? 'i.email IS NOT NULL' : 'i.email IS NULL')
        .maybe(input.keyword, `EXISTS (SELECT 1 FROM creators c WHERE c.creator_id = i.creator_id AND (c.nickname LIKE ? ESCAPE '\\' OR c.channel_id LIKE ? ESCAPE '\\'))`, like, like)
        .maybe(input.label_id, 'EXISTS (SELECT 1 FROM json_each(i.label_ids_json) WHERE value = ?)', input.label_id);
      // Count and skip on the items index alone; only the page's rows are joined to their creators,
      // so deep pages of a 100k-item collection stay fast.
      const total = ws.db
        .prepare(`SELECT COUNT(*) FROM collection_items i ${w.sql}`)
        .pluck()
        .get(...w.params) as number;
      const rows = ws.db
        .prepare(
          `SELECT i.creator_id, i.platform, c.channel_id, c.channel_url, c.nickname, c.followers, c.country, i.email, i.email_refreshed_at,
                  i.base_refreshed_at, i.audience_unlocked, i.label_ids_json, i.added_at, i.source
           FROM (SELECT i.creator_id AS k FROM collection_items i ${w.sql} ORDER BY i.added_at, i.creator_id LIMIT ? OFFSET ?) p
           JOIN collection_items i ON i.collection_id = ? AND i.creator_id = p.k JOIN creators c ON c.creator_id = i.creator_id
           ORDER BY i.added_at, i.creator_id`,
        )
        .all(...w.params, input.page_size, (input.page - 1) * input.page_size, input.collection_id) as ItemRow[];
      const page = { items: rows.map(toItem), total, page: input.page, page_size: input.page_size, has_more: input.page * input.page_size < total };
      return { ...page, collection_id: input.collection_id, platform: input.platform };
    },
  }),
  add: implement(items.add, {
    read: readAdd,
    state: (plan) => ({
      collections: Object.fromEntries(plan.collections.map((c) => [c.collection_id, c.name])),
      matched: plan.creatorIds,
      present: Object.fromEntries([...plan.present].map(([k, v]) => [k, [...v].sort()])),
    }),
    effect: (ws, input, plan) => {
      const s = addCounts(plan);
      const sampleIds = sample(plan.creatorIds.filter((c) => plan.collections.some((col) => !plan.present.get(col.collection_id)!.has(c))));
      const sampleRows = ws.db.prepare(`SELECT creator_id, nickname, channel_url FROM creators WHERE ${inJson('creator_id')} ORDER BY creator_id`).all(JSON.stringify(sampleIds)) as {
        creator_id: string;
        nickname: string;
        channel_url: string;
      }[];
      const unusable = plan.notFound.length + plan.wrongPlatform.length;
      return {
        effect: {
          platform: input.platform,
          requested_count: (input.creator_ids ?? input.channel_ids ?? []).length,
          matched_count: plan.creatorIds.length,
          will_add_count: s.willAdd,
          already_present_count: s.already,
          not_found: plan.notFound.slice(0, 50),
          wrong_platform: plan.wrongPlatform.slice(0, 50),
          per_collection: s.per,
          sample: sampleRows,
        },
        summary: `Add ${s.willAdd} ${input.platform} creator placement(s) to ${plan.collections.length} collection(s); ${s.already} already present${unusable ? `, ${unusable} id(s) not usable` : ''}.`,
      };
    },
    run: (ws, input, _call, _loaded, plan) => {
      const s = addCounts(plan);
      const at = ws.now().toISOString();
      const insert = ws.db.prepare(
        `INSERT OR IGNORE INTO collection_items (collection_id, creator_id, platform, added_at, source)
         SELECT ?, value, ?, ?, 'added' FROM json_each(?)`,
      );
      for (const c of plan.collections) insert.run(c.collection_id, input.platform, at, JSON.stringify(plan.creatorIds));
      touch(
        ws,
        plan.collections.map((c) => c.collection_id),
      );
      return {
        campaign_id: firstCampaign(plan.collections),
        added_count: s.willAdd,
        already_present_count: s.already,
        not_found: plan.notFound,
        wrong_platform: plan.wrongPlatform,
        per_collection: s.per.map(({ will_add_count, ...p }) => ({ ...p, added_count: will_add_count })),
        summary: `Added ${s.willAdd} creator placement(s); ${s.already} were already present.`,
      };
    },
  }),
} satisfies Implemented<typeof items>;
