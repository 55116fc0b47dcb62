// The follow-up path of the workflow guide, through the MCP client: find the threads of an email
// task that need a reply (project_ids), check the creator's sibling threads (message_projects),
// attach a brief, preview and send a reply, and see the pending state change only where it should.
// It runs on the default and the compact surface.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, SURFACES, surfaceArgv, type TestServer } from '../helpers/server.js';
import { recordInbound } from '../../workspace/simulator.js';

// The same path on both surfaces: the compact one reaches the granular tools by name.
describe.each(SURFACES)('follow-up path (%s surface)', (surface) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ argv: surfaceArgv(surface) });
  });
  afterAll(() => s.close());

  it('replies on one task thread and leaves every other pending state alone', async () => {
    // 1. Who owns the task's threads, and which projects they have.
    const owners = await s.ok('message_creator_filters', {});
    const projects = await s.ok('message_project_filters', { creator_uids: owners.items.filter((o: any) => o.thread_count > 0).map((o: any) => o.user_uid) });
    const project = projects.items.find((p: any) => p.project_id === 'email_task:task_1820');
    expect(project.needs_reply_count).toBeGreaterThan(0);

    // 2. Threads of that task that need a reply, decided by needs_reply (not unread).
    const pending = await s.ok('message_list', { project_ids: [project.project_id], creator_uids: project.owner_uids, needs_reply: true, page_size: 100 });
    expect(pending.total).toBe(project.needs_reply_count);
    expect(pending.items.every((t: any) => t.needs_reply && t.last_message_direction === 'inbound' && t.pending_reason)).toBe(true);

    // 3. Siblings: pick a creator who is also in another project with a different pending state.
    let chosen: { thread: any; siblings: any[] } | undefined;
    for (const t of pending.items.filter((x: any) => !x.scheduled_at)) {
      const p = await s.ok('message_projects', { thread_id: t.thread_id });
      const siblings = p.items.filter((x: any) => x.thread_id !== t.thread_id);
      if (siblings.some((x: any) => x.project_id !== t.project_id)) {
        chosen = { thread: t, siblings };
        break;
      }
    }
    expect(chosen).toBeDefined();
    const { thread, siblings } = chosen!;
    const read = await s.ok('message_get', { thread_id: thread.thread_id });
    expect(read.needs_reply).toBe(true);

    // 4. Attach the brief from the files root.
    mkdirSync(join(s.app.files.root, 'briefs'), { recursive: true });
    writeFileSync(join(s.app.files.root, 'briefs', 'GlowLab-brief.pdf'), '%PDF-1.4\n% GlowLab brief\n%%EOF\n');
    const existing = (await s.ok('message_attachments_list', { thread_id: thread.thread_id })).items;
    for (const a of existing.slice(1)) await s.previewApply('message_attachments_delete', { thread_id: thread.thread_id, attachment_id: a.attachment_id });
    const up = await s.previewApply('message_attachments_upload', { thread_id: thread.thread_id, path: 'briefs/GlowLab-brief.pdf' });
    expect(up.result.attachment.file_name).toBe('GlowLab-brief.pdf');

    // 5. Preview the reply: full approval state, the brief included, siblings named as unchanged.
    const args = { thread_id: thread.thread_id, html_body: '<p>Thanks for the question! The brief is attached; it is a paid collaboration.</p>' };
    const p = await s.ok('message_send_preview', args);
    expect(p.effect.attachments.map((a: any) => a.file_name)).toContain('GlowLab-brief.pdf');
    expect(p.effect.current).toMatchObject({ needs_reply: true, last_message_direction: 'inbound' });
    expect(p.effect.siblings_unchanged.map((x: any) => x.thread_id).sort()).toEqual(siblings.map((x: any) => x.thread_id).sort());
    const before = await s.ok('message_projects', { thread_id: thread.thread_id });

    // 6. Send, and read the state back.
    const a = await s.ok('message_send_apply', { ...args, preview_token: p.preview_token });
    expect(a.result).toMatchObject({ needs_reply: false, last_message_direction: 'outbound' });
    const after = await s.ok('message_projects', { thread_id: thread.thread_id });
    for (const x of after.items) {
      const was = before.items.find((y: any) => y.thread_id === x.thread_id);
      if (x.thread_id === thread.thread_id) expect(x).toMatchObject({ needs_reply: false, last_message_direction: 'outbound', pending_reason: null });
      else
        expect({ needs_reply: x.needs_reply, last_message_direction: x.last_message_direction, pending_reason: x.pending_reason }).toEqual({
          needs_reply: was.needs_reply,
          last_message_direction: was.last_message_direction,
          pending_reason: was.pending_reason,
        });
    }
    expect(after.pending_count).toBe(before.pending_count - 1);
    const now = await s.ok('message_list', { project_ids: [project.project_id], needs_reply: true, page_size: 100 });
    expect(now.total).toBe(pending.total - 1);
    expect(now.items.map((t: any) => t.thread_id)).toEqual(pending.items.map((t: any) => t.thread_id).filter((id: string) => id !== thread.thread_id));
    const sent = await s.ok('message_get', { thread_id: thread.thread_id });
    expect(sent.messages.at(-1).attachments.map((x: any) => x.file_name)).toContain('GlowLab-brief.pdf');

    // 7. The creator answers again (simulator): the thread is pending once more, with a reason.
    s.workspaceDb.transaction(() =>
      recordInbound(s.app.workspace!, { threadId: thread.thread_id, html: '<p>Got it, when do you need the draft?</p>', pendingReason: 'creator_asked_question', at: new Date().toISOString() }),
    )();
    const again = await s.ok('message_list', { project_ids: [project.project_id], needs_reply: true, page_size: 100 });
    expect(again.items.find((t: any) => t.thread_id === thread.thread_id)).toMatchObject({ needs_reply: true, pending_reason: 'creator_asked_question', last_message_direction: 'inbound' });
  });
});
