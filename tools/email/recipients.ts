// Recipients of an email task: listed, added, removed, replaced or imported from a spreadsheet.
// Only a task before the send flow (draft or cancelled) takes recipient changes.
import { z } from 'zod';
import { defineContract } from '../../src/catalog.js';
import { RECIPIENT_STATUSES } from '../vocabulary.js';
import { excelFileFields, pageInput, paged, idString } from '../shared.js';
import { IMPORT_MAX_BYTES, MAX_RECIPIENTS, recipientBrief, recipientInput, taskId } from './schemas.js';

const failedRow = z.object({ row: z.int(), value: z.string(), reason: z.string() });

export const recipients = {
  list: defineContract({
    name: 'email.recipients_list',
    cli: 'email recipients list',
    title: 'List email recipients',
    description: 'Recipients of a task with status, reply counts and, if pending, why the filter would hide them.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/email/tasks/:task_id/recipients' },
    input: z.strictObject({ task_id: taskId, status: z.enum(RECIPIENT_STATUSES).optional().describe('Only this status.'), ...pageInput }),
    output: paged(
      z.object({
        recipient_id: z.string(),
        creator_id: z.string().nullable(),
        nickname: z.string().nullable(),
        platform: z.string().nullable(),
        channel_id: z.string().nullable(),
        email_address: z.string().nullable(),
        status: z.enum(RECIPIENT_STATUSES),
        filtered_reason: z.string().nullable(),
        would_be_hidden_by: z.string().nullable().describe('Pending only: why the current filter would hide it.'),
        opened: z.boolean(),
        clicked: z.boolean(),
        reply_count: z.int(),
        sent_at: z.string().nullable(),
        added_at: z.string(),
      }),
    ).extend({ task_id: z.string() }),
  }),
  add: defineContract({
    name: 'email.recipients_add',
    cli: 'email recipients add',
    title: 'Add email recipients',
    description: 'Adds recipients to a draft task (ones present are reported). URLs and @handles are refused: resolve them with creator_search.',
    kind: 'write',
    risk: 'low',
    riskReason: 'Adds recipients to a draft task; removable again, nothing is sent.',
    route: { method: 'POST', path: '/email/tasks/:task_id/recipients' },
    input: z.strictObject({ task_id: taskId, recipients: z.array(recipientInput).min(1).max(1000).describe('To add.') }),
    output: z.object({ task_id: z.string(), added_count: z.int(), already_present_count: z.int(), recipient_count: z.int(), summary: z.string() }),
    idsOf: (i) => [i.task_id],
  }),
  delete: defineContract({
    name: 'email.recipients_delete',
    cli: 'email recipients delete',
    title: 'Remove email recipients',
    description: 'Removes recipients from a draft task by recipient_id.',
    kind: 'write',
    risk: 'low',
    riskReason: 'Removes named recipients from a draft task; they can be added again, nothing is sent.',
    hints: { destructive: true, idempotent: true },
    route: { method: 'POST', path: '/email/tasks/:task_id/recipients/delete' },
    input: z.strictObject({ task_id: taskId, recipient_ids: z.array(idString()).min(1).max(1000).describe('From email_recipients_list.') }),
    output: z.object({ task_id: z.string(), deleted_count: z.int(), not_found: z.array(z.string()), recipient_count: z.int(), summary: z.string() }),
    idsOf: (i) => [i.task_id],
  }),
  replace: defineContract({
    name: 'email.recipients_replace',
    cli: 'email recipients replace',
    title: 'Replace email recipients',
    description: 'Replaces the whole recipient list of a draft task; recipients not in it are removed.',
    kind: 'write',
    risk: 'high',
    riskReason: 'Bulk: replaces the whole recipient list of a task.',
    route: { method: 'PUT', path: '/email/tasks/:task_id/recipients' },
    input: z.strictObject({ task_id: taskId, recipients: z.array(recipientInput).min(1).max(MAX_RECIPIENTS).describe('The whole new list.') }),
    output: z.object({ task_id: z.string(), added_count: z.int(), removed_count: z.int(), kept_count: z.int(), recipient_count: z.int(), summary: z.string() }),
    effect: z.object({ will_add_count: z.int(), will_remove_count: z.int(), will_keep_count: z.int(), sample_add: z.array(recipientBrief), sample_remove: z.array(recipientBrief) }),
    idsOf: (i) => [i.task_id],
  }),
  import: defineContract({
    name: 'email.recipients_import',
    cli: 'email recipients import-file',
    title: 'Import email recipients',
    description:
      'Adds recipients from a workbook with columns creator_id, platform + channel_id, or email (no header: first column creator_id or email) to a draft or cancelled task; unusable rows are listed.',
    kind: 'write',
    risk: 'high',
    riskReason: 'Bulk: adds every row of a spreadsheet as recipients.',
    hints: { destructive: false },
    route: { method: 'POST', path: '/email/tasks/:task_id/recipients/import' },
    input: z.strictObject({ task_id: taskId, ...excelFileFields(IMPORT_MAX_BYTES, 'at most 8 MB') }),
    output: z.object({
      task_id: z.string(),
      added_count: z.int(),
      already_present_count: z.int(),
      failed_count: z.int(),
      failed_items: z.array(failedRow),
      recipient_count: z.int(),
      summary: z.string(),
    }),
    effect: z.object({
      file_name: z.string(),
      row_count: z.int(),
      will_add_count: z.int(),
      already_present_count: z.int(),
      failed_count: z.int(),
      failed_items: z.array(failedRow).describe('Up to 20 rows that will not be imported.'),
      sample_add: z.array(recipientBrief),
    }),
    idsOf: (i) => [i.task_id],
  }),
};
