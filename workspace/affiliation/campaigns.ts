// Affiliate campaigns in the embedded workspace: their terms, whether those let activation issue
// codes, and their member counts and totals.
import type { z } from 'zod';
import { invalid } from '../../src/errors.js';
import { campaigns, type AFFILIATE_CAMPAIGN_STATUSES, type campaignOut, type COMMISSION_TYPES, type DiscountDetail, type DISCOUNT_METHODS } from '../../tools/affiliation/campaigns.js';
import type { MEMBER_STATUSES } from '../../tools/vocabulary.js';
import { WHERE } from '../../tools/hints.js';
import { implement, type Implemented } from '../implement.js';
import { getRow, pageQuery, Where } from '../shared.js';
import type { Workspace } from '../workspace.js';
import { loadStore, type StoreRow } from './stores.js';

export interface CampaignRow {
  campaign_id: string;
  store_id: string;
  name: string;
  commission_type: (typeof COMMISSION_TYPES)[number];
  commission_value: number;
  discount_method: (typeof DISCOUNT_METHODS)[number];
  discount_detail_json: string;
  status: (typeof AFFILIATE_CAMPAIGN_STATUSES)[number];
  created_at: string;
  updated_at: string;
}

/** An affiliate campaign and its store, which must be authorized. */
export function loadCampaign(ws: Workspace, campaignId: string): { campaign: CampaignRow; store: StoreRow } {
  const campaign = getRow<CampaignRow>(ws, 'aff_campaigns', 'campaign_id', campaignId, 'affiliate campaign', WHERE.affiliateCampaign);
  return { campaign, store: loadStore(ws, campaign.store_id) };
}

/** Commission and discount rules shared by create and update. */
function checkTerms(t: { commission_type: string; commission_value: number; discount_method: string; discount_detail: DiscountDetail }): void {
  const hint = 'Fix the campaign terms: commission percentage 0-100 or fixed > 0; discount percentage needs value 0-100, fixed_amount needs value > 0, free_shipping and none take no value.';
  if (t.commission_type === 'percentage' && !(t.commission_value > 0 && t.commission_value <= 100))
    throw invalid(`A percentage commission must be above 0 and at most 100 (got ${t.commission_value}).`, hint);
  if (t.commission_type === 'fixed' && !(t.commission_value > 0)) throw invalid(`A fixed commission must be above 0 (got ${t.commission_value}).`, hint);
  const v = t.discount_detail.value;
  if (t.discount_method === 'percentage' && !(v !== undefined && v > 0 && v <= 100)) throw invalid('discount_method percentage needs discount_detail.value above 0 and at most 100.', hint);
  if (t.discount_method === 'fixed_amount' && !(v !== undefined && v > 0)) throw invalid('discount_method fixed_amount needs discount_detail.value above 0.', hint);
  if ((t.discount_method === 'free_shipping' || t.discount_method === 'none') && v !== undefined) throw invalid(`discount_method ${t.discount_method} takes no discount_detail.value.`, hint);
}

/** What keeps activation from issuing a code and a link; empty when the settings are complete. */
export function settingsProblems(c: CampaignRow): string[] {
  const p: string[] = [];
  if (c.status !== 'active') p.push(`campaign status is ${c.status}, not active`);
  if (c.discount_method === 'none') p.push('no discount method is set, so there is no discount code to issue');
  if (!(c.commission_value > 0)) p.push('commission is not set');
  return p;
}

export const toCampaign = (c: CampaignRow): z.input<typeof campaignOut> => {
  const problems = settingsProblems(c);
  return {
    campaign_id: c.campaign_id,
    store_id: c.store_id,
    name: c.name,
    commission_type: c.commission_type,
    commission_value: c.commission_value,
    discount_method: c.discount_method,
    discount_detail: JSON.parse(c.discount_detail_json),
    status: c.status,
    settings_complete: problems.length === 0,
    settings_problems: problems,
    created_at: c.created_at,
    updated_at: c.updated_at,
  };
};

export const round2 = (n: number) => Math.round(n * 100) / 100;
export const conversionRate = (orders: number, clicks: number) => (clicks ? round2(orders / clicks) : 0);

export function campaignTotals(ws: Workspace, campaignId: string) {
  const r = ws.db
    .prepare(
      `SELECT COALESCE(SUM(clicks), 0) AS clicks, COALESCE(SUM(orders), 0) AS orders, COALESCE(SUM(revenue), 0) AS revenue,
         (SELECT COALESCE(SUM(o.commission), 0) FROM aff_orders o JOIN aff_members m2 ON m2.member_id = o.member_id WHERE m2.campaign_id = ?) AS commission
       FROM aff_members WHERE campaign_id = ?`,
    )
    .get(campaignId, campaignId) as { clicks: number; orders: number; revenue: number; commission: number };
  return { clicks: r.clicks, orders: r.orders, revenue: round2(r.revenue), commission: round2(r.commission), conversion_rate: conversionRate(r.orders, r.clicks) };
}

function statusCounts(ws: Workspace, campaignId: string): Record<(typeof MEMBER_STATUSES)[number], number> {
  const counts = { pending: 0, active: 0, terminated: 0 };
  for (const r of ws.db.prepare('SELECT status, COUNT(*) AS n FROM aff_members WHERE campaign_id = ? GROUP BY status').all(campaignId) as { status: keyof typeof counts; n: number }[])
    counts[r.status] = r.n;
  return counts;
}

export const campaignsImplementations = {
  list: implement(campaigns.list, {
    run: (ws, input) => {
      loadStore(ws, input.store_id);
      const w = new Where().add('store_id = ?', input.store_id).maybe(input.status, 'status = ?', input.status);
      return pageQuery(ws, { select: '*', from: `FROM aff_campaigns ${w.sql}`, order: 'created_at DESC, campaign_id', params: w.params }, input, toCampaign);
    },
  }),
  get: implement(campaigns.get, {
    run: (ws, input) => toCampaign(loadCampaign(ws, input.campaign_id).campaign),
  }),
  overview: implement(campaigns.overview, {
    run: (ws, input) => {
      const { campaign, store } = loadCampaign(ws, input.campaign_id);
      return { campaign: toCampaign(campaign), currency: store.currency, members: statusCounts(ws, campaign.campaign_id), totals: campaignTotals(ws, campaign.campaign_id) };
    },
  }),
  create: implement(campaigns.create, {
    run: (ws, input) => {
      loadStore(ws, input.store_id);
      checkTerms(input);
      const cid = ws.newId('affc');
      const at = ws.now().toISOString();
      ws.db
        .prepare(
          'INSERT INTO aff_campaigns (campaign_id, store_id, name, commission_type, commission_value, discount_method, discount_detail_json, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        )
        .run(cid, input.store_id, input.name, input.commission_type, input.commission_value, input.discount_method, JSON.stringify(input.discount_detail), input.status, at, at);
      return toCampaign(loadCampaign(ws, cid).campaign);
    },
  }),
  update: implement(campaigns.update, {
    run: (ws, input) => {
      const { campaign: c } = loadCampaign(ws, input.campaign_id);
      const methodChanged = input.discount_method !== undefined && input.discount_method !== c.discount_method;
      const next = {
        name: input.name ?? c.name,
        commission_type: input.commission_type ?? c.commission_type,
        commission_value: input.commission_value ?? c.commission_value,
        discount_method: input.discount_method ?? c.discount_method,
        // A new method starts from an empty detail unless one is given.
        discount_detail: input.discount_detail ?? (methodChanged ? {} : (JSON.parse(c.discount_detail_json) as DiscountDetail)),
        status: input.status ?? c.status,
      };
      checkTerms(next);
      ws.db
        .prepare('UPDATE aff_campaigns SET name = ?, commission_type = ?, commission_value = ?, discount_method = ?, discount_detail_json = ?, status = ?, updated_at = ? WHERE campaign_id = ?')
        .run(next.name, next.commission_type, next.commission_value, next.discount_method, JSON.stringify(next.discount_detail), next.status, ws.now().toISOString(), c.campaign_id);
      return toCampaign(loadCampaign(ws, c.campaign_id).campaign);
    },
  }),
  delete: implement(campaigns.delete, {
    // One reading: the campaign, its members (bound by the token), their counts and order totals,
    // and the threads that outlive it.
    read: (ws, input) => {
      const { campaign } = loadCampaign(ws, input.campaign_id);
      const cid = campaign.campaign_id;
      const members = ws.db.prepare('SELECT member_id, status, updated_at, orders FROM aff_members WHERE campaign_id = ? ORDER BY member_id').all(cid);
      const threadsKept = ws.db.prepare(`SELECT COUNT(*) FROM message_threads WHERE business_kind = 'affiliate_campaign' AND business_id = ?`).pluck().get(cid) as number;
      return { campaign, members, counts: statusCounts(ws, cid), orders: campaignTotals(ws, cid).orders, threadsKept };
    },
    state: ({ campaign, members }) => ({ campaign: campaign.updated_at, members }),
    effect: (_ws, _input, { campaign, counts, orders, threadsKept }) => {
      const memberCount = counts.pending + counts.active + counts.terminated;
      return {
        effect: { campaign: toCampaign(campaign), members: counts, will_remove_members: memberCount, will_remove_orders: orders, active_codes_deactivated: counts.active, threads_kept: threadsKept },
        summary: `Delete affiliate campaign "${campaign.name}" with ${memberCount} member(s) (${counts.active} active codes stop working) and ${orders} order record(s).`,
      };
    },
    run: (ws, _input, _call, _loaded, { campaign, members, orders }) => {
      ws.db.prepare('DELETE FROM aff_campaigns WHERE campaign_id = ?').run(campaign.campaign_id);
      return {
        deleted: true,
        campaign_id: campaign.campaign_id,
        removed_members: members.length,
        removed_orders: orders,
        summary: `Deleted affiliate campaign ${campaign.campaign_id} and its ${members.length} member(s).`,
      };
    },
  }),
} satisfies Implemented<typeof campaigns>;
