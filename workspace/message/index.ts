// The message domain in the embedded workspace, and its scheduled-send job.
import type { Implementation } from '../../src/backend/local/implementation.js';
import type { Workspace, WorkspaceJobs } from '../workspace.js';
import { threadsImplementations } from './threads.js';
import { filtersImplementations } from './filters.js';
import { labelsImplementations } from './labels.js';
import { repliesImplementations, sendScheduledReply } from './replies.js';
import { templatesImplementations } from './templates.js';
import { attachmentsImplementations } from './attachments.js';
import { templateAttachmentsImplementations } from './template-attachments.js';
import { SCHEDULED_SEND_JOB } from './thread-store.js';

export const messageDomain: Implementation<Workspace>[] = [
  ...Object.values(threadsImplementations),
  ...Object.values(filtersImplementations),
  ...Object.values(labelsImplementations),
  ...Object.values(repliesImplementations),
  ...Object.values(templatesImplementations),
  ...Object.values(attachmentsImplementations),
  ...Object.values(templateAttachmentsImplementations),
];

export const messageJobs: WorkspaceJobs = { [SCHEDULED_SEND_JOB]: sendScheduledReply };
