// Sending an email task now or at a set time, and cancelling a scheduled send. The preview of a
// send or schedule is the approval sheet; everything it shows is bound to the preview token.
import { z } from 'zod';
import { defineContract } from '../../src/catalog.js';
import { EMAIL_TASK_STATUSES } from '../vocabulary.js';
import { attachment, filterSchema, productCardDetail, sender, taskId } from './schemas.js';

const recipientSample = z.object({
  recipient_id: z.string(),
  creator_id: z.string().nullable(),
  nickname: z.string().nullable(),
  email_address: z.string().nullable().describe('The address the send uses; null: none.'),
  address_source: z.enum(['given', 'creator_profile', 'none']),
  contacted_by: z.array(z.string()).describe('Other email tasks that already sent to them.'),
  unanswered_reply_count: z.int().describe('Their threads still needing our reply.'),
});

export const approvalEffect = z.object({
  task: z.object({ task_id: z.string(), name: z.string(), status: z.string(), type: z.int() }),
  recipients: z.object({
    total_count: z.int().describe('Pending recipients before the filter.'),
    will_send_count: z.int().describe('Final count after the filter.'),
    filtered_out_count: z.int(),
    filtered_by_reason: z.record(z.string(), z.int()),
    sample: z.array(recipientSample),
    filtered_sample: z.array(recipientSample.extend({ reason: z.string() })),
    contacted_elsewhere_count: z.int().describe('Of will_send: already sent to by other email tasks.'),
    unanswered_reply_count: z.int().describe('Of will_send: with replies still unanswered.'),
    contacted_sample: z.array(recipientSample),
  }),
  warnings: z.array(z.string()),
  filter: filterSchema,
  sender: sender,
  subject: z.string(),
  body_digest: z.string().describe('sha256 of html_body + text_body.'),
  body_excerpt: z.string(),
  product_cards: z.array(productCardDetail),
  short_links: z.array(z.string()),
  attachment: attachment.nullable(),
  plan_send_at: z.string().nullable().describe('null: sent on apply.'),
});

export const sendResult = z.object({
  task_id: z.string(),
  status: z.enum(EMAIL_TASK_STATUSES),
  sent_count: z.int(),
  bounced_count: z.int(),
  filtered_out_count: z.int(),
  threads_opened: z.int(),
  replies_expected_after: z.string().describe('When simulated replies start to arrive.'),
  summary: z.string(),
});

export const sending = {
  send: defineContract({
    name: 'email.send',
    title: 'Send an email task',
    description:
      'Sends a draft task now to the recipients its filter passes. The preview is the approval sheet: final recipients and addresses, who other tasks emailed, who is filtered and why, sender, content.',
    kind: 'write',
    risk: 'high',
    riskReason: 'Visible to creators and irreversible: emails every recipient now.',
    confirm: true,
    hints: { destructive: true, openWorld: true },
    route: { method: 'POST', path: '/email/tasks/:task_id/send' },
    input: z.strictObject({ task_id: taskId }),
    output: sendResult,
    effect: approvalEffect,
    idsOf: (i) => [i.task_id],
  }),
  schedule: defineContract({
    name: 'email.schedule',
    title: 'Schedule an email task',
    description: 'Schedules a draft task; the preview is the approval sheet, as for email_send.',
    kind: 'write',
    risk: 'high',
    riskReason: 'Visible to creators: emails every recipient at the scheduled time unless cancelled.',
    confirm: true,
    // Not destructive: a schedule can be cancelled (email_cancel) before it sends; a send cannot.
    hints: { destructive: false, openWorld: true },
    route: { method: 'POST', path: '/email/tasks/:task_id/schedule' },
    input: z.strictObject({ task_id: taskId, plan_send_at: z.string().min(1).max(40).describe('ISO 8601 with Z or a whole-hour offset, e.g. 2026-05-01T09:00:00+08:00 (+05:30 is refused).') }),
    output: z.object({ task_id: z.string(), status: z.string(), plan_send_at: z.string(), recipient_count: z.int(), summary: z.string() }),
    effect: approvalEffect,
    idsOf: (i) => [i.task_id],
  }),
  cancel: defineContract({
    name: 'email.cancel',
    title: 'Cancel a scheduled send',
    description: 'Cancels a scheduled send (status cancelled); the task can be edited and sent or scheduled again.',
    kind: 'write',
    risk: 'low',
    riskReason: 'Stops a scheduled send; nothing reaches creators.',
    hints: { idempotent: true },
    route: { method: 'POST', path: '/email/tasks/:task_id/cancel' },
    input: z.strictObject({ task_id: taskId }),
    output: z.object({ task_id: z.string(), status: z.string(), cancelled_plan_send_at: z.string().nullable(), summary: z.string() }),
    idsOf: (i) => [i.task_id],
  }),
};
