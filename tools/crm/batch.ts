// Many creators at once (selector.creator_ids): batch updates, archiving, adding to an email task.
// Every creator gets an outcome; those that cannot take the change are listed, never skipped.
import { z } from 'zod';
import { defineContract } from '../../src/catalog.js';
import { creatorIds, id, ids } from '../shared.js';
import { coopStatus } from './channels.js';

export const failure = z.object({ creator_id: z.string(), reason: z.string().describe('creator_not_found or no_crm_channel.') });

export const batchSampleRow = z.object({ creator_id: z.string(), nickname: z.string().nullable(), outcome: z.string() });

export const batchEffect = z.object({
  requested_count: z.int(),
  matched_count: z.int().describe('Requested ids that are creators of the workspace.'),
  existing_count: z.int().describe('Creators that already have a CRM channel.'),
  will_create_count: z.int().describe('Missing channels the change creates (coop-status or label changes only).'),
  failed_count: z.int(),
  failed: z.array(failure).describe('Per-creator failures, at most 50 shown.'),
  sample: z.array(batchSampleRow),
});

const fromCount = (key: string) => z.array(z.object({ [key]: z.string().nullable(), count: z.int() }));

/** What a batch update changes, by name: each part only when requested. */
export const batchChanges = z.object({
  coop_status: z
    .object({ to: z.string(), to_name: z.string(), from: z.array(z.object({ coop_status: z.string().nullable(), name: z.string(), count: z.int() })), unchanged_count: z.int() })
    .optional(),
  labels: z
    .object({
      operation: z.enum(['add', 'remove']),
      items: z.array(z.object({ label_id: z.string(), name: z.string(), change_count: z.int().describe('Channels that gain (add) or lose (remove) it.'), unchanged_count: z.int() })),
    })
    .optional(),
  owner_uid: z.object({ to: z.string().nullable(), from: fromCount('owner_uid'), unchanged_count: z.int() }).optional(),
  archived: z.object({ to: z.boolean(), change_count: z.int(), unchanged_count: z.int() }).optional(),
});

const selector = z.strictObject({ creator_ids: creatorIds(undefined, 50_000) }).describe('The creators.');

export const batch = {
  update: defineContract({
    name: 'crm.batch_update',
    title: 'Batch-update CRM channels',
    description: 'Changes coop status, labels, owner or archived state of many CRM channels; status or label changes create missing channels.',
    kind: 'staged',
    risk: 'high',
    riskReason: 'Bulk change of many shared CRM channels, and may create channels.',
    hints: { destructive: false },
    route: { method: 'POST', path: '/crm/batch-update' },
    input: z.strictObject({
      selector,
      coop_status: coopStatus.optional(),
      labels: z
        .strictObject({ operation: z.enum(['add', 'remove']).describe('add or remove.'), label_ids: ids(undefined, 50) })
        .optional()
        .describe('Labels to add or remove.'),
      owner_uid: id('Owner user_uid; null clears.').nullable().optional(),
      archived: z.boolean().optional().describe('true archives, false restores.'),
    }),
    output: z.object({ created_count: z.int(), updated_count: z.int(), failed_count: z.int(), failed: z.array(failure).describe('At most 100 shown.'), summary: z.string() }),
    effect: batchEffect.extend({ changes: batchChanges }),
    idsOf: (i) => i.selector.creator_ids.slice(0, 200),
  }),
  archive: defineContract({
    name: 'crm.archive',
    title: 'Archive CRM channels',
    description: 'Archives the CRM channels of the given creators (crm_restore undoes); creators without one are listed as failed.',
    kind: 'write',
    risk: 'high',
    riskReason: "Bulk: hides channels from the team's active CRM list.",
    hints: { destructive: false, idempotent: true },
    route: { method: 'POST', path: '/crm/archive' },
    input: z.strictObject({ creator_ids: creatorIds() }),
    output: z.object({ archived_count: z.int(), already_archived_count: z.int(), failed_count: z.int(), failed: z.array(failure).describe('At most 100 shown.'), summary: z.string() }),
    effect: batchEffect.omit({ will_create_count: true }).extend({ will_archive_count: z.int(), already_archived_count: z.int() }),
    idsOf: (i) => i.creator_ids.slice(0, 200),
  }),
  addToEmail: defineContract({
    name: 'crm.add_to_email',
    title: 'Add CRM channels to an email task',
    description: 'Adds active CRM channels to a draft email task as recipients.',
    kind: 'staged',
    risk: 'high',
    riskReason: 'Bulk: adds CRM channels as recipients of an email task that will write to creators.',
    hints: { destructive: false },
    route: { method: 'POST', path: '/crm/add-to-email' },
    // The description's own wording ("Email task ids"), kept as the published schema has it.
    input: z.strictObject({ task_id: id('The email task to add recipients to. Email task ids come from email_list.'), selector }),
    output: z.object({
      task_id: z.string(),
      campaign_id: z.string().nullable(),
      added_count: z.int(),
      already_recipient_count: z.int(),
      failed_count: z.int(),
      failed: z.array(failure.extend({ reason: z.string().describe('creator_not_found, no_crm_channel or archived.') })).describe('At most 100 shown.'),
      summary: z.string(),
    }),
    effect: z.object({
      task_id: z.string(),
      task_name: z.string(),
      requested_count: z.int(),
      will_add_count: z.int(),
      already_recipient_count: z.int(),
      failed_count: z.int(),
      failed: z.array(failure).describe('At most 50 shown.'),
      sample: z.array(batchSampleRow),
    }),
    idsOf: (i) => [i.task_id],
  }),
};
