// What affiliate members bring, in the embedded workspace: overviews, rankings, promotions,
// tracked orders, and a campaign's performance as CSV.
import { ToolError } from '../../src/errors.js';
import { buildXlsx } from '../../src/spreadsheet.js';
import type { DiscountDetail } from '../../tools/affiliation/campaigns.js';
import { memberPerformance } from '../../tools/affiliation/performance.js';
import { implement, type Implemented } from '../implement.js';
import { pageQuery, Where } from '../shared.js';
import type { Workspace } from '../workspace.js';
import { campaignTotals, conversionRate, loadCampaign, round2 } from './campaigns.js';
import { loadMember, MEMBER_FROM, MEMBER_SELECT, toMember, type MemberOut, type MemberRow } from './members.js';

const EXPORT_HEADER = [
  'member_id',
  'status',
  'creator_id',
  'nickname',
  'platform',
  'channel_id',
  'custom_id',
  'discount_code',
  'tracking_link',
  'clicks',
  'orders',
  'revenue',
  'commission',
  'conversion_rate',
];

const exportCells = (r: MemberOut): unknown[] => [...EXPORT_HEADER.slice(0, -1).map((k) => r[k as keyof MemberOut]), conversionRate(r.orders, r.clicks)];
const rowsDigest = (rows: MemberOut[]): string => JSON.stringify(rows.map(exportCells));

function exportRows(ws: Workspace, campaignId: string): MemberOut[] {
  return (ws.db.prepare(`SELECT ${MEMBER_SELECT} ${MEMBER_FROM} WHERE m.campaign_id = ? ORDER BY m.revenue DESC, m.member_id`).all(campaignId) as MemberRow[]).map(toMember);
}

export const memberPerformanceImplementations = {
  overview: implement(memberPerformance.overview, {
    run: (ws, input) => {
      const m = loadMember(ws, input.member_id);
      const { campaign } = loadCampaign(ws, m.campaign_id);
      const o = ws.db.prepare('SELECT MIN(ordered_at) AS first, MAX(ordered_at) AS last FROM aff_orders WHERE member_id = ?').get(m.member_id) as { first: string | null; last: string | null };
      return { ...toMember(m), campaign_name: campaign.name, conversion_rate: conversionRate(m.orders, m.clicks), first_order_at: o.first, last_order_at: o.last };
    },
  }),
  ranking: implement(memberPerformance.ranking, {
    run: (ws, input) => {
      loadCampaign(ws, input.campaign_id);
      const w = new Where().add('m.campaign_id = ?', input.campaign_id).maybe(input.status, 'm.status = ?', input.status);
      const page = pageQuery(ws, { select: MEMBER_SELECT, from: `${MEMBER_FROM} ${w.sql}`, order: `m.${input.sort_by} DESC, m.member_id`, params: w.params }, input, (r: MemberRow) => ({
        ...toMember(r),
        conversion_rate: conversionRate(r.orders, r.clicks),
      }));
      return { ...page, totals: campaignTotals(ws, input.campaign_id) };
    },
  }),
  promotions: implement(memberPerformance.promotions, {
    run: (ws, input) => {
      const m = loadMember(ws, input.member_id);
      const { campaign, store } = loadCampaign(ws, m.campaign_id);
      const d = JSON.parse(campaign.discount_detail_json) as DiscountDetail;
      const offer =
        { percentage: `${d.value}% off`, fixed_amount: `${d.value} ${store.currency} off`, free_shipping: 'free shipping', none: 'no discount' }[campaign.discount_method] +
        (d.min_order_amount ? ` on orders over ${d.min_order_amount} ${store.currency}` : '');
      const live = m.status === 'active' && m.discount_code !== null;
      const products = live
        ? (ws.db.prepare('SELECT title, price, url FROM aff_store_products WHERE store_id = ? ORDER BY title').all(store.store_id) as { title: string; price: number; url: string }[])
        : [];
      return {
        member_id: m.member_id,
        status: m.status,
        discount_code: m.discount_code,
        offer,
        tracking_link: m.tracking_link,
        product_links: products.map((p) => ({ ...p, url: `${p.url}?ref=${encodeURIComponent(m.discount_code!)}` })),
        note: live
          ? null
          : m.status === 'pending'
            ? 'Pending members have no code or link until activated (affiliation_members_status_preview, action activate).'
            : 'Terminated: the code and link no longer earn commission; resume to reactivate.',
      };
    },
  }),
  tracking: implement(memberPerformance.tracking, {
    run: (ws, input) => {
      const m = loadMember(ws, input.member_id);
      const page = pageQuery(
        ws,
        { select: 'order_id, amount, commission, ordered_at', from: 'FROM aff_orders WHERE member_id = ?', order: 'ordered_at DESC, order_id', params: [m.member_id] },
        input,
        (r: { order_id: string; amount: number; commission: number; ordered_at: string }) => r,
      );
      return {
        ...page,
        member_id: m.member_id,
        tracking_link: m.tracking_link,
        totals: { clicks: m.clicks, orders: m.orders, revenue: round2(m.revenue), commission: round2(m.commission), conversion_rate: conversionRate(m.orders, m.clicks) },
      };
    },
  }),
  export: implement(memberPerformance.export, {
    // The workbook is built before the transaction (exceljs is async) from one reading of the rows;
    // the apply writes it only if its own reading still holds exactly those rows.
    load: async (ws, input) => {
      const rows = exportRows(ws, loadCampaign(ws, input.campaign_id).campaign.campaign_id);
      return { rows: rowsDigest(rows), xlsx: await buildXlsx('performance', EXPORT_HEADER, rows.map(exportCells)) };
    },
    // One reading: the campaign, whether the file exists, and the rows the workbook will hold.
    read: (ws, input) => {
      const { campaign } = loadCampaign(ws, input.campaign_id);
      const { exists } = ws.files.checkOutput(input.output_path, input.overwrite);
      return { campaign, exists, rows: exportRows(ws, campaign.campaign_id) };
    },
    state: ({ rows, exists }) => ({ rows: rows.map((r) => [r.member_id, r.status, r.updated_at, r.orders, r.clicks]), exists }),
    effect: (_ws, input, { campaign, exists, rows }) => ({
      effect: { campaign_id: campaign.campaign_id, row_count: rows.length, columns: EXPORT_HEADER, output_path: input.output_path, will_overwrite: exists },
      summary: `Write ${rows.length} member row(s) of "${campaign.name}" to ${input.output_path}${exists ? ' (replacing the existing file)' : ''}; the file holds creator identities and earnings.`,
    }),
    run: (ws, input, _call, loaded, { rows }) => {
      if (loaded.rows !== rowsDigest(rows)) throw new ToolError('CONFLICT', 'The campaign changed while its workbook was being built.', { hint: 'Run affiliation_campaigns_export_preview again.' });
      const written = ws.files.writeOutput(input.output_path, loaded.xlsx, input.overwrite);
      return { ...written, row_count: rows.length, summary: `Exported ${rows.length} member row(s) to ${written.path}.` };
    },
  }),
} satisfies Implemented<typeof memberPerformance>;
