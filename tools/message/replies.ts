// Replies on an existing thread: the draft, sending now, scheduling, cancelling a schedule.
// No new threads (first outreach is an email task) and no mark-handled: only a real reply clears pending.
import { z } from 'zod';
import { defineContract } from '../../src/catalog.js';
import { id } from '../shared.js';
import { htmlBody, threadId } from './schemas.js';

const senderField = id("Default: the thread's sender (message_get).").optional();

/** What a send or schedule shows for approval: who gets which body, from whom, with which files. */
export const replyEffect = z.object({
  thread_id: z.string(),
  project_id: z.string(),
  creator: z.object({ creator_id: z.string(), nickname: z.string(), channel_url: z.string() }),
  sender: z.object({ sender_auth_id: z.string(), email: z.string(), name: z.string() }),
  subject: z.string(),
  body_sha256: z.string(),
  body_text: z.string().describe('Visible text of the body (first 300 characters).'),
  attachments: z.array(z.object({ attachment_id: z.string(), file_name: z.string(), size: z.int() })).describe('Thread files that go out with the reply.'),
  current: z.object({ needs_reply: z.boolean(), last_message_direction: z.string(), pending_reason: z.string().nullable() }),
  siblings_unchanged: z.array(z.object({ thread_id: z.string(), project_id: z.string(), needs_reply: z.boolean() })).describe("The creator's other threads; they keep their own state."),
});

export const replies = {
  draftSave: defineContract({
    name: 'message.draft_save',
    cli: 'message draft save',
    title: 'Save a reply draft',
    description: 'Replaces the reply draft of one thread; nothing is sent.',
    kind: 'write',
    risk: 'low',
    riskReason: 'Saves a reply draft on one thread; nothing is sent.',
    hints: { idempotent: true },
    route: { method: 'PUT', path: '/messages/:thread_id/draft' },
    input: z.strictObject({ thread_id: threadId, html_body: htmlBody.nullable().describe('Draft HTML; null clears the draft.') }),
    output: z.object({ thread_id: z.string(), has_draft: z.boolean(), draft_updated_at: z.string().nullable(), summary: z.string() }),
    idsOf: (i) => [i.thread_id],
  }),
  send: defineContract({
    name: 'message.send',
    title: 'Send a reply',
    description: "Sends a reply with the thread's draft files on an existing thread (new threads start from an email task); it clears that thread's needs_reply, not its siblings'.",
    kind: 'write',
    risk: 'high',
    riskReason: 'Visible to the creator and irreversible: sends the reply now.',
    confirm: true,
    hints: { destructive: true, openWorld: true },
    route: { method: 'POST', path: '/messages/:thread_id/send' },
    input: z.strictObject({ thread_id: threadId, html_body: htmlBody, sender_auth_id: senderField }),
    output: z.object({
      thread_id: z.string(),
      message_id: z.string(),
      sent_at: z.string(),
      sender_auth_id: z.string(),
      attachment_ids: z.array(z.string()),
      needs_reply: z.boolean(),
      last_message_direction: z.string(),
      summary: z.string(),
    }),
    effect: replyEffect,
    idsOf: (i, o) => [i.thread_id, o.message_id],
  }),
  schedule: defineContract({
    name: 'message.schedule',
    title: 'Schedule a reply',
    description: 'Schedules a reply on an existing thread; it goes out with the thread files at send_at (message_cancel cancels).',
    kind: 'write',
    risk: 'high',
    riskReason: 'Visible to the creator: sends the reply at the scheduled time unless cancelled.',
    confirm: true,
    hints: { destructive: false, openWorld: true },
    route: { method: 'POST', path: '/messages/:thread_id/schedule' },
    input: z.strictObject({
      thread_id: threadId,
      html_body: htmlBody,
      send_at: z.string().max(40).describe('Future ISO 8601 time with Z or a whole-hour offset (+08:00).'),
      sender_auth_id: senderField,
    }),
    output: z.object({ thread_id: z.string(), scheduled_at: z.string(), sender_auth_id: z.string(), job_id: z.string(), summary: z.string() }),
    effect: replyEffect.extend({ send_at: z.string().describe('UTC time the reply goes out.') }),
    idsOf: (i) => [i.thread_id],
  }),
  cancel: defineContract({
    name: 'message.cancel',
    title: 'Cancel a scheduled reply',
    description: "Cancels one thread's scheduled reply; its body becomes the draft when the thread has none.",
    kind: 'write',
    risk: 'low',
    riskReason: 'Stops a scheduled reply; nothing reaches the creator.',
    hints: { idempotent: true },
    route: { method: 'POST', path: '/messages/:thread_id/cancel' },
    input: z.strictObject({ thread_id: threadId }),
    output: z.object({ thread_id: z.string(), cancelled: z.boolean(), was_scheduled_at: z.string().nullable(), summary: z.string() }),
    idsOf: (i) => [i.thread_id],
  }),
};
