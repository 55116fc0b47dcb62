// The CRM domain in the embedded workspace.
import type { Implementation } from '../../src/backend/local/implementation.js';
import type { Workspace } from '../workspace.js';
import { batchImplementations } from './batch.js';
import { channelImplementations } from './channels.js';
import { groupImplementations } from './groups.js';
import { importImplementations } from './imports.js';
import { labelImplementations } from './labels.js';

export const crmDomain: Implementation<Workspace>[] = [
  ...Object.values(channelImplementations),
  ...Object.values(batchImplementations),
  ...Object.values(labelImplementations),
  ...Object.values(groupImplementations),
  ...Object.values(importImplementations),
];
