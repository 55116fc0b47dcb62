// The message domain: follow-up on existing creator threads (replies, drafts, templates, files).
import type { Operation } from '../../src/catalog.js';
import { threads } from './threads.js';
import { filters } from './filters.js';
import { labels } from './labels.js';
import { replies } from './replies.js';
import { templates } from './templates.js';
import { attachments } from './attachments.js';
import { templateAttachments } from './template-attachments.js';

// The order is the tools/list order clients see.
export const messageOperations: Operation[] = [
  threads.list,
  threads.get,
  threads.projects,
  filters.creators,
  filters.projects,
  labels.list,
  labels.coopStatuses,
  labels.set,
  labels.coopSet,
  replies.draftSave,
  templates.list,
  templates.save,
  templates.use,
  threads.archive,
  replies.send,
  replies.schedule,
  replies.cancel,
  attachments.list,
  attachments.upload,
  attachments.download,
  attachments.delete,
  templateAttachments.list,
  templateAttachments.upload,
  templateAttachments.download,
  templateAttachments.delete,
];
