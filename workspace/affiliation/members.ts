// Affiliate members in the embedded workspace: listing, adding, activating (which issues a unique
// discount code and a tracking link on the store's domain), terminating, resuming and deleting.
import type { z } from 'zod';
import { invalid, notFound, ToolError } from '../../src/errors.js';
import type { DiscountDetail } from '../../tools/affiliation/campaigns.js';
import { members, type memberOut } from '../../tools/affiliation/members.js';
import type { MEMBER_STATUSES } from '../../tools/vocabulary.js';
import { WHERE } from '../../tools/hints.js';
import { implement, type Implemented } from '../implement.js';
import { inJson, pageQuery, sample } from '../shared.js';
import type { Workspace } from '../workspace.js';
import type { StoreRow } from './stores.js';
import { loadCampaign, round2, settingsProblems, type CampaignRow } from './campaigns.js';
import { insertMembers, pendingCount, readAddition, refFrom } from './member-additions.js';

export interface MemberRow {
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
export type MemberOut = z.input<typeof memberOut>;

/** A member with its creator's nickname and its earned commission. */
export const MEMBER_SELECT = `m.*, c.nickname, (SELECT COALESCE(SUM(o.commission), 0) FROM aff_orders o WHERE o.member_id = m.member_id) AS commission`;
export const MEMBER_FROM = 'FROM aff_members m LEFT JOIN creators c ON c.creator_id = m.creator_id';

export const toMember = (r: MemberRow): MemberOut => ({
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

/** A member whose campaign's store is authorized. */
export function loadMember(ws: Workspace, memberId: string): MemberRow {
  const r = ws.db.prepare(`SELECT ${MEMBER_SELECT} ${MEMBER_FROM} WHERE m.member_id = ?`).get(memberId) as MemberRow | undefined;
  if (!r) throw notFound('affiliate member', memberId, WHERE.affiliateMember);
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

/** A unique discount code from the member's name and the discount, e.g. GLOW-NORA10 style: NORA10, NORA210... */
function issueCode(ws: Workspace, c: CampaignRow, m: MemberRow, taken: Set<string>): string {
  const source = m.nickname ?? m.channel_id ?? m.custom_id ?? m.member_id;
  const base =
    (source.split(/[\s._-]+/)[0] ?? source)
      .toUpperCase()
      .replace(/[^A-Z0-9]/g, '')
      .slice(0, 12) || 'MEMBER';
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

/** What a status change acts on: the members named, those that change, and why the others are skipped. */
function planStatus(ws: Workspace, input: { campaign_id: string; member_ids: string[]; action: Action }) {
  const { campaign, store } = loadCampaign(ws, input.campaign_id);
  const rule = ACTIONS[input.action];
  if (rule.to === 'active') {
    const problems = settingsProblems(campaign);
    if (problems.length) {
      throw invalid(
        `Campaign ${campaign.campaign_id} settings are incomplete (${problems.join('; ')}); activation would issue no discount code or tracking link.`,
        'Complete the settings with affiliation_campaigns_update (discount_method and detail, status active), then preview again.',
        { settings_problems: problems },
      );
    }
  }
  const { rows, missing } = membersOf(ws, campaign.campaign_id, input.member_ids);
  const change = rows.filter((r) => r.status === rule.from);
  const why = (r: MemberRow) =>
    r.status === rule.to ? `already ${r.status}` : r.status === 'pending' ? 'pending members are activated, or deleted, never terminated or resumed' : `${r.status} members cannot be ${input.action}d`;
  const skipped = [
    ...rows.filter((r) => r.status !== rule.from).map((r) => ({ member_id: r.member_id, status: r.status, reason: why(r) })),
    ...missing.map((m) => ({ member_id: m, status: null, reason: 'not a member of this campaign' })),
  ];
  return { campaign, store, rows, change, skipped, rule };
}

export const membersImplementations = {
  pending: implement(members.pending, {
    run: (ws, input) => {
      loadCampaign(ws, input.campaign_id);
      return pageQuery(
        ws,
        { select: MEMBER_SELECT, from: `${MEMBER_FROM} WHERE m.campaign_id = ? AND m.status = 'pending'`, order: 'm.created_at, m.member_id', params: [input.campaign_id] },
        input,
        toMember,
      );
    },
  }),
  active: implement(members.active, {
    run: (ws, input) => {
      loadCampaign(ws, input.campaign_id);
      return pageQuery(
        ws,
        { select: MEMBER_SELECT, from: `${MEMBER_FROM} WHERE m.campaign_id = ? AND m.status = ?`, order: 'm.updated_at DESC, m.member_id', params: [input.campaign_id, input.status] },
        input,
        toMember,
      );
    },
  }),
  add: implement(members.add, {
    read: (ws, input) => {
      loadCampaign(ws, input.campaign_id);
      if (!input.creator_ids && !input.channels && !input.custom_ids)
        throw invalid('Name at least one member: creator_ids, channels or custom_ids.', 'creator_ids come from creator_search; channels are {platform, channel_id}; custom_ids are your own ids.');
      const refs = [
        ...(input.creator_ids ?? []).map((c) => refFrom({ creator_id: c, platform: null, channel_id: null, custom_id: null }, c)),
        ...(input.channels ?? []).map((c) => refFrom({ creator_id: null, platform: c.platform, channel_id: c.channel_id, custom_id: null }, `${c.platform}:${c.channel_id}`)),
        ...(input.custom_ids ?? []).map((c) => refFrom({ creator_id: null, platform: null, channel_id: null, custom_id: c }, c)),
      ];
      return { requested: refs.length, ...readAddition(ws, input.campaign_id, refs) };
    },
    state: ({ members: current }) => ({ members: current }),
    effect: (_ws, input, { requested, plan }) => ({
      effect: {
        campaign_id: input.campaign_id,
        requested_count: requested,
        will_add_count: plan.toAdd.length,
        already_present: plan.present.slice(0, 50),
        problems: plan.problems.slice(0, 50),
        sample: sample(plan.toAdd.map((r) => r.label)),
      },
      summary: `Add ${plan.toAdd.length} pending member(s) to ${input.campaign_id}; ${plan.present.length} already present, ${plan.problems.length} not usable.`,
    }),
    run: (ws, input, _call, _loaded, { plan }) => {
      const added = insertMembers(ws, input.campaign_id, plan.toAdd);
      return {
        added_member_ids: added,
        already_present: plan.present,
        problems: plan.problems,
        pending_count: pendingCount(ws, input.campaign_id),
        summary: `Added ${added.length} pending member(s).`,
      };
    },
  }),
  update: implement(members.update, {
    run: (ws, input) => {
      const m = loadMember(ws, input.member_id);
      const { store } = loadCampaign(ws, m.campaign_id);
      let code = m.discount_code;
      if (input.discount_code !== undefined && input.discount_code !== m.discount_code) {
        if (m.status !== 'active')
          throw invalid(`Member ${m.member_id} is ${m.status}; only active members have a discount code to change.`, 'Activate it with affiliation_members_status_preview (action activate).');
        if (ws.db.prepare('SELECT 1 FROM aff_members WHERE discount_code = ?').get(input.discount_code)) {
          throw new ToolError('DUPLICATE_DATA', `The discount code ${input.discount_code} is already in use.`, { hint: 'Choose another code; codes are unique in the workspace.' });
        }
        code = input.discount_code;
      }
      if (input.custom_id === null && !m.creator_id && !m.channel_id) throw invalid("custom_id is this member's only identity and cannot be cleared.", 'Give a new custom_id instead.');
      ws.db
        .prepare('UPDATE aff_members SET custom_id = ?, discount_code = ?, tracking_link = ?, updated_at = ? WHERE member_id = ?')
        .run(input.custom_id === undefined ? m.custom_id : input.custom_id, code, code ? trackingLink(store, code) : null, ws.now().toISOString(), m.member_id);
      return toMember(loadMember(ws, m.member_id));
    },
  }),
  status: implement(members.status, {
    read: (ws, input) => planStatus(ws, input),
    state: (p) => ({ campaign: p.campaign.updated_at, members: p.rows.map((r) => [r.member_id, r.status, r.updated_at]) }),
    effect: (_ws, input, p) => {
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
        summary: `${input.action}: ${p.change.length} member(s) of ${p.campaign.campaign_id} go ${p.rule.from} → ${p.rule.to}${issue ? `, ${issue} new discount code(s) and tracking link(s)` : ''}; ${p.skipped.length} skipped.`,
      };
    },
    run: (ws, input, _call, _loaded, p) => {
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
  delete: implement(members.delete, {
    read: (ws, input) => {
      loadCampaign(ws, input.campaign_id);
      return membersOf(ws, input.campaign_id, input.member_ids);
    },
    state: ({ rows }) => ({ members: rows.map((r) => [r.member_id, r.status, r.updated_at]) }),
    effect: (_ws, input, { rows, missing }) => {
      const active = rows.filter((r) => r.status === 'active').length;
      return {
        effect: {
          will_delete_count: rows.length,
          active_count: active,
          will_remove_orders: rows.reduce((n, r) => n + r.orders, 0),
          not_found: missing.slice(0, 50),
          sample: sample(rows.map((r) => ({ member_id: r.member_id, status: r.status, discount_code: r.discount_code, orders: r.orders }))),
        },
        summary: `Delete ${rows.length} member(s) of ${input.campaign_id} (${active} active).`,
      };
    },
    run: (ws, _input, _call, _loaded, { rows, missing }) => {
      const gone = rows.map((r) => r.member_id);
      ws.db.prepare(`DELETE FROM aff_members WHERE ${inJson('member_id')}`).run(JSON.stringify(gone));
      return { deleted_member_ids: gone, not_found: missing, summary: `Deleted ${gone.length} member(s).` };
    },
  }),
} satisfies Implemented<typeof members>;
