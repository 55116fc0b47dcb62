// The email domain: tasks, their recipients, filter, collaborators, attachment, content and
// sender, the send itself, reports, reuse (templates, copies) and files (import template, inline images). Listed in the order tools/list
// has always shown them; later families go last.
import type { Operation } from '../../src/catalog.js';
import { tasks } from './tasks.js';
import { recipients } from './recipients.js';
import { filters } from './filters.js';
import { collaborators } from './collaborators.js';
import { attachments } from './attachments.js';
import { content } from './content.js';
import { senders } from './sender.js';
import { sending } from './send.js';
import { reports } from './reports.js';
import { templates } from './templates.js';
import { emailFiles } from './files.js';

export const emailOperations: Operation[] = [tasks, recipients, filters, collaborators, attachments, content, senders, sending, reports, templates, emailFiles].flatMap((family) =>
  Object.values(family),
);
