// The outreach path of the workflow guide, start to finish through the MCP client: create a task,
// add a collection's creators, hide those already contacted, add a collaborator, upload a brief,
// save content with a product card and a short link, set the sender, preview, apply, and read the
// report after the simulated replies. It runs on the default and the compact surface.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, SURFACES, surfaceArgv, type TestServer } from '../helpers/server.js';

let t = Date.now();

// The same path on both surfaces: the compact one reaches the granular tools by name.
describe.each(SURFACES)('outreach path (%s surface)', (surface) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ now: () => new Date(t), argv: surfaceArgv(surface) });
  });
  afterAll(() => s.close());

  it('prepares, approves and sends first outreach, then reads reply metrics', async () => {
    // 1. The task, kept under the campaign as context.
    const campaign = (await s.ok('campaign_list', { keyword: 'Skincare' })).items[0];
    const task = await s.ok('email_create', { name: 'Spring Skincare Launch — wave 3', campaign_id: campaign.campaign_id });
    expect(task).toMatchObject({ type: 3, status: 'draft' });
    const taskId = task.task_id;

    // 2. Recipients: the creators of the campaign's collection, every platform.
    const col = (await s.ok('collection_list', { campaign_id: campaign.campaign_id })).items[0];
    const creatorIds: string[] = [];
    for (const platform of ['youtube', 'tiktok', 'instagram']) {
      const items = await s.ok('collection_items', { collection_id: col.collection_id, platform, page_size: 100 });
      creatorIds.push(...items.items.map((i: any) => i.creator_id));
    }
    expect(creatorIds.length).toBe(col.item_counts.total);
    const added = await s.ok('email_recipients_add', { task_id: taskId, recipients: creatorIds.map((creator_id) => ({ creator_id })) });
    expect(added.added_count).toBe(creatorIds.length);

    // 3. Hide creators already contacted by earlier sends.
    const f = await s.ok('email_recipient_filter_update', { task_id: taskId, filter: { hide_contacted: true } });
    expect(f.effect.hidden_by_reason.already_contacted).toBeGreaterThan(0);
    const expectedSend = f.effect.will_send_count;
    expect(expectedSend).toBeGreaterThan(0);

    // 4. A collaborator from the team list.
    const team = await s.ok('email_collaborators_list', {});
    const priya = team.team_members.find((m: any) => m.name === 'Priya Raman');
    await s.previewApply('email_collaborators_add', { task_id: taskId, user_uid: priya.user_uid, permission: 'edit' });

    // 5. The approved brief from the files root.
    mkdirSync(join(s.app.files.root, 'briefs'), { recursive: true });
    writeFileSync(join(s.app.files.root, 'briefs', 'brief.pdf'), '%PDF-1.4\n% GlowLab wave 3 brief\n%%EOF\n');
    const up = await s.previewApply('email_attachments_upload', { task_id: taskId, path: 'briefs/brief.pdf' });
    const attachmentId = up.result.attachment.attachment_id;

    // 6. Content with a product card and a normal short link.
    const serum = (await s.ok('product_list', { keyword: 'Barrier Repair' })).items[0];
    const link = await s.ok('short_link_create', {
      title: 'Barrier Serum — wave 3',
      web: 'https://shop.demo-brand.example/products/barrier-repair-serum',
      utm_source: 'noxinfluencer',
      utm_campaign: 'wave3',
    });
    const content = await s.ok('email_content_save', {
      task_id: taskId,
      subject: 'Paid collab: GlowLab Barrier Repair Serum',
      html_body: '<p>Hi! We would love to send you our Barrier Repair Serum for a paid feature.</p>',
      text_body: 'Hi! We would love to send you our Barrier Repair Serum for a paid feature.',
      product_collect_ids: [serum.product_collect_id],
      short_links: [link.short_link_id],
    });
    expect(content.embedded_short_links).toEqual([link.short_url]);

    // 7. The sender.
    const senders = await s.ok('email_sender_list', { task_id: taskId });
    await s.ok('email_sender_update', { task_id: taskId, sender_auth_id: senders.items[0].sender_auth_id });

    // 8. The approval sheet, then the send.
    const p = await s.ok('email_send_preview', { task_id: taskId });
    expect(p.effect.recipients.will_send_count).toBe(expectedSend);
    expect(p.effect.recipients.filtered_by_reason.already_contacted).toBe(f.effect.hidden_by_reason.already_contacted);
    expect(p.effect.product_cards.map((c: any) => c.product_collect_id)).toEqual([serum.product_collect_id]);
    expect(p.effect.short_links).toEqual([link.short_url]);
    expect(p.effect.attachment.attachment_id).toBe(attachmentId);
    expect(p.effect.sender.sender_auth_id).toBe(senders.items[0].sender_auth_id);
    const sent = await s.ok('email_send_apply', { task_id: taskId, preview_token: p.preview_token });
    expect(sent.result.sent_count).toBe(expectedSend);
    expect(sent.result.threads_opened).toBe(expectedSend); // every recipient is a creator: one thread each

    // 9. Replies arrive after a short delay; the report reads them.
    t += 45 * 60_000;
    await s.drainJobs();
    const r = await s.ok('email_report', { task_id: taskId });
    expect(r).toMatchObject({ status: 'sent', sent_count: expectedSend, bounced_count: sent.result.bounced_count, filtered_out_count: creatorIds.length - expectedSend });
    expect(r.reply_count).toBeGreaterThan(0);
    expect(r.replied_creator_count).toBeGreaterThan(0);
    expect(r.replied_creator_count).toBeLessThanOrEqual(r.reply_count);
    expect(r.inbound_message_count).toBe(r.reply_count);
    expect(r.threads_needing_reply).toBe(r.replied_creator_count);
    const breakdown = await s.ok('email_team_breakdown', { uids: [task.owner_uid] });
    expect(breakdown.items[0].reply_count).toBeGreaterThanOrEqual(r.reply_count);
    const final = await s.ok('email_get', { task_id: taskId });
    expect(final.collaborators.map((c: any) => c.user_uid)).toEqual([task.owner_uid, priya.user_uid]);
    expect(final.recipients.replied).toBe(r.replied_creator_count);
  });
});
