// The email domain in the embedded workspace, and its jobs.
import type { Implementation } from '../../src/backend/local/implementation.js';
import type { Workspace } from '../workspace.js';
import { taskImplementations } from './tasks.js';
import { recipientImplementations } from './recipients.js';
import { filterImplementations } from './filters.js';
import { collaboratorImplementations } from './collaborators.js';
import { attachmentImplementations } from './attachments.js';
import { contentImplementations } from './content.js';
import { senderImplementations } from './sender.js';
import { sendImplementations } from './send.js';
import { reportImplementations } from './reports.js';
import { templateImplementations } from './templates.js';
import { emailFileImplementations } from './files.js';

export { emailJobs } from './jobs.js';

export const emailDomain: Implementation<Workspace>[] = [
  taskImplementations,
  recipientImplementations,
  filterImplementations,
  collaboratorImplementations,
  attachmentImplementations,
  contentImplementations,
  senderImplementations,
  sendImplementations,
  reportImplementations,
  templateImplementations,
  emailFileImplementations,
].flatMap((family) => Object.values(family));
