// The workflow guide's whole loop, the way an agent runs it: only tool calls (no database, no
// files written by hand), each step using what earlier results returned. It must take at most 45
// calls, and every error it meets must carry a next step (action.hint). It runs on both surfaces:
// on the compact one the agent finds each tool with find_tools and calls it through the call tool
// find_tools names, and gets the same results.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIND_TOOL } from '../../src/surface.js';
import { startServer, type CallResult, type ErrorEnvelope, type TestServer } from '../helpers/server.js';

const MAX_CALLS = 45;
let t = Date.now();

type Surface = 'default' | 'compact';

/** An agent's view of the server: every call counted, every error kept; on the compact surface, each tool found with find_tools first. */
function agent(server: TestServer, surface: Surface) {
  const calls: string[] = [];
  const errors: { tool: string; error: ErrorEnvelope }[] = [];
  /** How each tool is reached, as find_tools says: "direct" or the call tool that carries it. */
  const via = new Map<string, string>();
  const reach = async (tool: string): Promise<string> => {
    if (surface === 'default') return 'direct';
    if (!via.has(tool)) {
      const found = await server.ok(FIND_TOOL, { query: tool });
      for (const m of found.matches) for (const st of m.stages) via.set(st.tool, st.call);
    }
    const how = via.get(tool);
    if (!how) throw new Error(`${FIND_TOOL} does not find ${tool}`);
    return how;
  };
  const call = async (tool: string, args: Record<string, unknown> = {}): Promise<CallResult> => {
    calls.push(tool);
    const how = await reach(tool);
    const r = how === 'direct' ? await server.call(tool, args) : await server.call(how, { tool, arguments: args });
    if (!r.ok) errors.push({ tool, error: r.error });
    return r;
  };
  const ok = async (tool: string, args: Record<string, unknown> = {}) => {
    const r = await call(tool, args);
    if (!r.ok) throw new Error(`${tool} failed: ${JSON.stringify(r.error)}`);
    return r.data;
  };
  const previewApply = async (base: string, args: Record<string, unknown>) => {
    const p = await ok(`${base}_preview`, args);
    return { preview: p, apply: await ok(`${base}_apply`, { ...args, preview_token: p.preview_token }) };
  };
  return { calls, via, errors, call, ok, previewApply };
}

describe.each(['default', 'compact'] as const)('the whole workflow loop on the %s surface', (surface) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ now: () => new Date(t), ...(surface === 'compact' ? { argv: ['--surface', 'compact'] } : {}) });
  });
  afterAll(() => s.close());

  it('runs campaign → creators → collection → CRM → product/link → email → send → follow-up → report → export → context in at most 45 calls', async () => {
    const a = agent(s, surface);
    // 1. Anchor.
    const campaign = (await a.ok('campaign_list', { keyword: 'Pulse H7' })).items[0];
    const cid = campaign.campaign_id;
    await a.ok('campaign_context_get', { campaign_id: cid });

    // 2. Creators: a typo finds nothing but names the tag that exists; the second search uses it
    //    and leaves out creators already held or emailed.
    const miss = await a.ok('creator_search', { platform: 'youtube', keywords: 'gamng' });
    expect(miss.total).toBe(0);
    const found = await a.ok('creator_search', { platform: 'youtube', keywords: miss.nearest_tags[0], has_email: true, exclude_in_crm: true, exclude_contacted: true, page_size: 20 });
    // Enough fresh creators that some reply (each replies with probability 0.4 in the simulation).
    expect(found.items.length).toBeGreaterThanOrEqual(12);
    const creatorIds: string[] = found.items.map((c: any) => c.creator_id);
    await a.ok('campaign_context_record', { campaign_id: cid, creators: creatorIds.map((creator_id) => ({ creator_id, decision: 'include', reason: 'Gaming channel, email known' })) });

    // 3. Collection, 4. refresh emails.
    const col = await a.ok('collection_create', { name: 'H7 wave 2 — gaming YouTube', campaign_id: cid });
    const colId = col.collection_id;
    await a.previewApply('collection_add_creators', { collection_ids: [colId], platform: 'youtube', creator_ids: creatorIds });
    const refresh = await a.previewApply('collection_refresh', { collection_id: colId, platform: 'youtube', what: 'email' });
    expect(refresh.apply.result.outcome_counts.email_found).toBe(creatorIds.length);

    // 5. CRM: the slice in, then a label and a cooperation status, named in the preview.
    await a.previewApply('collection_add_to_crm', { collection_id: colId, platform: 'youtube' });
    const label = (await a.ok('crm_labels_list', {})).items[0];
    const contacted = (await a.ok('message_coop_statuses', {})).items.find((x: any) => x.name === 'contacted');
    const crm = await a.previewApply('crm_batch_update', { selector: { creator_ids: creatorIds }, labels: { operation: 'add', label_ids: [label.label_id] }, coop_status: contacted.coop_status });
    expect(crm.preview.summary).toContain(`add label "${label.name}"`);
    expect(crm.preview.summary).toContain('coop_status to "contacted"');

    // 6. Product card, 7. short link.
    const headset = (await a.ok('product_list', { keyword: 'H7 Wireless Headset' })).items[0];
    const link = await a.ok('short_link_create', { title: 'H7 headset — wave 2', web: 'https://www.pulsegear-demo.example/h7', utm_campaign: 'h7wave2' });
    await a.ok('campaign_context_record', { campaign_id: cid, links: [{ id: link.short_link_id, kind: 'short_link', url: link.short_url }] });

    // 8. The email task: recipients, filter, collaborator, attachment, content, sender.
    const task = await a.ok('email_create', { name: 'H7 wave 2 — gaming YouTube', campaign_id: cid });
    const taskId = task.task_id;
    await a.ok('email_recipients_add', { task_id: taskId, recipients: creatorIds.map((creator_id) => ({ creator_id })) });
    await a.ok('email_recipient_filter_update', { task_id: taskId, filter: { hide_contacted: true } });
    const team = await a.ok('email_collaborators_list', {});
    const editor = team.team_members.find((m: any) => m.user_uid !== task.owner_uid);
    await a.previewApply('email_collaborators_add', { task_id: taskId, user_uid: editor.user_uid, permission: 'edit' });
    await a.previewApply('email_attachments_upload', { task_id: taskId, content_base64: Buffer.from('%PDF-1.4\n% H7 wave 2 brief\n%%EOF\n').toString('base64'), filename: 'h7-wave2-brief.pdf' });
    await a.ok('email_content_save', {
      task_id: taskId,
      subject: 'Review the Pulse Gear H7 headset?',
      html_body: `<p>Hi! We would love to send you the Pulse Gear H7 headset to review: ${link.short_url}</p>`,
      product_collect_ids: [headset.product_collect_id],
    });
    // The agent previews before choosing a sender: the refusal says what to do next.
    const early = await a.call('email_send_preview', { task_id: taskId });
    expect(early.ok).toBe(false);
    const sender = (await a.ok('email_sender_list', { task_id: taskId })).items[0];
    await a.ok('email_sender_update', { task_id: taskId, sender_auth_id: sender.sender_auth_id });

    // 9. Approve and send: the sheet shows real addresses and no one emailed before.
    const sheet = await a.ok('email_send_preview', { task_id: taskId });
    expect(sheet.effect.recipients).toMatchObject({ will_send_count: creatorIds.length, contacted_elsewhere_count: 0 });
    expect(sheet.effect.recipients.sample.every((r: any) => r.address_source === 'creator_profile' && r.email_address.includes('@'))).toBe(true);
    await a.ok('campaign_context_record', { campaign_id: cid, approvals: { recipients: { status: 'approved', note: `${creatorIds.length} recipients` }, content: { status: 'approved' } } });
    const sent = await a.ok('email_send_apply', { task_id: taskId, preview_token: sheet.preview_token });
    expect(sent.result.sent_count).toBe(creatorIds.length);

    // 10. Follow up on a reply thread once replies arrive.
    t += 45 * 60_000;
    await s.drainJobs();
    const waiting = await a.ok('message_list', { project_ids: [`email_task:${taskId}`], needs_reply: true });
    expect(waiting.items.length).toBeGreaterThan(0);
    const thread = waiting.items[0];
    await a.ok('message_get', { thread_id: thread.thread_id });
    const reply = await a.previewApply('message_send', { thread_id: thread.thread_id, html_body: '<p>Thanks! Sending the headset this week.</p>' });
    expect(reply.apply.result.needs_reply).toBe(false);

    // 11. Report, 12. export to a file.
    const report = await a.ok('email_report', { task_id: taskId });
    expect(report.reply_count).toBeGreaterThan(0);
    const exp = await a.previewApply('export_create', { kind: 'collection', collection_id: colId, platform: 'youtube', reason: 'H7 wave 2 hand-off', campaign_id: cid });
    const exportId = exp.apply.result.export_id;
    await s.drainJobs(); // the export runs in the background (jobs do not poll in tests)
    expect((await a.ok('export_wait', { export_id: exportId, timeout_seconds: 10 })).status).toBe('ready');
    const dl = await a.previewApply('export_download', { export_id: exportId });
    expect(dl.apply.result).toBeTruthy();

    // 13. Feed back into the context.
    await a.ok('campaign_context_record', {
      campaign_id: cid,
      reply_state: [{ thread_id: thread.thread_id, needs_reply: false, last_message_direction: 'outbound' }],
      ids: { collection_ids: [colId], task_ids: [taskId], export_ids: [exportId], label_ids: [label.label_id] },
      export_reasons: [{ export_id: exportId, reason: 'H7 wave 2 hand-off' }],
    });

    expect(a.calls.length, a.calls.join(' ')).toBeLessThanOrEqual(MAX_CALLS);
    // Every error on the way named a next step.
    expect(a.errors.length).toBeGreaterThan(0);
    for (const e of a.errors) expect(e.error.action?.hint, `${e.tool}: ${e.error.summary}`).toEqual(expect.stringMatching(/\S/));
    expect(a.errors[0]!.error.summary).toContain('email_sender_update');
    // On the compact surface find_tools routed each stage by its risk: core reads direct, previews
    // read-only, low-risk writes and applies through their own call tools.
    if (surface === 'compact')
      expect(Object.fromEntries(['campaign_list', 'email_send_preview', 'email_create', 'email_send_apply'].map((t) => [t, a.via.get(t)]))).toEqual({
        campaign_list: 'direct',
        email_send_preview: 'call_read',
        email_create: 'call_write',
        email_send_apply: 'call_apply',
      });
  });
});
