// Reusing email content: templates (subject and bodies kept by name) and copies of whole tasks.
import { z } from 'zod';
import { defineContract } from '../../src/catalog.js';
import { FROM } from '../hints.js';
import { id } from '../shared.js';
import { taskId, taskView } from './schemas.js';

export const emailTemplate = z.object({ template_id: z.string(), name: z.string(), subject: z.string(), html_body: z.string(), text_body: z.string(), updated_at: z.string() });

const templateId = id(FROM.emailTemplate);

export const templates = {
  list: defineContract({
    name: 'email.templates_list',
    cli: 'email templates list',
    title: 'List email templates',
    description: 'Email content templates (template_id, name, subject, bodies), by name.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/email/templates' },
    input: z.strictObject({}),
    output: z.object({ items: z.array(emailTemplate) }),
  }),
  save: defineContract({
    name: 'email.templates_save',
    cli: 'email templates save',
    title: 'Save an email template',
    description: 'Creates a template (name, subject, html_body) or, with template_id, updates it; omitted fields stay.',
    kind: 'write',
    risk: 'low',
    riskReason: 'Creates or edits an email template; reversible, nothing is sent.',
    route: { method: 'PUT', path: '/email/templates' },
    input: z.strictObject({
      template_id: id(`Template to update. ${FROM.emailTemplate}`).optional(),
      name: z.string().trim().min(1).max(200).optional().describe('Template name.'),
      subject: z.string().trim().min(1).max(300).optional().describe('Email subject.'),
      html_body: z.string().max(200_000).optional().describe('HTML body.'),
      text_body: z.string().max(200_000).optional().describe('Plain-text body.'),
    }),
    output: emailTemplate,
    idsOf: (_i, o) => [o.template_id],
  }),
  use: defineContract({
    name: 'email.templates_use',
    cli: 'email templates use',
    title: 'Use an email template',
    description: "Replaces a draft task's subject and bodies with a template's; cards, sender and recipients stay.",
    kind: 'write',
    risk: 'low',
    riskReason: "Fills a draft task's subject and bodies from a template; nothing is sent.",
    hints: { idempotent: true },
    route: { method: 'POST', path: '/email/tasks/:task_id/use-template' },
    input: z.strictObject({ task_id: taskId, template_id: templateId }),
    output: taskView.extend({ template_id: z.string() }),
    idsOf: (i) => [i.task_id],
  }),
  copy: defineContract({
    name: 'email.copy',
    title: 'Copy an email task',
    description: 'Copies a task into a new draft you own: content, cards, sender, filter, attachment and campaign context; not recipients or collaborators.',
    kind: 'write',
    risk: 'low',
    riskReason: 'Adds a new draft copied from a task; nothing is sent and the original stays.',
    route: { method: 'POST', path: '/email/tasks/:task_id/copy' },
    input: z.strictObject({ task_id: taskId, name: z.string().trim().min(1).max(200).optional().describe('Default: "<name> (copy)".') }),
    output: taskView,
    idsOf: (i, o) => [i.task_id, o.task_id],
  }),
};
