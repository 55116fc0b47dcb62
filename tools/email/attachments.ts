// The attachment of an email task (at most one). Uploading or deleting it on a scheduled task puts
// the task back to draft: the schedule is cancelled and must be previewed again.
import { z } from 'zod';
import { defineContract } from '../../src/catalog.js';
import { fileFields, id } from '../shared.js';
import { ATTACHMENT_MAX_BYTES, attachment, taskId } from './schemas.js';

const attachmentId = id('From email_attachments_list.');

export const attachments = {
  list: defineContract({
    name: 'email.attachments_list',
    cli: 'email attachments list',
    title: 'List email attachments',
    description: 'The attachment of a task (at most one): attachment_id, name, size, sha256.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/email/tasks/:task_id/attachments' },
    input: z.strictObject({ task_id: taskId }),
    output: z.object({ task_id: z.string(), items: z.array(attachment) }),
  }),
  upload: defineContract({
    name: 'email.attachments_upload',
    cli: 'email attachments upload',
    title: 'Upload an email attachment',
    description: 'Attaches one file (≤10 MB, no executables or scripts; one per task); cancels a schedule.',
    kind: 'write',
    risk: 'high',
    riskReason: 'Attaches a file that every recipient of the task will receive.',
    hints: { destructive: false },
    route: { method: 'POST', path: '/email/tasks/:task_id/attachments' },
    input: z.strictObject({ task_id: taskId, ...fileFields(ATTACHMENT_MAX_BYTES) }),
    output: z.object({ attachment, schedule_cancelled: z.boolean(), status: z.string(), summary: z.string() }),
    effect: z.object({ task_id: z.string(), file_name: z.string(), size: z.int(), sha256: z.string(), will_cancel_schedule: z.boolean(), plan_send_at: z.string().nullable() }),
    idsOf: (i, o) => [i.task_id, o.attachment.attachment_id],
  }),
  download: defineContract({
    name: 'email.attachments_download',
    cli: 'email attachments download',
    title: 'Download an email attachment',
    description: 'Writes an attachment to a new file in the files root.',
    kind: 'write',
    risk: 'low',
    riskReason: 'Writes a new file into the files root; nothing in the workspace changes.',
    route: { method: 'GET', path: '/email/attachments/:attachment_id' },
    input: z.strictObject({ attachment_id: attachmentId, output_path: z.string().min(1).max(1024) }),
    output: z.object({ attachment_id: z.string(), file_name: z.string(), path: z.string(), bytes: z.int(), sha256: z.string() }),
    idsOf: (i) => [i.attachment_id],
  }),
  delete: defineContract({
    name: 'email.attachments_delete',
    cli: 'email attachments delete',
    title: 'Delete an email attachment',
    description: 'Removes the attachment from its task; cancels a schedule.',
    kind: 'write',
    risk: 'high',
    riskReason: 'Irreversible: removes an attachment from the task.',
    confirm: true,
    route: { method: 'DELETE', path: '/email/attachments/:attachment_id' },
    input: z.strictObject({ attachment_id: attachmentId }),
    output: z.object({ deleted: z.boolean(), attachment_id: z.string(), task_id: z.string(), schedule_cancelled: z.boolean(), status: z.string(), summary: z.string() }),
    effect: z.object({ attachment, will_cancel_schedule: z.boolean(), plan_send_at: z.string().nullable() }),
    idsOf: (i) => [i.attachment_id],
  }),
};
