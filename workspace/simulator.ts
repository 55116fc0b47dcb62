// The embedded workspace's stand-in for the outside world of email: who bounces, who replies, and
// the message threads that replies land on. Deterministic: every outcome is a hash of
// (task_id, recipient_id), never randomness, so the same task always behaves the same way.
//
// API (synchronous; call inside the caller's store transaction):
//   openThread(ws, t)          opens a thread for a creator recipient with the outbound message
//                              (business_kind 'email_task', business_id = task_id); returns thread_id.
//   recordOutbound(ws, m)      appends an outbound message: last_message_direction 'outbound',
//                              needs_reply 0, pending_reason null.
//   recordInbound(ws, m)       appends an inbound message: needs_reply 1, last_message_direction
//                              'inbound', pending_reason, unread 1; on an email task's thread, when it
//                              answers the email itself (no follow-up of ours yet), it also bumps the
//                              recipient's reply_count and marks it replied (and opened).
//   outcomeOf(taskId, rid)     'bounce' | 'reply' | 'quiet', plus how many replies and whether opened/clicked.
//   simulateReplies(ws, taskId, at)  records the replies of one sent task (what the reply job runs).
//   REPLY_DELAY_MS             how long after a send the replies arrive.
import { createHash } from 'node:crypto';
import type { Workspace } from './workspace.js';

export const REPLY_DELAY_MS = 30 * 60_000;
export const EMAIL_TASK_KIND = 'email_task';

/** A uniform number in [0, 1) from a label: the simulator's only source of variety. */
function unit(...parts: string[]): number {
  return createHash('sha256').update(parts.join('\u0000')).digest().readUInt32BE(0) / 2 ** 32;
}

export interface Outcome {
  kind: 'bounce' | 'reply' | 'quiet';
  /** Inbound messages the creator sends (0 unless kind is 'reply'). */
  replies: number;
  opened: boolean;
  clicked: boolean;
  /** Sorts repliers, so that "at least one reply" is deterministic too. */
  rank: number;
}

/** About 5% bounce, 40% reply (a third of them twice), and half of the rest open. */
export function outcomeOf(taskId: string, recipientId: string): Outcome {
  const r = unit('outcome', taskId, recipientId);
  const rank = unit('rank', taskId, recipientId);
  if (r >= 0.95) return { kind: 'bounce', replies: 0, opened: false, clicked: false, rank };
  if (r < 0.4) return { kind: 'reply', replies: unit('twice', taskId, recipientId) < 0.34 ? 2 : 1, opened: true, clicked: unit('click', taskId, recipientId) < 0.4, rank };
  const opened = unit('open', taskId, recipientId) < 0.5;
  return { kind: 'quiet', replies: 0, opened, clicked: opened && unit('click', taskId, recipientId) < 0.2, rank };
}

export interface NewThread {
  taskId: string;
  creatorId: string;
  ownerUid: string;
  senderAuthId: string | null;
  subject: string;
  html: string;
  at: string;
}

export function openThread(ws: Workspace, t: NewThread): string {
  const threadId = ws.newId('thr');
  const coop = ws.db.prepare('SELECT coop_status FROM crm_channels WHERE creator_id = ?').pluck().get(t.creatorId) as string | undefined;
  ws.db
    .prepare(
      `INSERT INTO message_threads (thread_id, creator_id, business_kind, business_id, owner_uid, sender_auth_id, subject, needs_reply, last_message_direction, pending_reason, unread, coop_status, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 0, 'outbound', NULL, 0, ?, ?)`,
    )
    .run(threadId, t.creatorId, EMAIL_TASK_KIND, t.taskId, t.ownerUid, t.senderAuthId, t.subject, coop ?? null, t.at);
  insertMessage(ws, threadId, 'outbound', t.html, t.senderAuthId, t.at);
  return threadId;
}

export interface NewMessage {
  threadId: string;
  html: string;
  at: string;
}

export function recordOutbound(ws: Workspace, m: NewMessage & { senderAuthId: string | null }): string {
  const messageId = insertMessage(ws, m.threadId, 'outbound', m.html, m.senderAuthId, m.at);
  ws.db.prepare(`UPDATE message_threads SET needs_reply = 0, last_message_direction = 'outbound', pending_reason = NULL, updated_at = ? WHERE thread_id = ?`).run(m.at, m.threadId);
  return messageId;
}

export function recordInbound(ws: Workspace, m: NewMessage & { pendingReason: string }): string {
  const messageId = insertMessage(ws, m.threadId, 'inbound', m.html, null, m.at);
  ws.db
    .prepare(`UPDATE message_threads SET needs_reply = 1, last_message_direction = 'inbound', pending_reason = ?, unread = 1, updated_at = ? WHERE thread_id = ?`)
    .run(m.pendingReason, m.at, m.threadId);
  const thread = ws.db.prepare('SELECT business_kind, business_id, creator_id FROM message_threads WHERE thread_id = ?').get(m.threadId) as {
    business_kind: string;
    business_id: string;
    creator_id: string;
  };
  // Only an answer to the email itself is a tracked email reply; an answer to a follow-up of ours in
  // the thread is an inbound message but not an email reply.
  const followedUp = ws.db.prepare(`SELECT COUNT(*) FROM messages WHERE thread_id = ? AND direction = 'outbound'`).pluck().get(m.threadId) as number;
  if (thread.business_kind === EMAIL_TASK_KIND && followedUp <= 1) {
    // Tracked email replies live on the recipient (reports read them there, never by scanning threads).
    ws.db
      .prepare(`UPDATE email_recipients SET reply_count = reply_count + 1, status = 'replied', opened = 1 WHERE task_id = ? AND creator_id = ? AND status IN ('sent','replied')`)
      .run(thread.business_id, thread.creator_id);
  }
  return messageId;
}

function insertMessage(ws: Workspace, threadId: string, direction: 'inbound' | 'outbound', html: string, sender: string | null, at: string): string {
  const messageId = ws.newId('msg');
  ws.db.prepare('INSERT INTO messages (message_id, thread_id, direction, html_body, sender_auth_id, sent_at) VALUES (?, ?, ?, ?, ?, ?)').run(messageId, threadId, direction, html, sender, at);
  return messageId;
}

const REPLIES = [
  { reason: 'creator_replied', html: '<p>Thanks for reaching out! I would love to try it. What are the next steps?</p>' },
  { reason: 'creator_asked_question', html: '<p>Quick question: is this paid or gifting only? And what is the timeline?</p>' },
  { reason: 'creator_sent_rates', html: '<p>Happy to talk. My rate for one integration is $900, a dedicated video $1,800.</p>' },
  { reason: 'creator_requested_sample', html: '<p>Could you send a sample first? I only feature products I have tested.</p>' },
];
const FOLLOW_UP = { reason: 'creator_replied', html: '<p>Following up on my last message: also happy to do a short-form version.</p>' };

/**
 * Records the replies of one sent task: repliers chosen by outcomeOf (at least one when anyone
 * was reached, so a sent task always has data), each reply one minute apart. Idempotent per
 * task: recipients that already have replies are skipped.
 */
export function simulateReplies(ws: Workspace, taskId: string, at: Date): { replied_creators: number; inbound_messages: number } {
  const rows = ws.db
    .prepare(
      `SELECT r.recipient_id, r.creator_id, r.reply_count, t.thread_id FROM email_recipients r
       JOIN message_threads t ON t.business_kind = ? AND t.business_id = r.task_id AND t.creator_id = r.creator_id
       WHERE r.task_id = ? AND r.status = 'sent' ORDER BY r.recipient_id`,
    )
    .all(EMAIL_TASK_KIND, taskId) as { recipient_id: string; creator_id: string; reply_count: number; thread_id: string }[];
  if (rows.length === 0) return { replied_creators: 0, inbound_messages: 0 };
  const ranked = rows.map((r) => ({ ...r, outcome: outcomeOf(taskId, r.recipient_id) })).sort((a, b) => a.outcome.rank - b.outcome.rank);
  let repliers = ranked.filter((r) => r.outcome.kind === 'reply');
  if (repliers.length === 0) repliers = [{ ...ranked[0]!, outcome: { ...ranked[0]!.outcome, kind: 'reply', replies: 2 } }];
  // Opens and clicks are known once the replies come in (tracking pixels and short link hits).
  const track = ws.db.prepare('UPDATE email_recipients SET opened = MAX(opened, ?), clicked = MAX(clicked, ?) WHERE recipient_id = ?');
  for (const r of ranked) track.run(r.outcome.opened ? 1 : 0, r.outcome.clicked ? 1 : 0, r.recipient_id);
  let n = 0;
  let t = at.getTime();
  for (const r of repliers) {
    const first = REPLIES[Math.floor(unit('reason', taskId, r.recipient_id) * REPLIES.length)]!;
    recordInbound(ws, { threadId: r.thread_id, html: first.html, pendingReason: first.reason, at: new Date((t += 60_000)).toISOString() });
    n++;
    if (r.outcome.replies > 1) {
      recordInbound(ws, { threadId: r.thread_id, html: FOLLOW_UP.html, pendingReason: FOLLOW_UP.reason, at: new Date((t += 60_000)).toISOString() });
      n++;
    }
  }
  return { replied_creators: repliers.length, inbound_messages: n };
}
