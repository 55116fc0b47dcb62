// Threads: finding and reading existing conversations, a creator's sibling threads, archiving.
// Threads store no project or status columns: project_id is `<business_kind>:<business_id>` and
// the list statuses are derived (deal = the creator wrote last).
import { z } from 'zod';
import { defineContract } from '../../src/catalog.js';
import { coopStatusValue, creatorId, id, paged, pageInputOf } from '../shared.js';
import { attachmentOut, ownerUids, threadId, threadOut } from './schemas.js';

const BUSINESS_KINDS = ['email_task', 'affiliate_campaign'] as const;

const listInput = z.strictObject({
  status: z.enum(['deal', 'unread', 'draft', 'scheduled']).optional().describe('deal: the creator wrote last; draft and scheduled need business_kind + business_id.'),
  business_kind: z.enum(BUSINESS_KINDS).optional().describe('Project kind, with business_id.'),
  business_id: id('An email task_id or affiliate campaign_id.').optional(),
  project_ids: z
    .array(z.string().regex(/^(email_task|affiliate_campaign):[^:\s]+$/, 'use <business_kind>:<business_id>'))
    .min(1)
    .max(50)
    .optional()
    .describe('<business_kind>:<business_id>, e.g. email_task:task_1820; not with business_kind/id.'),
  creator_uids: ownerUids,
  creator_id: creatorId("Only this creator's threads.").optional(),
  label_id: id('Only this label (message_labels_list).').optional(),
  coop_status: coopStatusValue.optional().describe('Only threads with this status.'),
  needs_reply: z.boolean().optional().describe('true: only threads awaiting our reply.'),
  archived: z.boolean().default(false).describe('true: archived conversations instead.'),
  ...pageInputOf(10),
});

export const threads = {
  list: defineContract({
    name: 'message.list',
    title: 'List message threads',
    description:
      'Existing creator threads, newest first, with needs_reply, last_message_direction and pending_reason: decide follow-up from these, not unread. An email task\'s threads: project_ids ["email_task:<task_id>"].',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/messages' },
    input: listInput,
    output: paged(threadOut),
  }),
  get: defineContract({
    name: 'message.get',
    title: 'Get a message thread',
    description: 'One thread with its messages, draft, scheduled reply and draft files; marks it read.',
    // The only write is the unread flag, which no preview depends on (updated_at is left alone).
    kind: 'write',
    risk: 'low',
    riskReason: 'Marks the thread read for the caller while reading it; nothing else changes.',
    hints: { idempotent: true },
    route: { method: 'GET', path: '/messages/:thread_id' },
    input: z.strictObject({ thread_id: threadId, max_messages: z.int().min(1).max(200).default(50).describe('Latest messages to return.') }),
    output: threadOut.extend({
      message_count: z.int(),
      messages: z
        .array(z.object({ message_id: z.string(), direction: z.string(), html_body: z.string(), sender_auth_id: z.string().nullable(), sent_at: z.string(), attachments: z.array(attachmentOut) }))
        .describe('Oldest first.'),
      draft: z.object({ html_body: z.string(), updated_at: z.string().nullable() }).nullable(),
      scheduled: z.object({ html_body: z.string(), send_at: z.string(), sender_auth_id: z.string().nullable() }).nullable(),
      sender_auth_id: z.string().nullable(),
      attachments: z.array(attachmentOut).describe('Draft files that go out with the next reply.'),
    }),
    idsOf: (i) => [i.thread_id],
  }),
  projects: defineContract({
    name: 'message.projects',
    title: 'Sibling task threads of a creator',
    description: "Every thread of the same creator across projects, with each one's pending state.",
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/messages/:thread_id/projects' },
    input: z.strictObject({ thread_id: threadId }),
    output: z.object({ thread_id: z.string(), creator_id: z.string(), pending_count: z.int().describe('Threads with needs_reply true.'), items: z.array(threadOut) }),
  }),
  archive: defineContract({
    name: 'message.archive',
    title: 'Archive a conversation',
    description: "Archives the creator's whole conversation (this thread and its siblings), cancelling scheduled replies; only on explicit request.",
    kind: 'write',
    risk: 'high',
    riskReason: "Bulk: moves threads out of the team's inbox.",
    confirm: true,
    hints: { destructive: false, idempotent: true },
    route: { method: 'POST', path: '/messages/:thread_id/archive' },
    input: z.strictObject({ thread_id: threadId }),
    output: z.object({ creator_id: z.string(), archived_thread_ids: z.array(z.string()), cancelled_scheduled: z.int(), summary: z.string() }),
    effect: z.object({
      creator_id: z.string(),
      will_archive_count: z.int(),
      already_archived_count: z.int(),
      pending_count: z.int().describe('Threads still needing a reply that will be hidden.'),
      will_cancel_scheduled_count: z.int(),
      threads: z.array(threadOut.pick({ thread_id: true, project_id: true, project_name: true, needs_reply: true, scheduled_at: true, archived: true })),
    }),
    idsOf: (_i, o) => o.archived_thread_ids,
  }),
};
