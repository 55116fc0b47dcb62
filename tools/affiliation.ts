// Affiliation: Shopify affiliate campaigns, members, discount codes and affiliate tracking links.
// Store authorization happens in the NoxInfluencer SaaS; no tool here offers it. Affiliate links
// live on the store's own domain and are never Nox short links.
import { z } from 'zod';
import type { Operation } from '../src/catalog.js';
import { defineOperation } from '../workspace/legacy.js';
import type { Workspace } from '../workspace/workspace.js';
import { invalid, notFound, ToolError } from '../src/errors.js';
import type { LoadedFile } from '../src/files.js';
import { csvRow, readTable, buildXlsx, type Table } from '../src/spreadsheet.js';
import { MEMBER_STATUSES } from './vocabulary.js';
import { fileFields, getRow, id, ids, inJson, pageInput, pageQuery, paged, platform, sample, Where } from './shared.js';

const HINT_STORE = 'Store ids come from affiliation_stores_list (always the first step).';
const HINT_CAMPAIGN = 'Affiliate campaign ids come from affiliation_campaigns_list with a store_id.';
const HINT_MEMBER = 'Member ids come from affiliation_members_pending or affiliation_members_active.';
const CAMPAIGN_STATUSES = ['active', 'paused', 'ended'] as const;
const COMMISSION_TYPES = ['percentage', 'fixed'] as const;
const DISCOUNT_METHODS = ['percentage', 'fixed_amount', 'free_shipping', 'none'] as const;
const IMPORT_COLUMNS = ['creator_id', 'platform', 'channel_id', 'custom_id'];
const IMPORT_MAX_BYTES = 8 * 1024 * 1024;

interface StoreRow {
  store_id: string;
  name: string;
  domain: string;
  authorized: number;
  currency: string;
}
interface CampaignRow {
  campaign_id: string;
  store_id: string;
  name: string;
  commission_type: (typeof COMMISSION_TYPES)[number];
  commission_value: number;
  discount_method: (typeof DISCOUNT_METHODS)[number];
  discount_detail_json: string;
  status: (typeof CAMPAIGN_STATUSES)[number];
  created_at: string;
  updated_at: string;
}
interface MemberRow {
  member_id: string;
  campaign_id: string;
  creator_id: string | null;
  platform: string | null;
  channel_id: string | null;
  custom_id: string | null;
  status: (typeof MEMBER_STATUSES)[number];
  discount_code: string | null;
  tracking_link: string | null;
  clicks: number;
  orders: number;
  revenue: number;
  created_at: string;
  updated_at: string;
  nickname: string | null;
  commission: number;
}

// ---------------------------------------------------------------------------------------------
// Stores and campaigns

function storeNotAuthorized(s: StoreRow): ToolError {
  return new ToolError('SCOPE_REQUIRED', `Store ${s.store_id} (${s.domain}) is not authorized for affiliation yet.`, {
    hint: 'Store authorization happens in the NoxInfluencer SaaS (the Shopify app), never through these tools. Ask the store owner to authorize it there, then call affiliation_stores_list again.',
    actionType: 'authorize_in_saas',
    details: { store_id: s.store_id, authorized: false },
  });
}

function loadStore(ws: Workspace, storeId: string): StoreRow {
  const s = getRow<StoreRow>(ws, 'aff_stores', 'store_id', storeId, 'Shopify store', HINT_STORE);
  if (s.authorized !== 1) throw storeNotAuthorized(s);
  return s;
}

function loadCampaign(ws: Workspace, campaignId: string): { campaign: CampaignRow; store: StoreRow } {
  const campaign = getRow<CampaignRow>(ws, 'aff_campaigns', 'campaign_id', campaignId, 'affiliate campaign', HINT_CAMPAIGN);
  return { campaign, store: loadStore(ws, campaign.store_id) };
}

const discountDetail = z
  .strictObject({
    value: z.number().optional().describe('percentage: percent off (0-100]; fixed_amount: amount off in store currency (> 0).'),
    min_order_amount: z.number().min(0).optional().describe('Minimum order subtotal for the discount.'),
  })
  .describe('Discount detail for discount_method.');
type DiscountDetail = z.output<typeof discountDetail>;

/** Commission and discount rules shared by create and update. */
function checkTerms(t: { commission_type: string; commission_value: number; discount_method: string; discount_detail: DiscountDetail }): void {
  const hint = 'Fix the campaign terms: commission percentage 0-100 or fixed > 0; discount percentage needs value 0-100, fixed_amount needs value > 0, free_shipping and none take no value.';
  if (t.commission_type === 'percentage' && !(t.commission_value > 0 && t.commission_value <= 100)) throw invalid(`A percentage commission must be above 0 and at most 100 (got ${t.commission_value}).`, hint);
  if (t.commission_type === 'fixed' && !(t.commission_value > 0)) throw invalid(`A fixed commission must be above 0 (got ${t.commission_value}).`, hint);
  const v = t.discount_detail.value;
  if (t.discount_method === 'percentage' && !(v !== undefined && v > 0 && v <= 100)) throw invalid('discount_method percentage needs discount_detail.value above 0 and at most 100.', hint);
  if (t.discount_method === 'fixed_amount' && !(v !== undefined && v > 0)) throw invalid('discount_method fixed_amount needs discount_detail.value above 0.', hint);
  if ((t.discount_method === 'free_shipping' || t.discount_method === 'none') && v !== undefined) throw invalid(`discount_method ${t.discount_method} takes no discount_detail.value.`, hint);
}

/** What keeps activation from issuing a code and a link; empty when the settings are complete. */
function settingsProblems(c: CampaignRow): string[] {
  const p: string[] = [];
  if (c.status !== 'active') p.push(`campaign status is ${c.status}, not active`);
  if (c.discount_method === 'none') p.push('no discount method is set, so there is no discount code to issue');
  if (!(c.commission_value > 0)) p.push('commission is not set');
  return p;
}

const campaignOut = z.object({
  campaign_id: z.string(),
  store_id: z.string(),
  name: z.string(),
  commission_type: z.enum(COMMISSION_TYPES),
  commission_value: z.number(),
  discount_method: z.enum(DISCOUNT_METHODS),
  discount_detail: z.object({ value: z.number().optional(), min_order_amount: z.number().optional() }),
  status: z.enum(CAMPAIGN_STATUSES),
  settings_complete: z.boolean().describe('Activation issues discount codes and links only when true.'),
  settings_problems: z.array(z.string()),
  created_at: z.string(),
  updated_at: z.string(),
});
const toCampaign = (c: CampaignRow): z.input<typeof campaignOut> => {
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

const totals = z.object({ clicks: z.int(), orders: z.int(), revenue: z.number(), commission: z.number(), conversion_rate: z.number().describe('orders / clicks.') });
const round2 = (n: number) => Math.round(n * 100) / 100;
function campaignTotals(ws: Workspace, campaignId: string) {
  const r = ws.db
    .prepare(
      `SELECT COALESCE(SUM(clicks), 0) AS clicks, COALESCE(SUM(orders), 0) AS orders, COALESCE(SUM(revenue), 0) AS revenue,
         (SELECT COALESCE(SUM(o.commission), 0) FROM aff_orders o JOIN aff_members m2 ON m2.member_id = o.member_id WHERE m2.campaign_id = ?) AS commission
       FROM aff_members WHERE campaign_id = ?`,
    )
    .get(campaignId, campaignId) as { clicks: number; orders: number; revenue: number; commission: number };
  return { clicks: r.clicks, orders: r.orders, revenue: round2(r.revenue), commission: round2(r.commission), conversion_rate: r.clicks ? round2(r.orders / r.clicks) : 0 };
}
function statusCounts(ws: Workspace, campaignId: string): Record<(typeof MEMBER_STATUSES)[number], number> {
  const counts = { pending: 0, active: 0, terminated: 0 };
  for (const r of ws.db.prepare('SELECT status, COUNT(*) AS n FROM aff_members WHERE campaign_id = ? GROUP BY status').all(campaignId) as { status: keyof typeof counts; n: number }[]) counts[r.status] = r.n;
  return counts;
}
const memberCounts = z.object({ pending: z.int(), active: z.int(), terminated: z.int() });

// ---------------------------------------------------------------------------------------------
// Members

const MEMBER_SELECT = `m.*, c.nickname, (SELECT COALESCE(SUM(o.commission), 0) FROM aff_orders o WHERE o.member_id = m.member_id) AS commission`;
const MEMBER_FROM = 'FROM aff_members m LEFT JOIN creators c ON c.creator_id = m.creator_id';

const memberOut = z.object({
  member_id: z.string(),
  campaign_id: z.string(),
  creator_id: z.string().nullable(),
  nickname: z.string().nullable(),
  platform: z.string().nullable(),
  channel_id: z.string().nullable(),
  custom_id: z.string().nullable(),
  status: z.enum(MEMBER_STATUSES),
  discount_code: z.string().nullable().describe('Issued on activation; never on a pending member.'),
  tracking_link: z.string().nullable().describe('Affiliate tracking link on the store domain (not a Nox short link).'),
  clicks: z.int(),
  orders: z.int(),
  revenue: z.number(),
  commission: z.number(),
  created_at: z.string(),
  updated_at: z.string(),
});
type MemberOut = z.input<typeof memberOut>;
const toMember = (r: MemberRow): MemberOut => ({
  member_id: r.member_id,
  campaign_id: r.campaign_id,
  creator_id: r.creator_id,
  nickname: r.nickname,
  platform: r.platform,
  channel_id: r.channel_id,
  custom_id: r.custom_id,
  status: r.status,
  discount_code: r.discount_code,
  tracking_link: r.tracking_link,
  clicks: r.clicks,
  orders: r.orders,
  revenue: round2(r.revenue),
  commission: round2(r.commission),
  created_at: r.created_at,
  updated_at: r.updated_at,
});

function loadMember(ws: Workspace, memberId: string): MemberRow {
  const r = ws.db.prepare(`SELECT ${MEMBER_SELECT} ${MEMBER_FROM} WHERE m.member_id = ?`).get(memberId) as MemberRow | undefined;
  if (!r) throw notFound('affiliate member', memberId, HINT_MEMBER);
  loadCampaign(ws, r.campaign_id);
  return r;
}

/** The members of a campaign named by member_ids; ids of other campaigns or unknown ids are listed apart. */
function membersOf(ws: Workspace, campaignId: string, memberIds: string[]): { rows: MemberRow[]; missing: string[] } {
  const wanted = [...new Set(memberIds)];
  const rows = ws.db.prepare(`SELECT ${MEMBER_SELECT} ${MEMBER_FROM} WHERE m.campaign_id = ? AND ${inJson('m.member_id')} ORDER BY m.member_id`).all(campaignId, JSON.stringify(wanted)) as MemberRow[];
  const found = new Set(rows.map((r) => r.member_id));
  return { rows, missing: wanted.filter((w) => !found.has(w)) };
}

/** One member identity: creator_id, or platform + channel_id, or custom_id. */
interface MemberRef {
  creator_id: string | null;
  platform: string | null;
  channel_id: string | null;
  custom_id: string | null;
  label: string;
}

interface AddPlan {
  toAdd: MemberRef[];
  present: string[];
  problems: { ref: string; reason: string }[];
}

function planAdd(ws: Workspace, campaignId: string, refs: (MemberRef | { label: string; problem: string })[]): AddPlan {
  const existing = ws.db.prepare('SELECT creator_id, platform, channel_id, custom_id FROM aff_members WHERE campaign_id = ?').all(campaignId) as MemberRef[];
  const keys = new Set<string>();
  const keyOf = (r: { creator_id: string | null; platform: string | null; channel_id: string | null; custom_id: string | null }) =>
    [r.creator_id ? `c:${r.creator_id}` : null, r.platform && r.channel_id ? `p:${r.platform}:${r.channel_id}` : null, !r.creator_id && !r.channel_id && r.custom_id ? `x:${r.custom_id}` : null].filter((k): k is string => k !== null);
  for (const e of existing) for (const k of keyOf(e)) keys.add(k);
  const creatorById = ws.db.prepare('SELECT creator_id, platform, channel_id FROM creators WHERE creator_id = ?');
  const creatorByChannel = ws.db.prepare('SELECT creator_id FROM creators WHERE platform = ? AND channel_id = ?').pluck();
  const plan: AddPlan = { toAdd: [], present: [], problems: [] };
  for (const r of refs) {
    if ('problem' in r) {
      plan.problems.push({ ref: r.label, reason: r.problem });
      continue;
    }
    const ref = { ...r };
    if (ref.creator_id) {
      const c = creatorById.get(ref.creator_id) as { platform: string; channel_id: string } | undefined;
      if (!c) {
        plan.problems.push({ ref: ref.label, reason: 'no creator with this creator_id' });
        continue;
      }
    } else if (ref.platform && ref.channel_id) {
      // A known platform identity is linked to its creator, so the same person is not added twice.
      ref.creator_id = (creatorByChannel.get(ref.platform, ref.channel_id) as string | undefined) ?? null;
    }
    const k = keyOf(ref);
    if (k.some((x) => keys.has(x))) {
      plan.present.push(ref.label);
      continue;
    }
    for (const x of k) keys.add(x);
    plan.toAdd.push(ref);
  }
  return plan;
}

function insertMembers(ws: Workspace, campaignId: string, refs: MemberRef[]): string[] {
  const at = ws.now().toISOString();
  const insert = ws.db.prepare(`INSERT INTO aff_members (member_id, campaign_id, creator_id, platform, channel_id, custom_id, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)`);
  return refs.map((r) => {
    const mid = ws.newId('mem');
    insert.run(mid, campaignId, r.creator_id, r.platform, r.channel_id, r.custom_id, at, at);
    return mid;
  });
}

const pendingCount = (ws: Workspace, campaignId: string) => ws.db.prepare(`SELECT COUNT(*) FROM aff_members WHERE campaign_id = ? AND status = 'pending'`).pluck().get(campaignId) as number;

/** A unique discount code from the member's name and the discount, e.g. GLOW-NORA10 style: NORA10, NORA210... */
function issueCode(ws: Workspace, c: CampaignRow, m: MemberRow, taken: Set<string>): string {
  const source = m.nickname ?? m.channel_id ?? m.custom_id ?? m.member_id;
  const base = (source.split(/[\s._-]+/)[0] ?? source).toUpperCase().replace(/[^A-Z0-9]/g, '').slice(0, 12) || 'MEMBER';
  const detail = JSON.parse(c.discount_detail_json) as DiscountDetail;
  const suffix = c.discount_method === 'percentage' && detail.value ? String(Math.round(detail.value)) : '';
  const used = ws.db.prepare('SELECT 1 FROM aff_members WHERE discount_code = ?');
  let code = `${base}${suffix}`;
  for (let n = 2; taken.has(code) || used.get(code); n++) code = `${base}${n}${suffix}`;
  taken.add(code);
  return code;
}
const trackingLink = (store: StoreRow, code: string) => `https://${store.domain}/?ref=${encodeURIComponent(code)}`;

const ACTIONS = { activate: { from: 'pending', to: 'active' }, terminate: { from: 'active', to: 'terminated' }, resume: { from: 'terminated', to: 'active' } } as const;
type Action = keyof typeof ACTIONS;

function planStatus(ws: Workspace, input: { campaign_id: string; member_ids: string[]; action: Action }) {
  const { campaign, store } = loadCampaign(ws, input.campaign_id);
  const rule = ACTIONS[input.action];
  if (rule.to === 'active') {
    const problems = settingsProblems(campaign);
    if (problems.length) {
      throw invalid(`Campaign ${campaign.campaign_id} settings are incomplete (${problems.join('; ')}); activation would issue no discount code or tracking link.`, 'Complete the settings with affiliation_campaigns_update (discount_method and detail, status active), then preview again.', { settings_problems: problems });
    }
  }
  const { rows, missing } = membersOf(ws, campaign.campaign_id, input.member_ids);
  const change = rows.filter((r) => r.status === rule.from);
  const why = (r: MemberRow) => (r.status === rule.to ? `already ${r.status}` : r.status === 'pending' ? 'pending members are activated, or deleted, never terminated or resumed' : `${r.status} members cannot be ${input.action}d`);
  const skipped = [...rows.filter((r) => r.status !== rule.from).map((r) => ({ member_id: r.member_id, status: r.status, reason: why(r) })), ...missing.map((m) => ({ member_id: m, status: null, reason: 'not a member of this campaign' }))];
  return { campaign, store, rows, change, skipped, rule };
}

// ---------------------------------------------------------------------------------------------
// Import

interface ImportLoad {
  file: LoadedFile;
  table: Table;
}

function refsFromTable(table: Table): (MemberRef | { label: string; problem: string })[] {
  const header = table.header.map((h) => h.trim().toLowerCase());
  const col = (name: string) => header.indexOf(name);
  if (!IMPORT_COLUMNS.some((c) => col(c) >= 0)) {
    throw invalid(`The sheet has none of the columns ${IMPORT_COLUMNS.join(', ')}.`, 'Start from affiliation_members_import_template; the first row is the header.');
  }
  return table.rows.map((row, i) => {
    const cell = (name: string) => (col(name) >= 0 ? (row[col(name)] ?? '').trim() : '') || null;
    return refFrom({ creator_id: cell('creator_id'), platform: cell('platform'), channel_id: cell('channel_id'), custom_id: cell('custom_id') }, `row ${i + 2}`);
  });
}

/** Exactly one identity per member: creator_id, or platform + channel_id, or custom_id. */
function refFrom(v: { creator_id: string | null; platform: string | null; channel_id: string | null; custom_id: string | null }, where: string): MemberRef | { label: string; problem: string } {
  const kinds = (v.creator_id ? 1 : 0) + (v.platform || v.channel_id ? 1 : 0) + (v.custom_id ? 1 : 0);
  if (kinds !== 1) return { label: where, problem: 'give exactly one of creator_id, platform + channel_id, or custom_id' };
  if ((v.platform || v.channel_id) && !(v.platform && v.channel_id)) return { label: where, problem: 'platform and channel_id go together' };
  if (v.platform && !platform.safeParse(v.platform).success) return { label: where, problem: `unknown platform ${v.platform}` };
  const label = v.creator_id ?? (v.platform ? `${v.platform}:${v.channel_id}` : `custom:${v.custom_id}`);
  return { ...v, label: where.startsWith('row ') ? `${where} (${label})` : where };
}

const planOut = z.object({ ref: z.string(), reason: z.string() });

// ---------------------------------------------------------------------------------------------
// Export

const EXPORT_HEADER = ['member_id', 'status', 'creator_id', 'nickname', 'platform', 'channel_id', 'custom_id', 'discount_code', 'tracking_link', 'clicks', 'orders', 'revenue', 'commission', 'conversion_rate'];
function exportRows(ws: Workspace, campaignId: string): MemberOut[] {
  return (ws.db.prepare(`SELECT ${MEMBER_SELECT} ${MEMBER_FROM} WHERE m.campaign_id = ? ORDER BY m.revenue DESC, m.member_id`).all(campaignId) as MemberRow[]).map(toMember);
}

const campaignId = id(`The affiliate campaign's id. ${HINT_CAMPAIGN}`);
const memberId = id(`The member's id. ${HINT_MEMBER}`);
const termsFields = {
  commission_type: z.enum(COMMISSION_TYPES).describe('percentage of the order, or a fixed amount per order.'),
  commission_value: z.number().describe('percentage: above 0 and at most 100; fixed: above 0 (store currency).'),
  discount_method: z.enum(DISCOUNT_METHODS).describe('Discount the member code gives; none means no code can be issued.'),
  discount_detail: discountDetail,
  status: z.enum(CAMPAIGN_STATUSES).describe('active, paused or ended.'),
};

// ---------------------------------------------------------------------------------------------

export const affiliationOperations: Operation[] = [
  defineOperation({
    name: 'affiliation.stores_list',
    toolset: 'affiliation',
    title: 'List Shopify stores',
    description: 'The Shopify stores linked to the workspace, with authorized state. Always the first affiliation step; authorization itself is done in the NoxInfluencer SaaS, not here.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/affiliation/stores' },
    input: z.strictObject({}),
    output: z.object({ items: z.array(z.object({ store_id: z.string(), name: z.string(), domain: z.string(), authorized: z.boolean(), currency: z.string(), campaign_count: z.int() })) }),
    run: (ws) => ({
      items: (ws.db.prepare('SELECT s.*, (SELECT COUNT(*) FROM aff_campaigns c WHERE c.store_id = s.store_id) AS campaign_count FROM aff_stores s ORDER BY s.name, s.store_id').all() as (StoreRow & { campaign_count: number })[]).map((s) => ({
        ...s,
        authorized: s.authorized === 1,
      })),
    }),
  }),
  defineOperation({
    name: 'affiliation.store_products',
    toolset: 'affiliation',
    title: 'Store products',
    description: 'Products of one authorized store (store_id from affiliation_stores_list).',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/affiliation/stores/:store_id/products' },
    input: z.strictObject({ store_id: id(`The store's id. ${HINT_STORE}`), ...pageInput }),
    output: paged(z.object({ store_product_id: z.string(), title: z.string(), price: z.number(), url: z.string() })),
    run: (ws, input) => {
      loadStore(ws, input.store_id);
      return pageQuery(ws, { select: 'store_product_id, title, price, url', from: 'FROM aff_store_products WHERE store_id = ?', order: 'title, store_product_id', params: [input.store_id] }, input, (r: { store_product_id: string; title: string; price: number; url: string }) => r);
    },
  }),
  defineOperation({
    name: 'affiliation.campaigns_list',
    toolset: 'affiliation',
    title: 'List affiliate campaigns',
    description: 'Affiliate campaigns of one authorized store (store_id from affiliation_stores_list).',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/affiliation/campaigns' },
    input: z.strictObject({ store_id: id(`The store's id. ${HINT_STORE}`), status: z.enum(CAMPAIGN_STATUSES).optional().describe('Only campaigns in this status.'), ...pageInput }),
    output: paged(campaignOut),
    run: (ws, input) => {
      loadStore(ws, input.store_id);
      const w = new Where().add('store_id = ?', input.store_id).maybe(input.status, 'status = ?', input.status);
      return pageQuery(ws, { select: '*', from: `FROM aff_campaigns ${w.sql}`, order: 'created_at DESC, campaign_id', params: w.params }, input, toCampaign);
    },
  }),
  defineOperation({
    name: 'affiliation.campaigns_get',
    toolset: 'affiliation',
    title: 'Get an affiliate campaign',
    description: 'One affiliate campaign: commission, discount and whether its settings let activation issue codes.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/affiliation/campaigns/:campaign_id' },
    input: z.strictObject({ campaign_id: campaignId }),
    output: campaignOut,
    run: (ws, input) => toCampaign(loadCampaign(ws, input.campaign_id).campaign),
  }),
  defineOperation({
    name: 'affiliation.campaigns_overview',
    toolset: 'affiliation',
    title: 'Affiliate campaign overview',
    description: 'Member counts by status and totals (clicks, orders, revenue, commission) of one affiliate campaign.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/affiliation/campaigns/:campaign_id/overview' },
    input: z.strictObject({ campaign_id: campaignId }),
    output: z.object({ campaign: campaignOut, currency: z.string(), members: memberCounts, totals }),
    run: (ws, input) => {
      const { campaign, store } = loadCampaign(ws, input.campaign_id);
      return { campaign: toCampaign(campaign), currency: store.currency, members: statusCounts(ws, campaign.campaign_id), totals: campaignTotals(ws, campaign.campaign_id) };
    },
  }),
  defineOperation({
    name: 'affiliation.campaigns_create',
    toolset: 'affiliation',
    title: 'Create an affiliate campaign',
    description: 'Creates an affiliate campaign in an authorized store with commission and discount terms; returns its campaign_id.',
    kind: 'write',
    risk: 'low',
    route: { method: 'POST', path: '/affiliation/campaigns' },
    input: z.strictObject({
      store_id: id(`The store's id. ${HINT_STORE}`),
      name: z.string().trim().min(1).max(200).describe('Campaign name.'),
      ...termsFields,
      discount_method: termsFields.discount_method.default('none'),
      discount_detail: discountDetail.default({}),
      status: termsFields.status.default('active'),
    }),
    output: campaignOut,
    idsOf: (_i, o) => [o.campaign_id],
    run: (ws, input) => {
      loadStore(ws, input.store_id);
      checkTerms(input);
      const cid = ws.newId('affc');
      const at = ws.now().toISOString();
      ws.db
        .prepare('INSERT INTO aff_campaigns (campaign_id, store_id, name, commission_type, commission_value, discount_method, discount_detail_json, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(cid, input.store_id, input.name, input.commission_type, input.commission_value, input.discount_method, JSON.stringify(input.discount_detail), input.status, at, at);
      return toCampaign(loadCampaign(ws, cid).campaign);
    },
  }),
  defineOperation({
    name: 'affiliation.campaigns_update',
    toolset: 'affiliation',
    title: 'Update an affiliate campaign',
    description: 'Changes the given fields of one affiliate campaign (terms are re-checked as a whole). Codes already issued are kept.',
    kind: 'write',
    risk: 'low',
    hints: { idempotent: true },
    route: { method: 'PATCH', path: '/affiliation/campaigns/:campaign_id' },
    input: z.strictObject({
      campaign_id: campaignId,
      name: z.string().trim().min(1).max(200).optional().describe('Campaign name.'),
      commission_type: termsFields.commission_type.optional(),
      commission_value: termsFields.commission_value.optional(),
      discount_method: termsFields.discount_method.optional(),
      discount_detail: discountDetail.optional(),
      status: termsFields.status.optional(),
    }),
    output: campaignOut,
    idsOf: (i) => [i.campaign_id],
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
  defineOperation({
    name: 'affiliation.campaigns_delete',
    toolset: 'affiliation',
    title: 'Delete an affiliate campaign',
    description: 'Deletes one affiliate campaign with its members, codes, links and order history; its message threads are kept.',
    kind: 'write',
    risk: 'high',
    confirm: true,
    route: { method: 'DELETE', path: '/affiliation/campaigns/:campaign_id' },
    input: z.strictObject({ campaign_id: campaignId }),
    output: z.object({ deleted: z.boolean(), campaign_id: z.string(), removed_members: z.int(), removed_orders: z.int(), summary: z.string() }),
    idsOf: (i) => [i.campaign_id],
    preview: {
      effect: z.object({ campaign: campaignOut, members: memberCounts, will_remove_members: z.int(), will_remove_orders: z.int(), active_codes_deactivated: z.int(), threads_kept: z.int() }),
      read: (ws, input) => {
        const { campaign } = loadCampaign(ws, input.campaign_id);
        const counts = statusCounts(ws, campaign.campaign_id);
        const t = campaignTotals(ws, campaign.campaign_id);
        const members = counts.pending + counts.active + counts.terminated;
        const threads = ws.db.prepare(`SELECT COUNT(*) FROM message_threads WHERE business_kind = 'affiliate_campaign' AND business_id = ?`).pluck().get(campaign.campaign_id) as number;
        return {
          effect: { campaign: toCampaign(campaign), members: counts, will_remove_members: members, will_remove_orders: t.orders, active_codes_deactivated: counts.active, threads_kept: threads },
          state: { campaign: campaign.updated_at, members: ws.db.prepare('SELECT member_id, status, updated_at, orders FROM aff_members WHERE campaign_id = ? ORDER BY member_id').all(campaign.campaign_id) },
          summary: `Delete affiliate campaign "${campaign.name}" with ${members} member(s) (${counts.active} active codes stop working) and ${t.orders} order record(s).`,
        };
      },
    },
    run: (ws, input) => {
      const { campaign } = loadCampaign(ws, input.campaign_id);
      const counts = statusCounts(ws, campaign.campaign_id);
      const orders = campaignTotals(ws, campaign.campaign_id).orders;
      ws.db.prepare('DELETE FROM aff_campaigns WHERE campaign_id = ?').run(campaign.campaign_id);
      const members = counts.pending + counts.active + counts.terminated;
      return { deleted: true, campaign_id: campaign.campaign_id, removed_members: members, removed_orders: orders, summary: `Deleted affiliate campaign ${campaign.campaign_id} and its ${members} member(s).` };
    },
  }),

  // ----- members -----
  defineOperation({
    name: 'affiliation.members_pending',
    toolset: 'affiliation',
    title: 'Pending affiliate members',
    description: 'Members of one campaign waiting for activation (no code or link yet).',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/affiliation/campaigns/:campaign_id/members/pending' },
    input: z.strictObject({ campaign_id: campaignId, ...pageInput }),
    output: paged(memberOut),
    run: (ws, input) => {
      loadCampaign(ws, input.campaign_id);
      return pageQuery(ws, { select: MEMBER_SELECT, from: `${MEMBER_FROM} WHERE m.campaign_id = ? AND m.status = 'pending'`, order: 'm.created_at, m.member_id', params: [input.campaign_id] }, input, toMember);
    },
  }),
  defineOperation({
    name: 'affiliation.members_active',
    toolset: 'affiliation',
    title: 'Active affiliate members',
    description: 'Active (or, with status terminated, ended) members of one campaign with their discount code and tracking link.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/affiliation/campaigns/:campaign_id/members/active' },
    input: z.strictObject({ campaign_id: campaignId, status: z.enum(['active', 'terminated']).default('active').describe('active or terminated members.'), ...pageInput }),
    output: paged(memberOut),
    run: (ws, input) => {
      loadCampaign(ws, input.campaign_id);
      return pageQuery(ws, { select: MEMBER_SELECT, from: `${MEMBER_FROM} WHERE m.campaign_id = ? AND m.status = ?`, order: 'm.updated_at DESC, m.member_id', params: [input.campaign_id, input.status] }, input, toMember);
    },
  }),
  defineOperation({
    name: 'affiliation.members_add',
    toolset: 'affiliation',
    title: 'Add affiliate members',
    description: 'Adds pending members to one campaign by creator_ids, channels (platform + channel_id) or custom_ids; duplicates are reported, never added twice. Activate them with affiliation_members_status.',
    kind: 'write',
    risk: 'high',
    hints: { destructive: false },
    route: { method: 'POST', path: '/affiliation/campaigns/:campaign_id/members' },
    input: z.strictObject({
      campaign_id: campaignId,
      creator_ids: ids('Creator ids (creator_search, collection_items).', 500).optional(),
      channels: z.array(z.strictObject({ platform, channel_id: z.string().min(1).max(200).describe('Raw platform channel id.') })).min(1).max(500).optional().describe('Raw platform identities.'),
      custom_ids: ids('Your own ids for members outside the creator base.', 500).optional(),
    }),
    output: z.object({ added_member_ids: z.array(z.string()), already_present: z.array(z.string()), problems: z.array(planOut), pending_count: z.int(), summary: z.string() }),
    idsOf: (_i, o) => o.added_member_ids,
    preview: {
      effect: z.object({ campaign_id: z.string(), requested_count: z.int(), will_add_count: z.int(), already_present: z.array(z.string()), problems: z.array(planOut), sample: z.array(z.string()) }),
      read: (ws, input) => {
        const { plan, refs } = addFromInput(ws, input);
        return {
          effect: { campaign_id: input.campaign_id, requested_count: refs, will_add_count: plan.toAdd.length, already_present: plan.present.slice(0, 50), problems: plan.problems.slice(0, 50), sample: sample(plan.toAdd.map((r) => r.label)) },
          state: { members: ws.db.prepare('SELECT member_id, creator_id, platform, channel_id, custom_id FROM aff_members WHERE campaign_id = ? ORDER BY member_id').all(input.campaign_id) },
          summary: `Add ${plan.toAdd.length} pending member(s) to ${input.campaign_id}; ${plan.present.length} already present, ${plan.problems.length} not usable.`,
        };
      },
    },
    run: (ws, input) => {
      const { plan } = addFromInput(ws, input);
      const added = insertMembers(ws, input.campaign_id, plan.toAdd);
      return { added_member_ids: added, already_present: plan.present, problems: plan.problems, pending_count: pendingCount(ws, input.campaign_id), summary: `Added ${added.length} pending member(s).` };
    },
  }),
  defineOperation({
    name: 'affiliation.members_update',
    toolset: 'affiliation',
    title: 'Update an affiliate member',
    description: "Changes one member's custom_id, or the discount code of an active member (its tracking link follows).",
    kind: 'write',
    risk: 'low',
    hints: { idempotent: true },
    route: { method: 'PATCH', path: '/affiliation/members/:member_id' },
    input: z.strictObject({
      member_id: memberId,
      custom_id: z.string().min(1).max(128).nullable().optional().describe('Your own id for the member; null clears it.'),
      discount_code: z.string().regex(/^[A-Z0-9-]{3,32}$/, '3-32 upper-case letters, digits or dashes').optional().describe('New unique discount code (active members only).'),
    }),
    output: memberOut,
    idsOf: (i) => [i.member_id],
    run: (ws, input) => {
      const m = loadMember(ws, input.member_id);
      const { store } = loadCampaign(ws, m.campaign_id);
      let code = m.discount_code;
      if (input.discount_code !== undefined && input.discount_code !== m.discount_code) {
        if (m.status !== 'active') throw invalid(`Member ${m.member_id} is ${m.status}; only active members have a discount code to change.`, 'Activate it with affiliation_members_status_preview (action activate).');
        if (ws.db.prepare('SELECT 1 FROM aff_members WHERE discount_code = ?').get(input.discount_code)) {
          throw new ToolError('DUPLICATE_DATA', `The discount code ${input.discount_code} is already in use.`, { hint: 'Choose another code; codes are unique in the workspace.' });
        }
        code = input.discount_code;
      }
      if (input.custom_id === null && !m.creator_id && !m.channel_id) throw invalid('custom_id is this member\'s only identity and cannot be cleared.', 'Give a new custom_id instead.');
      ws.db
        .prepare('UPDATE aff_members SET custom_id = ?, discount_code = ?, tracking_link = ?, updated_at = ? WHERE member_id = ?')
        .run(input.custom_id === undefined ? m.custom_id : input.custom_id, code, code ? trackingLink(store, code) : null, ws.now().toISOString(), m.member_id);
      return toMember(loadMember(ws, m.member_id));
    },
  }),
  defineOperation({
    name: 'affiliation.members_status',
    toolset: 'affiliation',
    title: 'Activate, terminate or resume members',
    description:
      'activate (pending → active: issues a unique discount code and affiliate tracking link, only when the campaign settings are complete), terminate (active → terminated) or resume (terminated → active, same code).',
    kind: 'write',
    risk: 'high',
    hints: { destructive: false },
    route: { method: 'POST', path: '/affiliation/campaigns/:campaign_id/members/status' },
    input: z.strictObject({ campaign_id: campaignId, member_ids: ids(`Members of this campaign. ${HINT_MEMBER}`, 500), action: z.enum(['activate', 'terminate', 'resume']).describe('activate, terminate or resume.') }),
    output: z.object({ action: z.string(), changed: z.array(memberOut.pick({ member_id: true, status: true, discount_code: true, tracking_link: true })), skipped: z.array(z.object({ member_id: z.string(), status: z.string().nullable(), reason: z.string() })), summary: z.string() }),
    idsOf: (_i, o) => o.changed.map((c) => c.member_id),
    preview: {
      effect: z.object({
        action: z.string(),
        matched_count: z.int(),
        will_change_count: z.int(),
        will_issue_codes_count: z.int().describe('Members that get a new discount code and tracking link.'),
        skipped: z.array(z.object({ member_id: z.string(), status: z.string().nullable(), reason: z.string() })),
        sample: z.array(z.object({ member_id: z.string(), from: z.string(), to: z.string(), discount_code: z.string().nullable() })),
      }),
      read: (ws, input) => {
        const p = planStatus(ws, input);
        const issue = p.rule.to === 'active' ? p.change.filter((r) => !r.discount_code).length : 0;
        return {
          effect: {
            action: input.action,
            matched_count: p.rows.length,
            will_change_count: p.change.length,
            will_issue_codes_count: issue,
            skipped: p.skipped.slice(0, 50),
            sample: sample(p.change.map((r) => ({ member_id: r.member_id, from: r.status, to: p.rule.to, discount_code: r.discount_code }))),
          },
          state: { campaign: p.campaign.updated_at, members: p.rows.map((r) => [r.member_id, r.status, r.updated_at]) },
          summary: `${input.action}: ${p.change.length} member(s) of ${p.campaign.campaign_id} go ${p.rule.from} → ${p.rule.to}${issue ? `, ${issue} new discount code(s) and tracking link(s)` : ''}; ${p.skipped.length} skipped.`,
        };
      },
    },
    run: (ws, input) => {
      const p = planStatus(ws, input);
      const at = ws.now().toISOString();
      const taken = new Set<string>();
      const update = ws.db.prepare('UPDATE aff_members SET status = ?, discount_code = ?, tracking_link = ?, updated_at = ? WHERE member_id = ?');
      const changed = p.change.map((r) => {
        const code = p.rule.to === 'active' ? (r.discount_code ?? issueCode(ws, p.campaign, r, taken)) : r.discount_code;
        const link = code ? (r.tracking_link ?? trackingLink(p.store, code)) : null;
        update.run(p.rule.to, code, link, at, r.member_id);
        return { member_id: r.member_id, status: p.rule.to, discount_code: code, tracking_link: link };
      });
      return { action: input.action, changed, skipped: p.skipped, summary: `${input.action}: ${changed.length} member(s) now ${p.rule.to}; ${p.skipped.length} skipped.` };
    },
  }),
  defineOperation({
    name: 'affiliation.members_delete',
    toolset: 'affiliation',
    title: 'Delete affiliate members',
    description: 'Removes members from one campaign with their codes, links and order history.',
    kind: 'write',
    risk: 'high',
    confirm: true,
    route: { method: 'DELETE', path: '/affiliation/campaigns/:campaign_id/members' },
    input: z.strictObject({ campaign_id: campaignId, member_ids: ids(`Members of this campaign. ${HINT_MEMBER}`, 500) }),
    output: z.object({ deleted_member_ids: z.array(z.string()), not_found: z.array(z.string()), summary: z.string() }),
    idsOf: (_i, o) => o.deleted_member_ids,
    preview: {
      effect: z.object({ will_delete_count: z.int(), active_count: z.int(), will_remove_orders: z.int(), not_found: z.array(z.string()), sample: z.array(memberOut.pick({ member_id: true, status: true, discount_code: true, orders: true })) }),
      read: (ws, input) => {
        loadCampaign(ws, input.campaign_id);
        const { rows, missing } = membersOf(ws, input.campaign_id, input.member_ids);
        return {
          effect: {
            will_delete_count: rows.length,
            active_count: rows.filter((r) => r.status === 'active').length,
            will_remove_orders: rows.reduce((n, r) => n + r.orders, 0),
            not_found: missing.slice(0, 50),
            sample: sample(rows.map((r) => ({ member_id: r.member_id, status: r.status, discount_code: r.discount_code, orders: r.orders }))),
          },
          state: { members: rows.map((r) => [r.member_id, r.status, r.updated_at]) },
          summary: `Delete ${rows.length} member(s) of ${input.campaign_id} (${rows.filter((r) => r.status === 'active').length} active).`,
        };
      },
    },
    run: (ws, input) => {
      loadCampaign(ws, input.campaign_id);
      const { rows, missing } = membersOf(ws, input.campaign_id, input.member_ids);
      const gone = rows.map((r) => r.member_id);
      ws.db.prepare(`DELETE FROM aff_members WHERE ${inJson('member_id')}`).run(JSON.stringify(gone));
      return { deleted_member_ids: gone, not_found: missing, summary: `Deleted ${gone.length} member(s).` };
    },
  }),
  defineOperation({
    name: 'affiliation.members_import_template',
    toolset: 'affiliation',
    title: 'Member import template',
    description: 'Writes the member import template (.xlsx or .csv) to output_path in the files root; fill one identity per row and pass it to affiliation_members_import_file_preview.',
    kind: 'write',
    risk: 'low',
    route: { method: 'POST', path: '/affiliation/members/import-template' },
    input: z.strictObject({ output_path: z.string().min(1).max(1024).regex(/\.(xlsx|csv)$/i, 'end with .xlsx or .csv').describe('Where to write it, relative to the files root; an existing file is refused.') }),
    output: z.object({ path: z.string(), bytes: z.int(), columns: z.array(z.string()) }),
    load: async (_ws, input) => {
      const rows = [['cr_0001', '', '', ''], ['', 'instagram', 'example.handle', ''], ['', '', '', 'your-own-id-001']];
      return /\.xlsx$/i.test(input.output_path) ? buildXlsx('members', IMPORT_COLUMNS, rows) : Buffer.from([IMPORT_COLUMNS, ...rows].map(csvRow).join(''));
    },
    run: (ws, input, _call, bytes) => ({ ...ws.files.writeOutput(input.output_path, bytes, false), columns: IMPORT_COLUMNS }),
  }),
  defineOperation({
    name: 'affiliation.members_import_file',
    toolset: 'affiliation',
    title: 'Import affiliate members from a file',
    description: 'Adds pending members to one campaign from a .xlsx/.csv (columns creator_id | platform + channel_id | custom_id, template from affiliation_members_import_template). Writes immediately on apply and returns the pending count.',
    kind: 'write',
    risk: 'high',
    hints: { destructive: false },
    route: { method: 'POST', path: '/affiliation/campaigns/:campaign_id/members/import' },
    input: z.strictObject({
      campaign_id: campaignId,
      ...fileFields(IMPORT_MAX_BYTES, 'A .xlsx or .csv file'),
    }),
    output: z.object({ added_count: z.int(), already_present_count: z.int(), problems: z.array(planOut), pending_count: z.int().describe('Pending members of the campaign after the import.'), summary: z.string() }),
    load: async (ws, input): Promise<ImportLoad> => {
      const file = ws.files.load(input, { maxBytes: IMPORT_MAX_BYTES, extensions: ['.xlsx', '.csv'] });
      return { file, table: await readTable(file, { maxRows: 5000 }) };
    },
    preview: {
      effect: z.object({ file_name: z.string(), row_count: z.int(), will_add_count: z.int(), already_present_count: z.int(), problems: z.array(planOut), sample: z.array(z.string()) }),
      read: (ws, input, _call, loaded) => {
        loadCampaign(ws, input.campaign_id);
        const plan = planAdd(ws, input.campaign_id, refsFromTable(loaded.table));
        return {
          effect: { file_name: loaded.file.name, row_count: loaded.table.rows.length, will_add_count: plan.toAdd.length, already_present_count: plan.present.length, problems: plan.problems.slice(0, 50), sample: sample(plan.toAdd.map((r) => r.label)) },
          state: { members: ws.db.prepare('SELECT member_id, creator_id, platform, channel_id, custom_id FROM aff_members WHERE campaign_id = ? ORDER BY member_id').all(input.campaign_id) },
          summary: `Import ${plan.toAdd.length} pending member(s) from ${loaded.file.name} into ${input.campaign_id}; ${plan.present.length} already present, ${plan.problems.length} row(s) with problems.`,
        };
      },
    },
    run: (ws, input, _call, loaded) => {
      loadCampaign(ws, input.campaign_id);
      const plan = planAdd(ws, input.campaign_id, refsFromTable(loaded.table));
      const added = insertMembers(ws, input.campaign_id, plan.toAdd);
      const pending = pendingCount(ws, input.campaign_id);
      return { added_count: added.length, already_present_count: plan.present.length, problems: plan.problems.slice(0, 50), pending_count: pending, summary: `Imported ${added.length} member(s); ${pending} pending activation.` };
    },
  }),
  defineOperation({
    name: 'affiliation.members_overview',
    toolset: 'affiliation',
    title: 'Affiliate member overview',
    description: 'One member: identity, status, discount code, tracking link and totals.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/affiliation/members/:member_id' },
    input: z.strictObject({ member_id: memberId }),
    output: memberOut.extend({ campaign_name: z.string(), conversion_rate: z.number(), first_order_at: z.string().nullable(), last_order_at: z.string().nullable() }),
    run: (ws, input) => {
      const m = loadMember(ws, input.member_id);
      const { campaign } = loadCampaign(ws, m.campaign_id);
      const o = ws.db.prepare('SELECT MIN(ordered_at) AS first, MAX(ordered_at) AS last FROM aff_orders WHERE member_id = ?').get(m.member_id) as { first: string | null; last: string | null };
      return { ...toMember(m), campaign_name: campaign.name, conversion_rate: m.clicks ? round2(m.orders / m.clicks) : 0, first_order_at: o.first, last_order_at: o.last };
    },
  }),
  defineOperation({
    name: 'affiliation.members_performance',
    toolset: 'affiliation',
    title: 'Affiliate member performance',
    description: 'Members of one campaign ranked by revenue, orders or clicks, with commission and conversion.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/affiliation/campaigns/:campaign_id/members/performance' },
    input: z.strictObject({
      campaign_id: campaignId,
      sort_by: z.enum(['revenue', 'orders', 'clicks']).default('revenue').describe('Ranking metric, highest first.'),
      status: z.enum(MEMBER_STATUSES).optional().describe('Only members in this status.'),
      ...pageInput,
    }),
    output: paged(memberOut.extend({ conversion_rate: z.number() })).extend({ totals }),
    run: (ws, input) => {
      loadCampaign(ws, input.campaign_id);
      const w = new Where().add('m.campaign_id = ?', input.campaign_id).maybe(input.status, 'm.status = ?', input.status);
      const page = pageQuery(ws, { select: MEMBER_SELECT, from: `${MEMBER_FROM} ${w.sql}`, order: `m.${input.sort_by} DESC, m.member_id`, params: w.params }, input, (r: MemberRow) => ({
        ...toMember(r),
        conversion_rate: r.clicks ? round2(r.orders / r.clicks) : 0,
      }));
      return { ...page, totals: campaignTotals(ws, input.campaign_id) };
    },
  }),
  defineOperation({
    name: 'affiliation.members_promotions',
    toolset: 'affiliation',
    title: 'Affiliate member promotions',
    description: "What an active member promotes: discount code, the offer, the affiliate tracking link and per-product affiliate links on the store's domain.",
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/affiliation/members/:member_id/promotions' },
    input: z.strictObject({ member_id: memberId }),
    output: z.object({
      member_id: z.string(),
      status: z.string(),
      discount_code: z.string().nullable(),
      offer: z.string().describe('The discount in words.'),
      tracking_link: z.string().nullable(),
      product_links: z.array(z.object({ title: z.string(), price: z.number(), url: z.string() })),
      note: z.string().nullable(),
    }),
    run: (ws, input) => {
      const m = loadMember(ws, input.member_id);
      const { campaign, store } = loadCampaign(ws, m.campaign_id);
      const d = JSON.parse(campaign.discount_detail_json) as DiscountDetail;
      const offer = { percentage: `${d.value}% off`, fixed_amount: `${d.value} ${store.currency} off`, free_shipping: 'free shipping', none: 'no discount' }[campaign.discount_method] + (d.min_order_amount ? ` on orders over ${d.min_order_amount} ${store.currency}` : '');
      const live = m.status === 'active' && m.discount_code !== null;
      const products = live ? (ws.db.prepare('SELECT title, price, url FROM aff_store_products WHERE store_id = ? ORDER BY title').all(store.store_id) as { title: string; price: number; url: string }[]) : [];
      return {
        member_id: m.member_id,
        status: m.status,
        discount_code: m.discount_code,
        offer,
        tracking_link: m.tracking_link,
        product_links: products.map((p) => ({ ...p, url: `${p.url}?ref=${encodeURIComponent(m.discount_code!)}` })),
        note: live ? null : m.status === 'pending' ? 'Pending members have no code or link until activated (affiliation_members_status_preview, action activate).' : 'Terminated: the code and link no longer earn commission; resume to reactivate.',
      };
    },
  }),
  defineOperation({
    name: 'affiliation.members_tracking_detail',
    toolset: 'affiliation',
    title: 'Affiliate member tracking detail',
    description: "One member's tracked orders (newest first) with clicks and totals.",
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/affiliation/members/:member_id/tracking' },
    input: z.strictObject({ member_id: memberId, ...pageInput }),
    output: paged(z.object({ order_id: z.string(), amount: z.number(), commission: z.number(), ordered_at: z.string() })).extend({ member_id: z.string(), tracking_link: z.string().nullable(), totals }),
    run: (ws, input) => {
      const m = loadMember(ws, input.member_id);
      const page = pageQuery(ws, { select: 'order_id, amount, commission, ordered_at', from: 'FROM aff_orders WHERE member_id = ?', order: 'ordered_at DESC, order_id', params: [m.member_id] }, input, (r: { order_id: string; amount: number; commission: number; ordered_at: string }) => r);
      return {
        ...page,
        member_id: m.member_id,
        tracking_link: m.tracking_link,
        totals: { clicks: m.clicks, orders: m.orders, revenue: round2(m.revenue), commission: round2(m.commission), conversion_rate: m.clicks ? round2(m.orders / m.clicks) : 0 },
      };
    },
  }),
  defineOperation({
    name: 'affiliation.campaigns_export',
    toolset: 'affiliation',
    title: 'Export campaign performance',
    description: 'Writes the per-member performance of one affiliate campaign (codes, links, clicks, orders, revenue, commission) as CSV to output_path in the files root. An existing file is replaced only with overwrite: true.',
    kind: 'write',
    risk: 'high',
    route: { method: 'POST', path: '/affiliation/campaigns/:campaign_id/export' },
    input: z.strictObject({
      campaign_id: campaignId,
      output_path: z.string().min(1).max(1024).regex(/\.csv$/i, 'end with .csv').describe('CSV file to write, relative to the files root.'),
      overwrite: z.boolean().default(false).describe('Replace an existing file.'),
    }),
    output: z.object({ path: z.string(), bytes: z.int(), row_count: z.int(), summary: z.string() }),
    idsOf: (i) => [i.campaign_id],
    preview: {
      effect: z.object({ campaign_id: z.string(), row_count: z.int(), columns: z.array(z.string()), output_path: z.string(), will_overwrite: z.boolean() }),
      read: (ws, input) => {
        const { campaign } = loadCampaign(ws, input.campaign_id);
        const { exists } = ws.files.checkOutput(input.output_path, input.overwrite);
        const rows = exportRows(ws, campaign.campaign_id);
        return {
          effect: { campaign_id: campaign.campaign_id, row_count: rows.length, columns: EXPORT_HEADER, output_path: input.output_path, will_overwrite: exists },
          state: { rows: rows.map((r) => [r.member_id, r.status, r.updated_at, r.orders, r.clicks]), exists },
          summary: `Write ${rows.length} member row(s) of "${campaign.name}" to ${input.output_path}${exists ? ' (replacing the existing file)' : ''}; the file holds creator identities and earnings.`,
        };
      },
    },
    run: (ws, input) => {
      const rows = exportRows(ws, input.campaign_id);
      const csv = csvRow(EXPORT_HEADER) + rows.map((r) => csvRow([...EXPORT_HEADER.slice(0, -1).map((k) => r[k as keyof MemberOut]), r.clicks ? round2(r.orders / r.clicks) : 0])).join('');
      const written = ws.files.writeOutput(input.output_path, '\uFEFF' + csv, input.overwrite);
      return { ...written, row_count: rows.length, summary: `Exported ${rows.length} member row(s) to ${written.path}.` };
    },
  }),
];

function addFromInput(ws: Workspace, input: { campaign_id: string; creator_ids?: string[] | undefined; channels?: { platform: string; channel_id: string }[] | undefined; custom_ids?: string[] | undefined }) {
  loadCampaign(ws, input.campaign_id);
  if (!input.creator_ids && !input.channels && !input.custom_ids) throw invalid('Name at least one member: creator_ids, channels or custom_ids.', 'creator_ids come from creator_search; channels are {platform, channel_id}; custom_ids are your own ids.');
  const refs = [
    ...(input.creator_ids ?? []).map((c) => refFrom({ creator_id: c, platform: null, channel_id: null, custom_id: null }, c)),
    ...(input.channels ?? []).map((c) => refFrom({ creator_id: null, platform: c.platform, channel_id: c.channel_id, custom_id: null }, `${c.platform}:${c.channel_id}`)),
    ...(input.custom_ids ?? []).map((c) => refFrom({ creator_id: null, platform: null, channel_id: null, custom_id: c }, c)),
  ];
  return { plan: planAdd(ws, input.campaign_id, refs), refs: refs.length };
}

// Affiliate campaign ids are not marketing campaign ids: keep affiliation changes out of campaign journals.
for (const op of affiliationOperations) op.campaignOf ??= () => null;
