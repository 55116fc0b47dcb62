// Planning new affiliate members, shared by members_add and the member import: each identity is
// checked, linked to its creator where known, and reported when it is already a member.
import { platform } from '../../tools/shared.js';
import type { Workspace } from '../workspace.js';

/** The identity columns of a member: creator_id, or platform + channel_id, or custom_id. */
interface MemberIdentity {
  creator_id: string | null;
  platform: string | null;
  channel_id: string | null;
  custom_id: string | null;
}

/** One identity to add, with the label the plan reports it by. */
export interface MemberRef extends MemberIdentity {
  label: string;
}
/** An identity that cannot be added at all (e.g. a spreadsheet row naming two identities). */
export type UnusableRef = { label: string; problem: string };

export interface AddPlan {
  toAdd: MemberRef[];
  present: string[];
  problems: { ref: string; reason: string }[];
}

/** Exactly one identity per member: creator_id, or platform + channel_id, or custom_id. */
export function refFrom(v: MemberIdentity, where: string): MemberRef | UnusableRef {
  const kinds = (v.creator_id ? 1 : 0) + (v.platform || v.channel_id ? 1 : 0) + (v.custom_id ? 1 : 0);
  if (kinds !== 1) return { label: where, problem: 'give exactly one of creator_id, platform + channel_id, or custom_id' };
  if ((v.platform || v.channel_id) && !(v.platform && v.channel_id)) return { label: where, problem: 'platform and channel_id go together' };
  if (v.platform && !platform.safeParse(v.platform).success) return { label: where, problem: `unknown platform ${v.platform}` };
  const label = v.creator_id ?? (v.platform ? `${v.platform}:${v.channel_id}` : `custom:${v.custom_id}`);
  return { ...v, label: where.startsWith('row ') ? `${where} (${label})` : where };
}

/** The keys under which an identity counts as already present. */
const keysOf = (r: MemberIdentity): string[] =>
  [r.creator_id ? `c:${r.creator_id}` : null, r.platform && r.channel_id ? `p:${r.platform}:${r.channel_id}` : null, !r.creator_id && !r.channel_id && r.custom_id ? `x:${r.custom_id}` : null].filter(
    (k): k is string => k !== null,
  );

function planAdd(ws: Workspace, existing: MemberIdentity[], refs: (MemberRef | UnusableRef)[]): AddPlan {
  const keys = new Set<string>();
  for (const e of existing) for (const k of keysOf(e)) keys.add(k);
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
      if (!creatorById.get(ref.creator_id)) {
        plan.problems.push({ ref: ref.label, reason: 'no creator with this creator_id' });
        continue;
      }
    } else if (ref.platform && ref.channel_id) {
      // A known platform identity is linked to its creator, so the same person is not added twice.
      ref.creator_id = (creatorByChannel.get(ref.platform, ref.channel_id) as string | undefined) ?? null;
    }
    const k = keysOf(ref);
    if (k.some((x) => keys.has(x))) {
      plan.present.push(ref.label);
      continue;
    }
    for (const x of k) keys.add(x);
    plan.toAdd.push(ref);
  }
  return plan;
}

/**
 * One reading for an addition: the campaign's members (the state its preview token binds) and the
 * plan made against exactly those members.
 */
export function readAddition(ws: Workspace, campaignId: string, refs: (MemberRef | UnusableRef)[]): { members: (MemberIdentity & { member_id: string })[]; plan: AddPlan } {
  const members = ws.db.prepare('SELECT member_id, creator_id, platform, channel_id, custom_id FROM aff_members WHERE campaign_id = ? ORDER BY member_id').all(campaignId) as (MemberIdentity & {
    member_id: string;
  })[];
  return { members, plan: planAdd(ws, members, refs) };
}

export function insertMembers(ws: Workspace, campaignId: string, refs: MemberRef[]): string[] {
  const at = ws.now().toISOString();
  const insert = ws.db.prepare(
    `INSERT INTO aff_members (member_id, campaign_id, creator_id, platform, channel_id, custom_id, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
  );
  return refs.map((r) => {
    const mid = ws.newId('mem');
    insert.run(mid, campaignId, r.creator_id, r.platform, r.channel_id, r.custom_id, at, at);
    return mid;
  });
}

export const pendingCount = (ws: Workspace, campaignId: string) => ws.db.prepare(`SELECT COUNT(*) FROM aff_members WHERE campaign_id = ? AND status = 'pending'`).pluck().get(campaignId) as number;
