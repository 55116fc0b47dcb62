// Replies in the embedded workspace: the draft, sending now, scheduling and its job, cancelling.
import { invalid, notFound, ToolError } from '../../src/errors.js';
import type { JobHandler } from '../../src/jobs.js';
import { WHERE } from '../../tools/hints.js';
import { replies } from '../../tools/message/replies.js';
import { implement, type Implemented } from '../implement.js';
import { sha256 } from '../shared.js';
import type { Workspace } from '../workspace.js';
import { attachmentsOf } from './attachment-store.js';
import { clearSchedule, creatorThreads, loadThread, requireVisible, SCHEDULED_SEND_JOB, toThread, type ThreadRow } from './thread-store.js';

interface Sender {
  sender_auth_id: string;
  email: string;
  name: string;
}

interface ReplyInput {
  thread_id: string;
  html_body: string;
  sender_auth_id?: string | undefined;
}

function loadSender(ws: Workspace, thread: ThreadRow, sender: string | undefined): Sender {
  const sid = sender ?? thread.sender_auth_id;
  if (!sid) throw invalid(`Thread ${thread.thread_id} has no sender; give sender_auth_id.`, WHERE.messageSender);
  const row = ws.db.prepare('SELECT sender_auth_id, email, name FROM senders WHERE sender_auth_id = ?').get(sid) as Sender | undefined;
  if (!row) throw notFound('workspace sender', sid, `${WHERE.messageSender} Only the workspace's own senders can send.`);
  return row;
}

/** Whole-hour offsets only (Z, +08:00, -05:00), as the real scheduler accepts. */
function parseScheduleTime(value: string, now: Date): Date {
  const m = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-](\d{2}):(\d{2}))$/.exec(value);
  if (!m) throw invalid(`send_at ${JSON.stringify(value)} is not an ISO 8601 time with an offset.`, 'Use e.g. 2026-12-01T09:00:00+08:00 or 2026-12-01T01:00:00Z.');
  if (m[5] !== undefined && m[5] !== '00') throw invalid(`send_at offset ${m[3]} is not a whole hour.`, 'Use a whole-hour offset such as Z, +08:00 or -05:00, converting the time if needed.');
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) throw invalid(`send_at ${JSON.stringify(value)} is not a valid time.`, 'Check the date and time fields.');
  if (at.getTime() <= now.getTime()) throw invalid(`send_at ${value} is not in the future.`, 'Pick a later time, or send now with message_send_preview.');
  return at;
}

function refuseIfScheduled(thread: ThreadRow): void {
  if (thread.scheduled_at !== null) {
    throw new ToolError('CONFLICT', `Thread ${thread.thread_id} already has a reply scheduled for ${thread.scheduled_at}.`, {
      hint: 'Cancel it with message_cancel first (its body returns to the draft), then send or schedule again.',
    });
  }
}

/** One reading of what a send or schedule delivers: the thread, body text, sender, files and the creator's other threads. */
function readReply(ws: Workspace, input: ReplyInput) {
  const thread = loadThread(ws, input.thread_id);
  const text = requireVisible(input.html_body);
  refuseIfScheduled(thread);
  const sender = loadSender(ws, thread, input.sender_auth_id);
  const conversation = creatorThreads(ws, thread.creator_id);
  const view = toThread(conversation.find((t) => t.thread_id === thread.thread_id)!);
  const siblings = conversation.filter((t) => t.thread_id !== thread.thread_id);
  const files = attachmentsOf(ws, 'thread', thread.thread_id);
  return { thread, text, sender, view, siblings, files };
}
type ReplyReading = ReturnType<typeof readReply>;

/** The approval state a send or schedule token binds. */
const replyState = ({ thread, view, files, sender }: ReplyReading) => ({
  thread: {
    needs_reply: thread.needs_reply,
    last_message_direction: thread.last_message_direction,
    pending_reason: thread.pending_reason,
    scheduled_at: thread.scheduled_at,
    archived: thread.archived,
    last_message_at: view.last_message_at,
  },
  // Attachment ids name immutable files; the sender is bound by the address the person saw.
  attachments: files.map((f) => f.attachment_id),
  sender: [sender.sender_auth_id, sender.email, sender.name],
});

/** What the preview of a send or schedule shows. */
const replyShown = (input: ReplyInput, { thread, text, sender, view, siblings, files }: ReplyReading) => ({
  thread_id: thread.thread_id,
  project_id: view.project_id,
  creator: { creator_id: view.creator_id, nickname: view.nickname, channel_url: view.channel_url },
  sender,
  subject: thread.subject,
  body_sha256: sha256(input.html_body),
  body_text: text.slice(0, 300),
  attachments: files.map(({ attachment_id, file_name, size }) => ({ attachment_id, file_name, size })),
  current: { needs_reply: view.needs_reply, last_message_direction: view.last_message_direction, pending_reason: view.pending_reason },
  siblings_unchanged: siblings.map((s) => ({ thread_id: s.thread_id, project_id: `${s.business_kind}:${s.business_id}`, needs_reply: s.needs_reply === 1 })),
});

/** Writes one outbound message; only this thread's reply state changes, siblings keep theirs. */
function deliverReply(ws: Workspace, thread: ThreadRow, html: string, senderId: string): { message_id: string; sent_at: string; attachment_ids: string[] } {
  const at = ws.now().toISOString();
  const messageId = ws.newId('msg');
  ws.db.prepare(`INSERT INTO messages (message_id, thread_id, direction, html_body, sender_auth_id, sent_at) VALUES (?, ?, 'outbound', ?, ?, ?)`).run(messageId, thread.thread_id, html, senderId, at);
  // The thread's draft files go out with the reply and then belong to the message.
  const attachmentIds = ws.db
    .prepare(`SELECT attachment_id FROM message_attachments WHERE owner_kind = 'thread' AND owner_id = ? ORDER BY created_at, rowid`)
    .pluck()
    .all(thread.thread_id) as string[];
  ws.db.prepare(`UPDATE message_attachments SET owner_kind = 'message', owner_id = ? WHERE owner_kind = 'thread' AND owner_id = ?`).run(messageId, thread.thread_id);
  ws.db
    .prepare(
      `UPDATE message_threads SET last_message_direction = 'outbound', needs_reply = 0, pending_reason = NULL, unread = 0,
         draft_html = NULL, draft_updated_at = NULL, scheduled_html = NULL, scheduled_at = NULL, scheduled_sender_auth_id = NULL, updated_at = ? WHERE thread_id = ?`,
    )
    .run(at, thread.thread_id);
  return { message_id: messageId, sent_at: at, attachment_ids: attachmentIds };
}

/** The scheduled reply fires at its time; a cancelled or replaced schedule makes the job a no-op. */
export const sendScheduledReply =
  (ws: Workspace): JobHandler =>
  async (params) => {
    const tid = String(params.thread_id);
    return ws.db
      .transaction(() => {
        const t = ws.db.prepare('SELECT * FROM message_threads WHERE thread_id = ?').get(tid) as ThreadRow | undefined;
        if (!t || t.scheduled_at === null || t.scheduled_at !== params.scheduled_at || t.scheduled_html === null) return { sent: false, reason: 'no longer scheduled' };
        const sender = t.scheduled_sender_auth_id ?? t.sender_auth_id ?? '';
        return { sent: true, ...deliverReply(ws, t, t.scheduled_html, sender) };
      })
      .immediate();
  };

export const repliesImplementations = {
  draftSave: implement(replies.draftSave, {
    run: (ws, input) => {
      const t = loadThread(ws, input.thread_id);
      if (input.html_body !== null) requireVisible(input.html_body);
      const at = ws.now().toISOString();
      const when = input.html_body === null ? null : at;
      ws.db.prepare('UPDATE message_threads SET draft_html = ?, draft_updated_at = ?, updated_at = ? WHERE thread_id = ?').run(input.html_body, when, at, t.thread_id);
      return {
        thread_id: t.thread_id,
        has_draft: input.html_body !== null,
        draft_updated_at: when,
        summary: input.html_body === null ? `Cleared the draft of ${t.thread_id}.` : `Saved the draft of ${t.thread_id}.`,
      };
    },
  }),
  send: implement(replies.send, {
    read: (ws, input) => readReply(ws, input),
    state: (reading) => replyState(reading),
    effect: (_ws, input, reading) => ({
      effect: replyShown(input, reading),
      summary: `Send a reply to ${reading.view.nickname} on thread ${reading.thread.thread_id} from ${reading.sender.email} with ${reading.files.length} attachment(s).`,
    }),
    run: (ws, input, _call, _loaded, { thread, sender }) => {
      const sent = deliverReply(ws, thread, input.html_body, sender.sender_auth_id);
      return { thread_id: thread.thread_id, ...sent, sender_auth_id: sender.sender_auth_id, needs_reply: false, last_message_direction: 'outbound', summary: `Sent the reply on ${thread.thread_id}.` };
    },
  }),
  schedule: implement(replies.schedule, {
    // The time is checked first, as before: a bad send_at is refused whatever the thread's state.
    read: (ws, input) => {
      const sendAt = parseScheduleTime(input.send_at, ws.now()).toISOString();
      return { sendAt, ...readReply(ws, input) };
    },
    state: (reading) => replyState(reading),
    effect: (_ws, input, reading) => ({
      effect: { ...replyShown(input, reading), send_at: reading.sendAt },
      summary: `Schedule a reply to ${reading.view.nickname} on thread ${reading.thread.thread_id} for ${reading.sendAt} from ${reading.sender.email}.`,
    }),
    run: (ws, input, _call, _loaded, { sendAt, thread, sender }) => {
      ws.db
        .prepare('UPDATE message_threads SET scheduled_html = ?, scheduled_at = ?, scheduled_sender_auth_id = ?, updated_at = ? WHERE thread_id = ?')
        .run(input.html_body, sendAt, sender.sender_auth_id, ws.now().toISOString(), thread.thread_id);
      const jobId = ws.jobs.enqueue(SCHEDULED_SEND_JOB, { thread_id: thread.thread_id, scheduled_at: sendAt }, new Date(sendAt));
      return { thread_id: thread.thread_id, scheduled_at: sendAt, sender_auth_id: sender.sender_auth_id, job_id: jobId, summary: `Scheduled the reply on ${thread.thread_id} for ${sendAt}.` };
    },
  }),
  cancel: implement(replies.cancel, {
    run: (ws, input) => {
      const t = loadThread(ws, input.thread_id);
      const cancelled = clearSchedule(ws, t);
      return {
        thread_id: t.thread_id,
        cancelled,
        was_scheduled_at: t.scheduled_at,
        summary: cancelled ? `Cancelled the reply scheduled for ${t.scheduled_at}.` : `Thread ${t.thread_id} had no scheduled reply.`,
      };
    },
  }),
} satisfies Implemented<typeof replies>;
