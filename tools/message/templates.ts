// Reply templates: listed, saved, and put into a thread's draft.
import { z } from 'zod';
import { defineContract } from '../../src/catalog.js';
import { id } from '../shared.js';
import { attachmentOut, htmlBody, templateId, threadId } from './schemas.js';

export const template = z.object({ template_id: z.string(), name: z.string(), subject: z.string(), html_body: z.string(), attachments: z.array(attachmentOut), updated_at: z.string() });

export const templates = {
  list: defineContract({
    name: 'message.templates_list',
    cli: 'message templates list',
    title: 'List reply templates',
    description: 'Reply templates with their bodies and attachments.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/messages/templates' },
    input: z.strictObject({}),
    output: z.object({ items: z.array(template) }),
  }),
  save: defineContract({
    name: 'message.templates_save',
    cli: 'message templates save',
    title: 'Save a reply template',
    description: 'Creates a reply template, or updates one when template_id is given (omitted fields stay).',
    kind: 'write',
    risk: 'low',
    riskReason: 'Creates or edits a reply template; reversible, nothing is sent.',
    route: { method: 'PUT', path: '/messages/templates' },
    input: z.strictObject({
      template_id: id('Template to update.').optional(),
      name: z.string().trim().min(1).max(200).optional().describe('Template name (required to create).'),
      subject: z.string().max(500).optional().describe('Subject line.'),
      html_body: htmlBody.optional().describe('HTML with visible text (required to create).'),
    }),
    output: template,
    idsOf: (_i, o) => [o.template_id],
  }),
  use: defineContract({
    name: 'message.templates_use',
    cli: 'message templates use',
    title: 'Use a template as the draft',
    description: "Puts a template's body into one thread's reply draft (replacing it). Template files are not copied; nothing is sent.",
    kind: 'write',
    risk: 'low',
    riskReason: "Fills a thread's draft from a template; nothing is sent.",
    hints: { idempotent: true },
    route: { method: 'POST', path: '/messages/:thread_id/use-template' },
    input: z.strictObject({ thread_id: threadId, template_id: templateId }),
    output: z.object({ thread_id: z.string(), template_id: z.string(), replaced_draft: z.boolean(), draft_html: z.string(), template_attachments: z.array(attachmentOut), summary: z.string() }),
    idsOf: (i) => [i.thread_id],
  }),
};
