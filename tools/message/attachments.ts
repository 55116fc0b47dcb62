// Thread attachments: the draft files that go out with a thread's next reply, and its sent files.
// Thread and template files have their own ids; one kind is refused on the other's tools.
import { z } from 'zod';
import { defineContract } from '../../src/catalog.js';
import { id } from '../shared.js';
import { attachmentOut, downloadOut, MAX_ATTACHMENTS, outputPath, threadId, uploadFields } from './schemas.js';

export const attachments = {
  list: defineContract({
    name: 'message.attachments_list',
    cli: 'message attachments list',
    title: 'List thread attachments',
    description: `Draft files of one thread (at most ${MAX_ATTACHMENTS}); they go out with the next reply.`,
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/messages/:thread_id/attachments' },
    input: z.strictObject({ thread_id: threadId }),
    output: z.object({ thread_id: z.string(), items: z.array(attachmentOut) }),
  }),
  upload: defineContract({
    name: 'message.attachments_upload',
    cli: 'message attachments upload',
    title: 'Upload a thread attachment',
    description: `Attaches a file to one thread for the next reply (at most ${MAX_ATTACHMENTS} per thread, 10 MB each, no executables); cancels a scheduled reply.`,
    kind: 'write',
    risk: 'high',
    riskReason: 'Attaches a file the creator will receive with the reply.',
    hints: { destructive: false },
    route: { method: 'POST', path: '/messages/:thread_id/attachments' },
    input: z.strictObject({ thread_id: threadId, ...uploadFields }),
    output: z.object({ thread_id: z.string(), attachment: attachmentOut, cancelled_scheduled_send: z.boolean(), summary: z.string() }),
    effect: z.object({
      thread_id: z.string(),
      file_name: z.string(),
      size: z.int(),
      sha256: z.string(),
      existing_count: z.int(),
      cancels_scheduled_send: z.boolean(),
      scheduled_at: z.string().nullable(),
    }),
    idsOf: (i, o) => [i.thread_id, o.attachment.attachment_id],
  }),
  download: defineContract({
    name: 'message.attachments_download',
    cli: 'message attachments download',
    title: 'Download a thread attachment',
    description: "Writes one attachment of a thread (a draft file or a sent message's) into the files root.",
    kind: 'write',
    risk: 'low',
    riskReason: 'Writes a new file into the files root; nothing in the workspace changes.',
    route: { method: 'POST', path: '/messages/:thread_id/attachments/:attachment_id/download' },
    input: z.strictObject({ thread_id: threadId, attachment_id: id('Thread attachment id (message_attachments_list or message_get).'), output_path: outputPath }),
    output: downloadOut,
  }),
  delete: defineContract({
    name: 'message.attachments_delete',
    cli: 'message attachments delete',
    title: 'Delete a thread attachment',
    description: 'Removes one draft file from a thread; cancels a scheduled reply.',
    kind: 'write',
    risk: 'high',
    riskReason: 'Irreversible: removes an attachment from the draft.',
    confirm: true,
    route: { method: 'DELETE', path: '/messages/:thread_id/attachments/:attachment_id' },
    input: z.strictObject({ thread_id: threadId, attachment_id: id('Thread attachment id (message_attachments_list).') }),
    output: z.object({ thread_id: z.string(), attachment_id: z.string(), deleted: z.boolean(), cancelled_scheduled_send: z.boolean(), summary: z.string() }),
    effect: z.object({ thread_id: z.string(), attachment: attachmentOut, cancels_scheduled_send: z.boolean(), scheduled_at: z.string().nullable() }),
    idsOf: (i) => [i.thread_id, i.attachment_id],
  }),
};
