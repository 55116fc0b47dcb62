// Shopify stores in the embedded workspace. Only an authorized store can be worked with; its
// authorization happens in the NoxInfluencer SaaS.
import { ToolError } from '../../src/errors.js';
import { stores } from '../../tools/affiliation/stores.js';
import { WHERE } from '../../tools/hints.js';
import { implement, type Implemented } from '../implement.js';
import { getRow, pageQuery } from '../shared.js';
import type { Workspace } from '../workspace.js';

export interface StoreRow {
  store_id: string;
  name: string;
  domain: string;
  authorized: number;
  currency: string;
}

function storeNotAuthorized(s: StoreRow): ToolError {
  return new ToolError('SCOPE_REQUIRED', `Store ${s.store_id} (${s.domain}) is not authorized for affiliation yet.`, {
    hint: 'Store authorization happens in the NoxInfluencer SaaS (the Shopify app), never through these tools. Ask the store owner to authorize it there, then call affiliation_stores_list again.',
    actionType: 'authorize_in_saas',
    details: { store_id: s.store_id, authorized: false },
  });
}

/** An authorized store, or NOT_FOUND / SCOPE_REQUIRED. */
export function loadStore(ws: Workspace, storeId: string): StoreRow {
  const s = getRow<StoreRow>(ws, 'aff_stores', 'store_id', storeId, 'Shopify store', WHERE.affiliateStore);
  if (s.authorized !== 1) throw storeNotAuthorized(s);
  return s;
}

/** Stores as affiliation_stores_list shows them, optionally only some. */
function listStores(ws: Workspace, only?: string) {
  const rows = ws.db
    .prepare(`SELECT s.*, (SELECT COUNT(*) FROM aff_campaigns c WHERE c.store_id = s.store_id) AS campaign_count FROM aff_stores s ${only ? 'WHERE s.store_id = ?' : ''} ORDER BY s.name, s.store_id`)
    .all(...(only ? [only] : [])) as (StoreRow & { campaign_count: number })[];
  return rows.map((s) => ({ ...s, authorized: s.authorized === 1 }));
}

export const storesImplementations = {
  list: implement(stores.list, {
    run: (ws) => ({ items: listStores(ws) }),
  }),
  // The workspace keeps no per-user "last store": the last operated one is where an affiliate campaign or member changed last.
  last: implement(stores.last, {
    run: (ws) => {
      const last = ws.db
        .prepare(
          `SELECT c.store_id, MAX(c.updated_at, COALESCE((SELECT MAX(m.updated_at) FROM aff_members m WHERE m.campaign_id = c.campaign_id), '')) AS at
           FROM aff_campaigns c ORDER BY at DESC, c.store_id LIMIT 1`,
        )
        .get() as { store_id: string; at: string } | undefined;
      return { store: last ? (listStores(ws, last.store_id)[0] ?? null) : null, last_operated_at: last?.at ?? null };
    },
  }),
  products: implement(stores.products, {
    run: (ws, input) => {
      loadStore(ws, input.store_id);
      return pageQuery(
        ws,
        { select: 'store_product_id, title, price, url', from: 'FROM aff_store_products WHERE store_id = ?', order: 'title, store_product_id', params: [input.store_id] },
        input,
        (r: { store_product_id: string; title: string; price: number; url: string }) => r,
      );
    },
  }),
} satisfies Implemented<typeof stores>;
