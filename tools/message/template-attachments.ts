// Template attachments: files kept with a reply template, with ids of their own (not thread files).
import { z } from 'zod';
import { defineContract } from '../../src/catalog.js';
import { id } from '../shared.js';
import { attachmentOut, downloadOut, MAX_ATTACHMENTS, outputPath, templateId, uploadFields } from './schemas.js';

const templateAttachmentId = id('Template attachment id (message_templates_list).');

export const templateAttachments = {
  list: defineContract({
    name: 'message.template_attachments_list',
    cli: 'message templates attachments list',
    title: 'List template attachments',
    description: 'The files kept with one reply template (at most 2).',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/messages/templates/:template_id/attachments' },
    input: z.strictObject({ template_id: templateId }),
    output: z.object({ template_id: z.string(), items: z.array(attachmentOut) }),
  }),
  upload: defineContract({
    name: 'message.template_attachments_upload',
    cli: 'message templates attachments upload',
    title: 'Upload a template attachment',
    description: `Attaches a file to one reply template (at most ${MAX_ATTACHMENTS}, 10 MB each, no executables).`,
    kind: 'write',
    risk: 'low',
    riskReason: 'Adds a file to a reply template; removable, nothing is sent.',
    route: { method: 'POST', path: '/messages/templates/:template_id/attachments' },
    input: z.strictObject({ template_id: templateId, ...uploadFields }),
    output: z.object({ template_id: z.string(), attachment: attachmentOut, summary: z.string() }),
    idsOf: (i, o) => [i.template_id, o.attachment.attachment_id],
  }),
  download: defineContract({
    name: 'message.template_attachments_download',
    cli: 'message templates attachments download',
    title: 'Download a template attachment',
    description: 'Writes one template attachment into the files root.',
    kind: 'write',
    risk: 'low',
    riskReason: 'Writes a new file into the files root; nothing in the workspace changes.',
    route: { method: 'POST', path: '/messages/templates/:template_id/attachments/:attachment_id/download' },
    input: z.strictObject({ template_id: templateId, attachment_id: templateAttachmentId, output_path: outputPath }),
    output: downloadOut,
  }),
  delete: defineContract({
    name: 'message.template_attachments_delete',
    cli: 'message templates attachments delete',
    title: 'Delete a template attachment',
    description: 'Removes one attachment from a reply template.',
    kind: 'write',
    risk: 'high',
    riskReason: 'Irreversible: removes a file from a reply template.',
    confirm: true,
    route: { method: 'DELETE', path: '/messages/templates/:template_id/attachments/:attachment_id' },
    input: z.strictObject({ template_id: templateId, attachment_id: templateAttachmentId }),
    output: z.object({ template_id: z.string(), attachment_id: z.string(), deleted: z.boolean(), summary: z.string() }),
    effect: z.object({ template_id: z.string(), attachment: attachmentOut }),
    idsOf: (i) => [i.template_id, i.attachment_id],
  }),
};
