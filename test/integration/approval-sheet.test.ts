// The send and schedule previews as the last thing a person reads before outreach goes out: each
// recipient's real address, and people other tasks already emailed (with replies still waiting)
// flagged and counted; the address and prior contacts are bound to the preview token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, workspaceChecksum, type TestServer } from '../helpers/server.js';

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(() => s.close());

const q = (sql: string, ...p: unknown[]) => s.workspaceDb.prepare(sql).all(...p) as any[];
const one = (sql: string, ...p: unknown[]) =>
  s.workspaceDb
    .prepare(sql)
    .pluck()
    .get(...p) as any;

/** Creators with an email that no task or CRM entry has touched, from the end of the list. */
const fresh = (n: number, skip = 0) =>
  q(
    `SELECT creator_id, email FROM creators c WHERE has_email = 1 AND NOT EXISTS (SELECT 1 FROM email_recipients r WHERE r.creator_id = c.creator_id)
     AND NOT EXISTS (SELECT 1 FROM message_threads t WHERE t.creator_id = c.creator_id) ORDER BY creator_id DESC LIMIT ? OFFSET ?`,
    n,
    skip,
  );

async function ready(name: string, creatorIds: string[], extra: object[] = []) {
  const task = await s.ok('email_create', { name });
  await s.ok('email_recipients_add', { task_id: task.task_id, recipients: [...creatorIds.map((creator_id) => ({ creator_id })), ...extra] });
  await s.ok('email_content_save', { task_id: task.task_id, subject: `Hello from ${name}`, html_body: '<p>Hi! Would you like to try our serum?</p>' });
  await s.ok('email_sender_update', { task_id: task.task_id, sender_auth_id: 'snd_001' });
  return task.task_id as string;
}

describe('the approval sheet', () => {
  it('shows the address each recipient is sent at, and says when a creator has none', async () => {
    const creators = fresh(3);
    const noEmail = one(`SELECT creator_id FROM creators WHERE has_email = 0 ORDER BY creator_id LIMIT 1`);
    const taskId = await ready('Addresses', creators.map((c) => c.creator_id).concat(noEmail), [{ email_address: 'Buyer@Retail.example' }]);
    const p = await s.ok('email_send_preview', { task_id: taskId });
    const byCreator = Object.fromEntries(p.effect.recipients.sample.map((r: any) => [r.creator_id ?? r.email_address, r]));
    for (const c of creators) expect(byCreator[c.creator_id]).toMatchObject({ email_address: c.email, address_source: 'creator_profile', contacted_by: [], unanswered_reply_count: 0 });
    expect(byCreator['Buyer@Retail.example']).toMatchObject({ creator_id: null, address_source: 'given' });
    expect(p.effect.recipients.sample.every((r: any) => typeof r.email_address === 'string' && r.email_address.includes('@'))).toBe(true);
    expect(p.effect.recipients.filtered_sample).toEqual([expect.objectContaining({ creator_id: noEmail, email_address: null, address_source: 'none', reason: 'no_email' })]);
    expect(p.effect).toMatchObject({ warnings: [], recipients: { contacted_elsewhere_count: 0, unanswered_reply_count: 0, contacted_sample: [] } });
  });

  it('flags and counts recipients other tasks emailed, those with replies waiting first, and warns in the summary', async () => {
    // Seeded: task_1820 reached creators, some of whom wrote back and still wait for our answer.
    const waiting = one(
      `SELECT r.creator_id FROM email_recipients r JOIN creators c USING (creator_id) WHERE r.task_id = 'task_1820' AND r.status IN ('sent','replied') AND c.has_email = 1
       AND EXISTS (SELECT 1 FROM message_threads t WHERE t.creator_id = r.creator_id AND t.needs_reply = 1 AND t.archived = 0) ORDER BY r.creator_id LIMIT 1`,
    );
    const quiet = one(
      `SELECT r.creator_id FROM email_recipients r JOIN creators c USING (creator_id) WHERE r.task_id = 'task_1820' AND r.status = 'sent' AND c.has_email = 1
       AND NOT EXISTS (SELECT 1 FROM message_threads t WHERE t.creator_id = r.creator_id AND t.needs_reply = 1) ORDER BY r.creator_id LIMIT 1`,
    );
    expect(waiting && quiet).toBeTruthy();
    const newcomers = fresh(12, 3).map((c) => c.creator_id);
    // The contacted ones come last, past the plain sample of ten: contacted_sample still shows them.
    const taskId = await ready('Second wave', [...newcomers, quiet, waiting]);
    const p = await s.ok('email_send_preview', { task_id: taskId });
    const r = p.effect.recipients;
    expect(r).toMatchObject({ will_send_count: 14, contacted_elsewhere_count: 2, unanswered_reply_count: 1 });
    expect(r.sample.map((x: any) => x.creator_id)).not.toContain(waiting);
    expect(r.contacted_sample.map((x: any) => x.creator_id)).toEqual([waiting, quiet]);
    expect(r.contacted_sample[0].contacted_by).toContain('task_1820');
    expect(r.contacted_sample[0].unanswered_reply_count).toBe(one(`SELECT COUNT(*) FROM message_threads WHERE creator_id = ? AND needs_reply = 1 AND archived = 0`, waiting));
    expect(r.contacted_sample[1]).toMatchObject({ creator_id: quiet, unanswered_reply_count: 0 });
    expect(p.effect.warnings).toHaveLength(2);
    expect(p.effect.warnings.join(' ')).toMatch(/2 recipient\(s\) were already emailed.*hide_contacted.*1 recipient\(s\) have replies still unanswered/);
    expect(p.summary).toContain('2 already emailed by other tasks, 1 with unanswered replies');
    // The schedule preview is the same sheet.
    const sp = await s.ok('email_schedule_preview', { task_id: taskId, plan_send_at: new Date(Date.now() + 86_400_000).toISOString() });
    expect(sp.effect.recipients).toMatchObject({ contacted_elsewhere_count: 2, unanswered_reply_count: 1 });
    expect(sp.effect.warnings).toEqual(p.effect.warnings);
    // With hide_contacted the flagged ones are hidden, and the warnings go away.
    await s.ok('email_recipient_filter_update', { task_id: taskId, filter: { hide_contacted: true } });
    const hidden = await s.ok('email_send_preview', { task_id: taskId });
    expect(hidden.effect.recipients).toMatchObject({ will_send_count: 12, contacted_elsewhere_count: 0, filtered_by_reason: { already_contacted: 2 } });
    expect(hidden.effect.warnings).toEqual([]);
  });

  it('binds each address and prior contact: a changed creator email or another send in between makes apply stale; a reply arriving does not', async () => {
    const [a, b, c] = fresh(3, 20).map((x) => x.creator_id);
    const taskId = await ready('Bound', [a, b]);
    const p = await s.ok('email_send_preview', { task_id: taskId });
    s.workspaceDb.prepare(`UPDATE creators SET email = 'moved@elsewhere.example' WHERE creator_id = ?`).run(a);
    const before = workspaceChecksum(s.workspaceDb);
    expect((await s.err('email_send_apply', { task_id: taskId, preview_token: p.preview_token })).error_code).toBe('PREVIEW_STALE');
    expect(workspaceChecksum(s.workspaceDb)).toBe(before);
    const p2 = await s.ok('email_send_preview', { task_id: taskId });
    expect(p2.effect.recipients.sample.find((x: any) => x.creator_id === a).email_address).toBe('moved@elsewhere.example');
    // Another task emails b after the person approved the sheet: this send would be a second outreach nobody saw.
    const between = await ready('In between', [b, c]);
    await s.previewApply('email_send', { task_id: between });
    // The simulated world bounces some sends by id; a bounce is no contact, so make b's delivery certain.
    s.workspaceDb.prepare(`UPDATE email_recipients SET status = 'sent' WHERE task_id = ? AND creator_id = ?`).run(between, b);
    const e = await s.err('email_send_apply', { task_id: taskId, preview_token: p2.preview_token });
    expect(e.error_code).toBe('PREVIEW_STALE');
    expect(e.action?.hint).toBeTruthy();
    const p3 = await s.ok('email_send_preview', { task_id: taskId });
    expect(p3.effect.recipients.contacted_elsewhere_count).toBe(1);
    // A reply waiting on c's thread changes no one this send reaches: the approval stands.
    s.workspaceDb.prepare(`UPDATE message_threads SET needs_reply = 1 WHERE creator_id = ?`).run(c);
    expect((await s.ok('email_send_apply', { task_id: taskId, preview_token: p3.preview_token })).result).toMatchObject({ status: 'sent', sent_count: 2 });
  });
});
