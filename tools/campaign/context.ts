// The campaign context: what the workflow keeps stable across the loop (goal, market, creator
// decisions, approvals, links, affiliation, reply state, message filters, ids, export reasons),
// recorded by partial merges, and read back with the campaign's exports and journal.
import { z } from 'zod';
import { defineContract } from '../../src/catalog.js';
import { MESSAGE_DIRECTIONS } from '../vocabulary.js';
import { coopStatusValue, creatorIdString, id, idString } from '../shared.js';

export const APPROVALS = ['recipients', 'sender', 'content', 'attachments', 'schedule'] as const;
export const ID_KINDS = ['collection_ids', 'label_ids', 'product_collect_ids', 'task_ids', 'thread_ids', 'attachment_ids', 'export_ids'] as const;
export type ApprovalKey = (typeof APPROVALS)[number];
export type IdKind = (typeof ID_KINDS)[number];

// The record body: every part optional, a partial merge.
// Nested fields whose name says it all go undescribed: the part they belong to is described.
const strs = (d?: string) => (d ? ids500().describe(d) : ids500());
const ids500 = () => z.array(idString()).max(500);
const approvalIn = z.strictObject({
  status: z.enum(['pending', 'approved', 'rejected']),
  by: z.string().max(128).optional().describe('Who decided.'),
  note: z.string().max(500).optional().describe('What was approved, e.g. recipient count or subject.'),
});

export const recordInput = z.strictObject({
  campaign_id: idString(),
  goal: z.string().trim().min(1).max(2000).optional().describe('Campaign goal.'),
  market: z
    .array(z.string().regex(/^[A-Z]{2}$/))
    .max(50)
    .optional()
    .describe('Target countries, ISO alpha-2.'),
  creators: z
    .array(z.strictObject({ creator_id: creatorIdString(), decision: z.enum(['include', 'exclude']), reason: z.string().trim().min(1).max(500) }))
    .max(500)
    .optional()
    .describe('Decisions with reasons, upserted by creator_id.'),
  approvals: z.partialRecord(z.enum(APPROVALS), approvalIn).optional().describe('By approval step; each given one is replaced.'),
  links: z
    .array(
      z.strictObject({
        id: id('short_link_id, or member_id for an affiliate tracking link.'),
        kind: z.enum(['short_link', 'affiliate']),
        url: z.string().max(2000).optional(),
      }),
    )
    .max(100)
    .optional()
    .describe('Links in use, upserted by id.'),
  affiliation: z
    .strictObject({ store_id: idString().optional(), affiliate_campaign_id: idString().optional(), member_ids: strs('Added to the set.').optional() })
    .optional()
    .describe('Affiliation ids in use.'),
  reply_state: z
    .array(
      z.strictObject({
        thread_id: idString(),
        needs_reply: z.boolean(),
        last_message_direction: z.enum(MESSAGE_DIRECTIONS),
        pending_reason: z.string().max(500).nullable().optional(),
      }),
    )
    .max(200)
    .optional()
    .describe('Reply state (as message_list read it) behind a follow-up decision, upserted by thread_id.'),
  message_filters: z
    .strictObject({
      project_ids: strs('e.g. email_task:<task_id>.').optional(),
      creator_uids: strs().optional(),
      label_id: idString().optional(),
      coop_status: coopStatusValue.optional(),
    })
    .optional()
    .describe('The message_list filters that rebuild the thread view; given fields replace.'),
  ids: z.partialRecord(z.enum(ID_KINDS), strs()).optional().describe('Ids used in follow-ups, by kind; added to the kept sets.'),
  export_reasons: z
    .array(z.strictObject({ export_id: idString(), reason: z.string().trim().min(1).max(500) }))
    .max(100)
    .optional()
    .describe('Why each export was made, upserted by export_id.'),
  notes: z.string().max(4000).nullable().optional().describe('Free notes; null clears.'),
  remove: strs('Ids to drop from every list (creators, links, threads, ids, members, export reasons).').optional(),
});
export type RecordInput = z.output<typeof recordInput>;

const approvalOut = z.object({ status: z.string(), by: z.string().optional(), note: z.string().optional(), at: z.string() }).nullable();
export const contextOut = z.object({
  campaign: z.object({ campaign_id: z.string(), name: z.string(), objective: z.string(), markets: z.array(z.string()), platforms: z.array(z.string()), status: z.string() }),
  goal: z.string(),
  market: z.array(z.string()),
  creators: z.array(z.object({ creator_id: z.string(), decision: z.string(), reason: z.string(), at: z.string() })),
  included_count: z.int(),
  excluded_count: z.int(),
  approvals: z.record(z.enum(APPROVALS), approvalOut).describe('recipients, sender, content, attachments, schedule; null: not recorded.'),
  links: z.array(z.object({ id: z.string(), kind: z.string(), url: z.string().optional(), at: z.string() })),
  affiliation: z.object({ store_id: z.string().optional(), affiliate_campaign_id: z.string().optional(), member_ids: z.array(z.string()) }),
  reply_state: z.array(z.object({ thread_id: z.string(), needs_reply: z.boolean(), last_message_direction: z.string(), pending_reason: z.string().nullable().optional(), at: z.string() })),
  message_filters: z.object({ project_ids: z.array(z.string()).optional(), creator_uids: z.array(z.string()).optional(), label_id: z.string().optional(), coop_status: z.string().optional() }),
  ids: z.record(z.enum(ID_KINDS), z.array(z.string())),
  export_reasons: z.array(z.object({ export_id: z.string(), reason: z.string(), at: z.string() })),
  notes: z.string().nullable(),
  exports: z
    .array(z.object({ export_id: z.string(), kind: z.string(), status: z.string(), reason: z.string(), row_count: z.int().nullable(), file_name: z.string().nullable(), created_at: z.string() }))
    .describe('Exports made for this campaign (newest 50).'),
  journal: z
    .array(
      z.object({ entry_id: z.int(), at: z.string(), operation: z.string(), status: z.string(), summary: z.string(), ids: z.array(z.string()), token_id: z.string().nullable(), principal: z.string() }),
    )
    .describe('Changes applied for this campaign, newest first; ids cut at 10.'),
  journal_total: z.int().describe('Journal entries of the campaign in all.'),
  journal_next_before: z.int().nullable().describe('Pass as journal_before for older entries; null: none.'),
  updated_at: z.string().nullable().describe('Last record; null when nothing was recorded yet.'),
});
export type ContextOut = z.input<typeof contextOut>;

export const context = {
  get: defineContract({
    name: 'campaign.context_get',
    cli: 'campaign context get',
    title: 'Get the campaign context',
    description: 'The campaign context (goal, market, creator decisions, approvals, links, ids and more) with its exports and the journal of applied changes.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/campaigns/:campaign_id/context' },
    input: z.strictObject({
      campaign_id: idString(),
      journal_limit: z.int().min(0).max(200).default(5).describe('Newest journal entries to include.'),
      journal_before: z.int().min(1).optional().describe('Only entries older than this entry_id (journal_next_before).'),
    }),
    output: contextOut,
  }),
  record: defineContract({
    name: 'campaign.context_record',
    cli: 'campaign context record',
    title: 'Record into the campaign context',
    description: 'Merges a partial record into the campaign context: given scalars replace, keyed lists upsert by id, id sets grow, remove drops ids. Call after each decision or applied step.',
    kind: 'write',
    risk: 'low',
    riskReason: 'Notes in the campaign context for later sessions; merged, reversible, not visible to creators.',
    hints: { idempotent: true },
    route: { method: 'PATCH', path: '/campaigns/:campaign_id/context' },
    input: recordInput,
    output: z.object({
      campaign_id: z.string(),
      changed: z.array(z.string()).describe('Parts this call changed; campaign_context_get shows the whole context.'),
      updated_at: z.string(),
      summary: z.string(),
    }),
    idsOf: (i) => [i.campaign_id, ...(i.creators ?? []).map((c) => c.creator_id).slice(0, 50)],
  }),
};
