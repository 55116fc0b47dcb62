// Members of an affiliate campaign: added pending, activated (which issues a discount code and an
// affiliate tracking link on the store's own domain, never a Nox short link), terminated, resumed.
import { z } from 'zod';
import { MEMBER_STATUSES } from '../vocabulary.js';
import { creatorIds, ids, pageInput, paged, platform, idString } from '../shared.js';
import { defineAffiliationContract } from './define.js';
import { campaignId } from './campaigns.js';

// Described once, in the instructions (SHARED_FIELDS).
export const memberId = idString();

export const memberOut = z.object({
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

/** A member identity that could not be added, and why. */
export const planOut = z.object({ ref: z.string(), reason: z.string() });

const memberIds = ids(undefined, 500);
const skippedMember = z.object({ member_id: z.string(), status: z.string().nullable(), reason: z.string() });

export const members = {
  pending: defineAffiliationContract({
    name: 'affiliation.members_pending',
    cli: 'affiliation members pending',
    title: 'Pending affiliate members',
    description: 'Members of one campaign waiting for activation (no code or link yet).',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/affiliation/campaigns/:campaign_id/members/pending' },
    input: z.strictObject({ campaign_id: campaignId, ...pageInput }),
    output: paged(memberOut),
  }),
  active: defineAffiliationContract({
    name: 'affiliation.members_active',
    cli: 'affiliation members active',
    title: 'Active affiliate members',
    description: 'Active or terminated members of one campaign with their discount code and tracking link.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/affiliation/campaigns/:campaign_id/members/active' },
    input: z.strictObject({ campaign_id: campaignId, status: z.enum(['active', 'terminated']).default('active').describe('Which members.'), ...pageInput }),
    output: paged(memberOut),
  }),
  add: defineAffiliationContract({
    name: 'affiliation.members_add',
    cli: 'affiliation members add',
    title: 'Add affiliate members',
    description: 'Adds pending members to one campaign by creator_ids, channels or custom_ids (duplicates are reported); affiliation_members_status activates them.',
    kind: 'write',
    risk: 'high',
    riskReason: 'Bulk, and visible to creators: enrols creators in an affiliate programme.',
    hints: { destructive: false },
    route: { method: 'POST', path: '/affiliation/campaigns/:campaign_id/members' },
    input: z.strictObject({
      campaign_id: campaignId,
      creator_ids: creatorIds(undefined, 500).optional(),
      channels: z
        .array(z.strictObject({ platform, channel_id: z.string().min(1).max(200).describe('Platform channel id.') }))
        .min(1)
        .max(500)
        .optional()
        .describe('Platform identities.'),
      custom_ids: ids('Your own ids for members outside the creator base.', 500).optional(),
    }),
    output: z.object({ added_member_ids: z.array(z.string()), already_present: z.array(z.string()), problems: z.array(planOut), pending_count: z.int(), summary: z.string() }),
    effect: z.object({ campaign_id: z.string(), requested_count: z.int(), will_add_count: z.int(), already_present: z.array(z.string()), problems: z.array(planOut), sample: z.array(z.string()) }),
    idsOf: (_i, o) => o.added_member_ids,
  }),
  update: defineAffiliationContract({
    name: 'affiliation.members_update',
    cli: 'affiliation members update',
    title: 'Update an affiliate member',
    description: "Changes one member's custom_id, or the discount code of an active member (its tracking link follows).",
    kind: 'write',
    risk: 'low',
    riskReason: "Edits one member's terms; reversible.",
    hints: { idempotent: true },
    route: { method: 'PATCH', path: '/affiliation/members/:member_id' },
    input: z.strictObject({
      member_id: memberId,
      custom_id: z.string().min(1).max(128).nullable().optional().describe('Your own id; null clears.'),
      discount_code: z
        .string()
        .regex(/^[A-Z0-9-]{3,32}$/, '3-32 upper-case letters, digits or dashes')
        .optional()
        .describe('New unique discount code (active members only).'),
    }),
    output: memberOut,
    idsOf: (i) => [i.member_id],
  }),
  status: defineAffiliationContract({
    name: 'affiliation.members_status',
    cli: 'affiliation members status',
    title: 'Activate, terminate or resume members',
    description: 'Activates members (pending → active, issuing a discount code and tracking link once the campaign settings are complete), terminates them or resumes them (same code).',
    kind: 'write',
    risk: 'high',
    riskReason: "Bulk, and visible to creators: changes members' status in the programme.",
    hints: { destructive: false },
    route: { method: 'POST', path: '/affiliation/campaigns/:campaign_id/members/status' },
    input: z.strictObject({ campaign_id: campaignId, member_ids: memberIds, action: z.enum(['activate', 'terminate', 'resume']).describe('The move.') }),
    output: z.object({
      action: z.string(),
      changed: z.array(memberOut.pick({ member_id: true, status: true, discount_code: true, tracking_link: true })),
      skipped: z.array(skippedMember),
      summary: z.string(),
    }),
    effect: z.object({
      action: z.string(),
      matched_count: z.int(),
      will_change_count: z.int(),
      will_issue_codes_count: z.int().describe('Members that get a new discount code and tracking link.'),
      skipped: z.array(skippedMember),
      sample: z.array(z.object({ member_id: z.string(), from: z.string(), to: z.string(), discount_code: z.string().nullable() })),
    }),
    idsOf: (_i, o) => o.changed.map((c) => c.member_id),
  }),
  delete: defineAffiliationContract({
    name: 'affiliation.members_delete',
    cli: 'affiliation members delete',
    title: 'Delete affiliate members',
    description: 'Removes members from one campaign with their codes, links and order history.',
    kind: 'write',
    risk: 'high',
    riskReason: 'Irreversible: removes members from the programme.',
    confirm: true,
    route: { method: 'DELETE', path: '/affiliation/campaigns/:campaign_id/members' },
    input: z.strictObject({ campaign_id: campaignId, member_ids: memberIds }),
    output: z.object({ deleted_member_ids: z.array(z.string()), not_found: z.array(z.string()), summary: z.string() }),
    effect: z.object({
      will_delete_count: z.int(),
      active_count: z.int(),
      will_remove_orders: z.int(),
      not_found: z.array(z.string()),
      sample: z.array(memberOut.pick({ member_id: true, status: true, discount_code: true, orders: true })),
    }),
    idsOf: (_i, o) => o.deleted_member_ids,
  }),
};
