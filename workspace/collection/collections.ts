// Collections in the embedded workspace, and the row helpers the other collection families use.
import type { z } from 'zod';
import type { collection as collectionSchema, platformCounts } from '../../tools/collection/collections.js';
import { collections } from '../../tools/collection/collections.js';
import { WHERE } from '../../tools/hints.js';
import { implement, type Implemented } from '../implement.js';
import { actingUser, checkCampaign, escapeLike, getRow, inJson, pageQuery, Where } from '../shared.js';
import type { Workspace } from '../workspace.js';

export interface CollectionRow {
  collection_id: string;
  name: string;
  owner_uid: string;
  campaign_id: string | null;
  description: string;
  created_at: string;
  updated_at: string;
}

type Collection = z.input<typeof collectionSchema>;
type ItemCounts = z.input<typeof platformCounts>;

export function loadCollection(ws: Workspace, collectionId: string): CollectionRow {
  return getRow<CollectionRow>(ws, 'collections', 'collection_id', collectionId, 'collection', WHERE.collection);
}

function itemCounts(ws: Workspace, collectionId: string): ItemCounts {
  const rows = ws.db.prepare('SELECT platform, COUNT(*) AS n FROM collection_items WHERE collection_id = ? GROUP BY platform').all(collectionId) as { platform: string; n: number }[];
  const counts = { youtube: 0, tiktok: 0, instagram: 0, total: 0 };
  for (const r of rows) {
    counts[r.platform as keyof typeof counts] = r.n;
    counts.total += r.n;
  }
  return counts;
}

const toCollection = (r: CollectionRow, counts: ItemCounts): Collection => ({
  collection_id: r.collection_id,
  name: r.name,
  description: r.description,
  owner_uid: r.owner_uid,
  campaign_id: r.campaign_id,
  item_counts: counts,
  created_at: r.created_at,
  updated_at: r.updated_at,
});

const collectionOf = (ws: Workspace, r: CollectionRow): Collection => toCollection(r, itemCounts(ws, r.collection_id));

/** Stamps collections as changed now. */
export function touch(ws: Workspace, collectionIds: string[]): void {
  ws.db.prepare(`UPDATE collections SET updated_at = ? WHERE ${inJson('collection_id')}`).run(ws.now().toISOString(), JSON.stringify(collectionIds));
}

/** The campaign a change of several collections is journaled under: the first linked one. */
export const firstCampaign = (cols: CollectionRow[]): string | null => cols.find((c) => c.campaign_id)?.campaign_id ?? null;

export const collectionsImplementations = {
  list: implement(collections.list, {
    run: (ws, input, call) => {
      const w = new Where()
        .maybe(input.ownership === 'mine' ? true : undefined, 'owner_uid = ?', actingUser(ws, call))
        .maybe(input.campaign_id, 'campaign_id = ?', input.campaign_id)
        .maybe(input.keyword, `name LIKE ? ESCAPE '\\'`, `%${escapeLike(input.keyword ?? '')}%`);
      return pageQuery<CollectionRow, Collection>(ws, { select: '*', from: `FROM collections ${w.sql}`, order: 'updated_at DESC, collection_id', params: w.params }, input, (r) => collectionOf(ws, r));
    },
  }),
  get: implement(collections.get, {
    run: (ws, input) => collectionOf(ws, loadCollection(ws, input.collection_id)),
  }),
  create: implement(collections.create, {
    run: (ws, input, call) => {
      checkCampaign(ws, input.campaign_id);
      const cid = ws.newId('col');
      const at = ws.now().toISOString();
      ws.db
        .prepare('INSERT INTO collections (collection_id, name, owner_uid, campaign_id, description, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(cid, input.name, actingUser(ws, call), input.campaign_id ?? null, input.description, at, at);
      return collectionOf(ws, loadCollection(ws, cid));
    },
  }),
  update: implement(collections.update, {
    run: (ws, input) => {
      const row = loadCollection(ws, input.collection_id);
      checkCampaign(ws, input.campaign_id);
      ws.db
        .prepare('UPDATE collections SET name = ?, description = ?, campaign_id = ?, updated_at = ? WHERE collection_id = ?')
        .run(input.name ?? row.name, input.description ?? row.description, input.campaign_id === undefined ? row.campaign_id : input.campaign_id, ws.now().toISOString(), row.collection_id);
      return collectionOf(ws, loadCollection(ws, row.collection_id));
    },
  }),
  delete: implement(collections.delete, {
    // One reading serves the preview and the apply: the collection and its item counts.
    read: (ws, input) => {
      const row = loadCollection(ws, input.collection_id);
      return { row, counts: itemCounts(ws, row.collection_id) };
    },
    state: ({ row, counts }) => ({ collection: { updated_at: row.updated_at, items: counts } }),
    effect: (_ws, _input, { row, counts }) => ({
      effect: { collection: toCollection(row, counts), will_remove_items: counts.total },
      summary: `Delete collection "${row.name}" (${row.collection_id}) with ${counts.total} item(s).`,
    }),
    run: (ws, input, _call, _loaded, { row, counts }) => {
      ws.db.prepare('DELETE FROM collections WHERE collection_id = ?').run(input.collection_id);
      return {
        deleted: true,
        collection_id: input.collection_id,
        campaign_id: row.campaign_id,
        removed_items: counts.total,
        summary: `Deleted collection ${input.collection_id} and its ${counts.total} item(s).`,
      };
    },
  }),
} satisfies Implemented<typeof collections>;
