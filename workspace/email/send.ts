// Sending, scheduling and cancelling email tasks in the embedded workspace. A send or schedule
// reads the approval sheet once per stage: the preview shows it and binds it, and the apply sends
// to exactly the recipients its own reading found.
import type { z } from 'zod';
import { invalid, ToolError } from '../../src/errors.js';
import { WHERE } from '../../tools/hints.js';
import type { approvalEffect, sendResult } from '../../tools/email/send.js';
import { sending } from '../../tools/email/send.js';
import { openThread, outcomeOf, REPLY_DELAY_MS } from '../simulator.js';
import { implement, type Implemented } from '../implement.js';
import { sample, sha256, visibleText } from '../shared.js';
import type { Workspace } from '../workspace.js';
import { contactFacts, type ContactFacts } from './contact-history.js';
import { evaluate, type Evaluated, type Evaluation } from './recipient-filter.js';
import { attachmentOf, cancelScheduleJobs, cardDetailsOf, embeddedLinks, JOB_REPLIES, JOB_SCHEDULED_SEND, loadTask, readFilter, requireEditable, senderOf, type TaskRow } from './task-store.js';

/** ISO 8601 with Z or a whole-hour offset; returns the instant in UTC. */
function parsePlanSendAt(value: string, now: Date): string {
  const m = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(Z|([+-])(\d{2}):(\d{2}))$/.exec(value);
  const example = 'e.g. 2026-05-01T09:00:00+08:00 or 2026-05-01T01:00:00Z';
  if (!m) throw invalid(`plan_send_at "${value}" is not ISO 8601 with an offset.`, `Give date, time and offset, ${example}.`);
  if (m[1] !== 'Z' && (m[4] !== '00' || Number(m[3]) > 14)) {
    throw invalid(
      `plan_send_at "${value}" has offset ${m[1]}; only Z or whole-hour offsets (such as +08:00, -05:00) are accepted.`,
      `Convert the time to a whole-hour offset or to UTC (Z), ${example}.`,
    );
  }
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw invalid(`plan_send_at "${value}" is not a valid date and time.`, `Give a real calendar time, ${example}.`);
  if (t <= now.getTime()) throw invalid(`plan_send_at ${value} is not in the future (now is ${now.toISOString()}).`, 'Choose a later time, or send now with email_send_preview.');
  if (t > now.getTime() + 366 * 86_400_000) throw invalid(`plan_send_at ${value} is more than a year ahead.`, 'Schedule within the next 12 months.');
  return new Date(t).toISOString();
}

// ---------------------------------------------------------------------------------------------
// The approval sheet

/** One reading of everything a send shows and acts on; refuses a task that is not ready. */
function readApproval(ws: Workspace, taskId: string, mode: 'send' | 'schedule') {
  const task = loadTask(ws, taskId);
  if (mode === 'send' && task.status === 'scheduled') {
    throw new ToolError('CONFLICT', `Email task ${taskId} is scheduled for ${task.plan_send_at}.`, { hint: 'Cancel the schedule with email_cancel first to send now, or let the schedule fire.' });
  }
  if (task.status !== 'scheduled') requireEditable(task, mode === 'send' ? 'send' : 'schedule');
  const filter = readFilter(task.recipient_filter_json);
  const ev = evaluate(ws, taskId, filter);
  const sender = senderOf(ws, task.sender_auth_id);
  const problems: string[] = [];
  if (!sender) problems.push(`no sender (set one with email_sender_update; ${WHERE.emailSender})`);
  if (!task.subject.trim()) problems.push('no subject (email_content_save)');
  if (!visibleText(task.html_body)) problems.push('the html_body has no visible text (email_content_save)');
  if (ev.send.length === 0) problems.push(ev.hidden.length ? `all ${ev.hidden.length} pending recipient(s) are hidden by the filter or have no email` : 'no pending recipients (email_recipients_add)');
  if (problems.length || !sender)
    throw invalid(`Email task ${taskId} is not ready to ${mode}: ${problems.join('; ')}.`, 'Fix each item, read the task back with email_get, then preview again.', { problems });
  return {
    task,
    filter,
    ev,
    facts: contactFacts(ws, taskId, [...ev.send, ...ev.hidden]),
    sender,
    cards: cardDetailsOf(ws, taskId),
    attachment: attachmentOf(ws, taskId),
    links: embeddedLinks(ws, task),
    bodyDigest: sha256(Buffer.from(`${task.html_body}\u0000${task.text_body}`)),
  };
}
type Approval = ReturnType<typeof readApproval>;

function approvalState(a: Approval): Record<string, unknown> {
  return {
    task: a.task.task_id,
    status: a.task.status,
    plan_send_at: a.task.plan_send_at,
    // Each address the send uses, and who other tasks already reached: a creator's email edited, or
    // another task sending to the same people after the preview, changes what this send does (a
    // new address, a second outreach nobody approved). Unanswered-reply counts only inform: a reply
    // arriving does not change whom or what is sent, so it does not make the apply stale.
    send: a.ev.send.map((r) => [r.recipient_id, a.facts.get(r.recipient_id)!.address, a.facts.get(r.recipient_id)!.contacted_by]),
    hidden: a.ev.hidden.map((r) => [r.recipient_id, r.hide_reason]),
    filter: a.filter,
    // Everything the sheet shows is bound by content, not only by id: a card, link or sender
    // edited after the preview makes the apply PREVIEW_STALE.
    sender: [a.sender.sender_auth_id, a.sender.email, a.sender.name],
    subject: a.task.subject,
    body: a.bodyDigest,
    products: a.cards.map((c) => [c.product_collect_id, c.title, c.link, c.price, c.currency, c.thumbnail_url]),
    short_links: a.links.map((l) => [l.short_link_id, l.short_url, l.title, l.web_url, l.ios_url, l.android_url]),
    attachment: a.attachment ? [a.attachment.attachment_id, a.attachment.sha256, a.attachment.file_name] : null,
  };
}

const asSample = (facts: Map<string, ContactFacts>) => (r: Evaluated) => {
  const f = facts.get(r.recipient_id)!;
  return {
    recipient_id: r.recipient_id,
    creator_id: r.creator_id,
    nickname: r.nickname,
    email_address: f.address,
    address_source: f.address_source,
    contacted_by: f.contacted_by,
    unanswered_reply_count: f.unanswered_reply_count,
  };
};

/** What the person approves: final and filtered recipients, sender, subject, body, cards, attachment, time. */
function approvalSheet(a: Approval, planSendAt: string | null): { effect: z.input<typeof approvalEffect>; summary: string } {
  const { task: t, ev } = a;
  const show = asSample(a.facts);
  const contacted = ev.send.filter((r) => a.facts.get(r.recipient_id)!.contacted_by.length > 0);
  const unanswered = ev.send.filter((r) => a.facts.get(r.recipient_id)!.unanswered_reply_count > 0);
  const warnings: string[] = [];
  if (contacted.length) warnings.push(`${contacted.length} recipient(s) were already emailed by other tasks (see contacted_sample; hide them with email_recipient_filter_update hide_contacted).`);
  if (unanswered.length) warnings.push(`${unanswered.length} recipient(s) have replies still unanswered (read them with message_list needs_reply, answer with message_send).`);
  const effect: z.input<typeof approvalEffect> = {
    task: { task_id: t.task_id, name: t.name, status: t.status, type: t.type },
    recipients: {
      total_count: ev.send.length + ev.hidden.length,
      will_send_count: ev.send.length,
      filtered_out_count: ev.hidden.length,
      filtered_by_reason: ev.byReason,
      sample: sample(ev.send).map(show),
      filtered_sample: sample(ev.hidden).map((r) => ({ ...show(r), reason: r.hide_reason! })),
      contacted_elsewhere_count: contacted.length,
      unanswered_reply_count: unanswered.length,
      // Those with unanswered replies first: the ones a person most needs to see.
      contacted_sample: sample([...new Set([...unanswered, ...contacted])]).map(show),
    },
    warnings,
    filter: a.filter,
    sender: a.sender,
    subject: t.subject,
    body_digest: a.bodyDigest,
    body_excerpt: visibleText(t.html_body).slice(0, 240),
    product_cards: a.cards,
    short_links: a.links.map((l) => l.short_url),
    attachment: a.attachment,
    plan_send_at: planSendAt,
  };
  const parts = [
    `${ev.send.length} recipient(s)${ev.hidden.length ? ` (${ev.hidden.length} hidden by the filter)` : ''}`,
    ...(contacted.length ? [`${contacted.length} already emailed by other tasks`] : []),
    ...(unanswered.length ? [`${unanswered.length} with unanswered replies`] : []),
    `from ${a.sender.email}`,
    `subject "${t.subject}"`,
    `${a.cards.length} product card(s)`,
    a.attachment ? `attachment ${a.attachment.file_name}` : 'no attachment',
  ];
  const when = planSendAt ? `Schedule email task "${t.name}" (${t.task_id}) for ${planSendAt}` : `Send email task "${t.name}" (${t.task_id}) now`;
  return { effect, summary: `${when}: ${parts.join(', ')}.` };
}

// ---------------------------------------------------------------------------------------------
// The send itself

/** The send (apply of email_send and the scheduled job), to the recipients `ev` decided on: deliver, open threads, queue replies. */
export function performSend(ws: Workspace, t: TaskRow, ev: Evaluation): z.input<typeof sendResult> {
  const tid = t.task_id;
  const now = ws.now();
  const at = now.toISOString();
  ws.db.prepare(`UPDATE email_tasks SET status = 'sending', updated_at = ? WHERE task_id = ?`).run(at, tid);
  const hide = ws.db.prepare(`UPDATE email_recipients SET status = 'filtered_out', filtered_reason = ? WHERE recipient_id = ?`);
  for (const r of ev.hidden) hide.run(r.hide_reason, r.recipient_id);
  const deliver = ws.db.prepare(`UPDATE email_recipients SET status = ?, sent_at = ? WHERE recipient_id = ?`);
  let bounced = 0;
  let threads = 0;
  for (const r of ev.send) {
    const bounce = outcomeOf(tid, r.recipient_id).kind === 'bounce';
    if (bounce) bounced++;
    deliver.run(bounce ? 'bounced' : 'sent', at, r.recipient_id);
    if (r.creator_id) {
      openThread(ws, { taskId: tid, creatorId: r.creator_id, ownerUid: t.owner_uid, senderAuthId: t.sender_auth_id, subject: t.subject, html: t.html_body, at });
      threads++;
    }
  }
  ws.db.prepare(`UPDATE email_tasks SET status = 'sent', sent_at = ?, updated_at = ? WHERE task_id = ?`).run(at, at, tid);
  const repliesAt = new Date(now.getTime() + REPLY_DELAY_MS);
  ws.jobs.enqueue(JOB_REPLIES, { task_id: tid }, repliesAt);
  return {
    task_id: tid,
    status: 'sent',
    sent_count: ev.send.length,
    bounced_count: bounced,
    filtered_out_count: ev.hidden.length,
    threads_opened: threads,
    replies_expected_after: repliesAt.toISOString(),
    summary: `Sent email task ${tid} to ${ev.send.length} recipient(s) (${bounced} bounced, ${ev.hidden.length} filtered out); ${threads} thread(s) opened.`,
  };
}

export const sendImplementations = {
  send: implement(sending.send, {
    read: (ws, input) => readApproval(ws, input.task_id, 'send'),
    state: approvalState,
    effect: (_ws, _input, a) => approvalSheet(a, null),
    run: (ws, _input, _call, _loaded, a) => performSend(ws, a.task, a.ev),
  }),
  schedule: implement(sending.schedule, {
    read: (ws, input) => {
      const planSendAt = parsePlanSendAt(input.plan_send_at, ws.now());
      return { planSendAt, ...readApproval(ws, input.task_id, 'schedule') };
    },
    state: approvalState,
    effect: (_ws, _input, a) => approvalSheet(a, a.planSendAt),
    run: (ws, _input, _call, _loaded, a) => {
      const { task: t, planSendAt: at } = a;
      const n = a.ev.send.length;
      cancelScheduleJobs(ws, t.task_id);
      ws.db.prepare(`UPDATE email_tasks SET status = 'scheduled', plan_send_at = ?, updated_at = ? WHERE task_id = ?`).run(at, ws.now().toISOString(), t.task_id);
      ws.jobs.enqueue(JOB_SCHEDULED_SEND, { task_id: t.task_id, plan_send_at: at }, new Date(at));
      return { task_id: t.task_id, status: 'scheduled', plan_send_at: at, recipient_count: n, summary: `Scheduled ${t.task_id} for ${at} to ${n} recipient(s) (as the filter stands then).` };
    },
  }),
  cancel: implement(sending.cancel, {
    run: (ws, input) => {
      const t = loadTask(ws, input.task_id);
      if (t.status === 'cancelled') return { task_id: t.task_id, status: t.status, cancelled_plan_send_at: null, summary: `${t.task_id} was already cancelled.` };
      if (t.status !== 'scheduled')
        throw new ToolError('CONFLICT', `Email task ${t.task_id} is ${t.status}; only a scheduled send can be cancelled.`, { hint: 'Read the task with email_get; a sent email cannot be recalled.' });
      cancelScheduleJobs(ws, t.task_id);
      ws.db.prepare(`UPDATE email_tasks SET status = 'cancelled', plan_send_at = NULL, updated_at = ? WHERE task_id = ?`).run(ws.now().toISOString(), t.task_id);
      return { task_id: t.task_id, status: 'cancelled', cancelled_plan_send_at: t.plan_send_at, summary: `Cancelled the send of ${t.task_id} scheduled for ${t.plan_send_at}.` };
    },
  }),
} satisfies Implemented<typeof sending>;
