// Shopify stores linked to the workspace. Store authorization happens in the NoxInfluencer SaaS;
// no tool here offers it.
import { z } from 'zod';
import { pageInput, paged, idString } from '../shared.js';
import { defineAffiliationContract } from './define.js';

// Described once, in the instructions (SHARED_FIELDS).
export const storeId = idString();

const store = z.object({ store_id: z.string(), name: z.string(), domain: z.string(), authorized: z.boolean(), currency: z.string(), campaign_count: z.int() });

export const stores = {
  list: defineAffiliationContract({
    name: 'affiliation.stores_list',
    cli: 'affiliation stores list',
    title: 'List Shopify stores',
    description: 'Shopify stores linked to the workspace and whether each is authorized (done in NoxInfluencer): the first affiliation step.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/affiliation/stores' },
    input: z.strictObject({}),
    output: z.object({ items: z.array(store) }),
  }),
  last: defineAffiliationContract({
    name: 'affiliation.stores_last',
    cli: 'affiliation stores last',
    title: 'Last operated store',
    description: 'The store whose affiliate campaigns or members changed last (null when none did), to pick up where work stopped.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/affiliation/stores/last' },
    input: z.strictObject({}),
    output: z.object({ store: store.nullable(), last_operated_at: z.string().nullable() }),
  }),
  products: defineAffiliationContract({
    name: 'affiliation.store_products',
    cli: 'affiliation stores products',
    title: 'Store products',
    description: 'Products of one authorized store.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/affiliation/stores/:store_id/products' },
    input: z.strictObject({ store_id: storeId, ...pageInput }),
    output: paged(z.object({ store_product_id: z.string(), title: z.string(), price: z.number(), url: z.string() })),
  }),
};
