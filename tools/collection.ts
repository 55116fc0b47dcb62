// Collections: where reviewed creators are kept, per platform, for the staged grouped operations.
import { z } from 'zod';
import { defineOperation, type CallInfo, type Catalog } from '../src/catalog.js';
import type { Workspace } from '../src/backend/local/workspace.js';
import { invalid, notFound } from '../src/errors.js';
import { actingUser, escapeLike, getRow, id, ids, inJson, pageInput, pageQuery, paged, parseJsonList, platform, sample, Where } from './shared.js';

const HINT_ID = 'Collection ids come from collection_list.';

interface CollectionRow {
  collection_id: string;
  name: string;
  owner_uid: string;
  campaign_id: string | null;
  description: string;
  created_at: string;
  updated_at: string;
}

const platformCounts = z.object({ youtube: z.int(), tiktok: z.int(), instagram: z.int(), total: z.int() });

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

export function loadCollection(ws: Workspace, collectionId: string): CollectionRow {
  return getRow<CollectionRow>(ws, 'collections', 'collection_id', collectionId, 'collection', HINT_ID);
}

function itemCounts(ws: Workspace, collectionId: string): z.input<typeof platformCounts> {
  const rows = ws.db.prepare('SELECT platform, COUNT(*) AS n FROM collection_items WHERE collection_id = ? GROUP BY platform').all(collectionId) as { platform: string; n: number }[];
  const counts = { youtube: 0, tiktok: 0, instagram: 0, total: 0 };
  for (const r of rows) {
    counts[r.platform as keyof typeof counts] = r.n;
    counts.total += r.n;
  }
  return counts;
}

const toCollection = (ws: Workspace, r: CollectionRow): z.input<typeof collection> => ({
  collection_id: r.collection_id,
  name: r.name,
  description: r.description,
  owner_uid: r.owner_uid,
  campaign_id: r.campaign_id,
  item_counts: itemCounts(ws, r.collection_id),
  created_at: r.created_at,
  updated_at: r.updated_at,
});

const item = z.object({
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

const toItem = (r: ItemRow): z.input<typeof item> => ({
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

const collectionId = id(`The collection's id. ${HINT_ID}`);
const collectionName = z.string().trim().min(1).max(200).describe('Collection name.');
const collectionDescription = z.string().max(2000).describe('What the collection is for.');

function touch(ws: Workspace, collectionIds: string[]): void {
  ws.db.prepare(`UPDATE collections SET updated_at = ? WHERE ${inJson('collection_id')}`).run(ws.now().toISOString(), JSON.stringify(collectionIds));
}

function checkCampaign(ws: Workspace, campaignId: string | null | undefined): void {
  if (campaignId && !ws.db.prepare('SELECT 1 FROM campaigns WHERE campaign_id = ?').get(campaignId)) {
    throw notFound('campaign', campaignId, 'Campaign ids come from campaign_list.');
  }
}

// ---------------------------------------------------------------------------------------------
// add-creators: resolution shared by preview and apply

const addInput = z.strictObject({
  collection_ids: ids('Collections to add to (from collection_list).', 20),
  platform,
  creator_ids: ids('Creator ids from creator_search or collection_items, all on the given platform.').optional(),
  channel_ids: ids('Raw platform channel ids of the given platform, when you hold no creator_id.').optional(),
});
type AddInput = z.output<typeof addInput>;

interface AddPlan {
  collections: CollectionRow[];
  creatorIds: string[];
  notFound: string[];
  wrongPlatform: string[];
  present: Map<string, Set<string>>;
}

function planAdd(ws: Workspace, input: AddInput): AddPlan {
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

const perCollection = z.object({ collection_id: z.string(), name: z.string(), will_add_count: z.int(), already_present_count: z.int() });

function addSummary(plan: AddPlan) {
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

// ---------------------------------------------------------------------------------------------

export const collectionOperations = [
  defineOperation({
    name: 'collection.list',
    toolset: 'collection',
    title: 'List collections',
    description: 'Lists creator collections with item counts per platform; ownership "mine" keeps those owned by the acting team member.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/collections' },
    input: z.strictObject({
      ownership: z.enum(['mine', 'all']).default('all').describe('mine: owned by the acting team member; all: the whole workspace.'),
      campaign_id: id('Only collections linked to this campaign.').optional(),
      keyword: z.string().max(200).optional().describe('Matches the name.'),
      ...pageInput,
    }),
    output: paged(collection),
    run: (ws, input, call) => {
      const w = new Where()
        .maybe(input.ownership === 'mine' ? true : undefined, 'owner_uid = ?', actingUser(ws, call))
        .maybe(input.campaign_id, 'campaign_id = ?', input.campaign_id)
        .maybe(input.keyword, `name LIKE ? ESCAPE '\\'`, `%${escapeLike(input.keyword ?? '')}%`);
      return pageQuery<CollectionRow, z.input<typeof collection>>(ws, { select: '*', from: `FROM collections ${w.sql}`, order: 'updated_at DESC, collection_id', params: w.params }, input, (r) => toCollection(ws, r));
    },
  }),
  defineOperation({
    name: 'collection.get',
    toolset: 'collection',
    title: 'Get a collection',
    description: 'One collection with its campaign link and item counts per platform.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/collections/:collection_id' },
    input: z.strictObject({ collection_id: collectionId }),
    output: collection,
    run: (ws, input) => toCollection(ws, loadCollection(ws, input.collection_id)),
  }),
  defineOperation({
    name: 'collection.items',
    toolset: 'collection',
    title: 'List collection items',
    description: 'The creators of one collection on one platform, oldest first, with refresh state, labels and source.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/collections/:collection_id/items' },
    input: z.strictObject({
      collection_id: collectionId,
      platform,
      has_email: z.boolean().optional().describe('true: only items whose email is known (refreshed).'),
      keyword: z.string().max(200).optional().describe('Matches nickname or channel id.'),
      label_id: id('Only items carrying this label.').optional(),
      ...pageInput,
    }),
    output: paged(item).extend({ collection_id: z.string(), platform: z.string() }),
    run: (ws, input) => {
      loadCollection(ws, input.collection_id);
      const like = `%${escapeLike(input.keyword ?? '')}%`;
      const w = new Where()
        .add('i.collection_id = ?', input.collection_id)
        .add('i.platform = ?', input.platform)
        .maybe(input.has_email, input.has_email ? 'i.email IS NOT NULL' : 'i.email IS NULL')
        .maybe(input.keyword, `(c.nickname LIKE ? ESCAPE '\\' OR c.channel_id LIKE ? ESCAPE '\\')`, like, like)
        .maybe(input.label_id, 'EXISTS (SELECT 1 FROM json_each(i.label_ids_json) WHERE value = ?)', input.label_id);
      const page = pageQuery<ItemRow, z.input<typeof item>>(
        ws,
        {
          select: `i.creator_id, i.platform, c.channel_id, c.channel_url, c.nickname, c.followers, c.country, i.email, i.email_refreshed_at,
                   i.base_refreshed_at, i.audience_unlocked, i.label_ids_json, i.added_at, i.source`,
          from: `FROM collection_items i JOIN creators c ON c.creator_id = i.creator_id ${w.sql}`,
          order: 'i.added_at, i.creator_id',
          params: w.params,
        },
        input,
        toItem,
      );
      return { ...page, collection_id: input.collection_id, platform: input.platform };
    },
  }),
  defineOperation({
    name: 'collection.create',
    toolset: 'collection',
    title: 'Create a collection',
    description: 'Creates an empty collection owned by the acting team member, optionally linked to a campaign; returns its collection_id.',
    kind: 'write',
    risk: 'low',
    route: { method: 'POST', path: '/collections' },
    input: z.strictObject({
      name: collectionName,
      description: collectionDescription.default(''),
      campaign_id: id('Campaign to link it to (from campaign_list).').optional(),
    }),
    output: collection,
    idsOf: (_i, o) => [o.collection_id],
    run: (ws, input, call: CallInfo) => {
      checkCampaign(ws, input.campaign_id);
      const cid = ws.newId('col');
      const at = ws.now().toISOString();
      ws.db
        .prepare('INSERT INTO collections (collection_id, name, owner_uid, campaign_id, description, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(cid, input.name, actingUser(ws, call), input.campaign_id ?? null, input.description, at, at);
      return toCollection(ws, loadCollection(ws, cid));
    },
  }),
  defineOperation({
    name: 'collection.update',
    toolset: 'collection',
    title: 'Update a collection',
    description: 'Renames a collection, changes its description, or links it to a campaign (campaign_id null unlinks).',
    kind: 'write',
    risk: 'low',
    hints: { idempotent: true },
    route: { method: 'PATCH', path: '/collections/:collection_id' },
    input: z.strictObject({
      collection_id: collectionId,
      name: collectionName.optional(),
      description: collectionDescription.optional(),
      campaign_id: id('Campaign to link (from campaign_list); null removes the link.').nullable().optional(),
    }),
    output: collection,
    idsOf: (i) => [i.collection_id],
    campaignOf: (_i, o) => o.campaign_id ?? undefined,
    run: (ws, input) => {
      const row = loadCollection(ws, input.collection_id);
      checkCampaign(ws, input.campaign_id);
      ws.db
        .prepare('UPDATE collections SET name = ?, description = ?, campaign_id = ?, updated_at = ? WHERE collection_id = ?')
        .run(input.name ?? row.name, input.description ?? row.description, input.campaign_id === undefined ? row.campaign_id : input.campaign_id, ws.now().toISOString(), row.collection_id);
      return toCollection(ws, loadCollection(ws, row.collection_id));
    },
  }),
  defineOperation({
    name: 'collection.delete',
    toolset: 'collection',
    title: 'Delete a collection',
    description: 'Deletes one collection and its item list. The creators, their CRM channels and email tasks are not touched.',
    kind: 'write',
    risk: 'high',
    confirm: true,
    route: { method: 'DELETE', path: '/collections/:collection_id' },
    input: z.strictObject({ collection_id: collectionId }),
    output: z.object({ deleted: z.boolean(), collection_id: z.string(), removed_items: z.int(), summary: z.string() }),
    idsOf: (i) => [i.collection_id],
    preview: {
      effect: z.object({ collection, will_remove_items: z.int() }),
      read: (ws, input) => {
        const row = loadCollection(ws, input.collection_id);
        const c = toCollection(ws, row);
        return {
          effect: { collection: c, will_remove_items: c.item_counts.total },
          state: { collection: { updated_at: row.updated_at, items: c.item_counts } },
          summary: `Delete collection "${row.name}" (${row.collection_id}) with ${c.item_counts.total} item(s).`,
        };
      },
    },
    run: (ws, input) => {
      const n = itemCounts(ws, input.collection_id).total;
      ws.db.prepare('DELETE FROM collections WHERE collection_id = ?').run(input.collection_id);
      return { deleted: true, collection_id: input.collection_id, removed_items: n, summary: `Deleted collection ${input.collection_id} and its ${n} item(s).` };
    },
  }),
  defineOperation({
    name: 'collection.add_creators',
    toolset: 'collection',
    title: 'Add creators to collections',
    description:
      'Adds creators of one platform to one or more collections, by creator_ids (from creator_search) or raw channel_ids. Add-only: creators already present are reported, never duplicated; unknown ids are listed.',
    kind: 'write',
    risk: 'high',
    hints: { destructive: false },
    route: { method: 'POST', path: '/collections/add-creators' },
    input: addInput,
    output: z.object({
      added_count: z.int(),
      already_present_count: z.int(),
      not_found: z.array(z.string()),
      wrong_platform: z.array(z.string()),
      per_collection: z.array(perCollection.extend({ added_count: z.int() }).omit({ will_add_count: true })),
      summary: z.string(),
    }),
    idsOf: (i) => [...i.collection_ids],
    preview: {
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
      read: (ws, input) => {
        const plan = planAdd(ws, input);
        const s = addSummary(plan);
        const sampleIds = sample(plan.creatorIds.filter((c) => plan.collections.some((col) => !plan.present.get(col.collection_id)!.has(c))));
        const sampleRows = ws.db.prepare(`SELECT creator_id, nickname, channel_url FROM creators WHERE ${inJson('creator_id')} ORDER BY creator_id`).all(JSON.stringify(sampleIds)) as { creator_id: string; nickname: string; channel_url: string }[];
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
          state: {
            collections: Object.fromEntries(plan.collections.map((c) => [c.collection_id, c.name])),
            matched: plan.creatorIds,
            present: Object.fromEntries([...plan.present].map(([k, v]) => [k, [...v].sort()])),
          },
          summary: `Add ${s.willAdd} ${input.platform} creator placement(s) to ${plan.collections.length} collection(s); ${s.already} already present${plan.notFound.length + plan.wrongPlatform.length ? `, ${plan.notFound.length + plan.wrongPlatform.length} id(s) not usable` : ''}.`,
        };
      },
    },
    run: (ws, input) => {
      const plan = planAdd(ws, input);
      const s = addSummary(plan);
      const at = ws.now().toISOString();
      const insert = ws.db.prepare(
        `INSERT OR IGNORE INTO collection_items (collection_id, creator_id, platform, added_at, source)
         SELECT ?, value, ?, ?, 'added' FROM json_each(?)`,
      );
      for (const c of plan.collections) insert.run(c.collection_id, input.platform, at, JSON.stringify(plan.creatorIds));
      touch(ws, plan.collections.map((c) => c.collection_id));
      return {
        added_count: s.willAdd,
        already_present_count: s.already,
        not_found: plan.notFound,
        wrong_platform: plan.wrongPlatform,
        per_collection: s.per.map(({ will_add_count, ...p }) => ({ ...p, added_count: will_add_count })),
        summary: `Added ${s.willAdd} creator placement(s); ${s.already} were already present.`,
      };
    },
  }),
];

/** Async job kinds of this domain (imports). */
export const collectionJobs: NonNullable<Catalog['jobs']> = {};
