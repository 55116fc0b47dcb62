// CRM: NoxInfluencer's own creator CRM (channels, labels, groups, batch updates, imports).
import type { Operation } from '../../src/catalog.js';
import { batch } from './batch.js';
import { channels } from './channels.js';
import { groups } from './groups.js';
import { crmImports } from './imports.js';
import { labels } from './labels.js';

// The tools/list order, as published: do not reorder.
export const crmOperations: Operation[] = [
  channels.list,
  channels.get,
  channels.update,
  batch.update,
  batch.archive,
  channels.restore,
  batch.addToEmail,
  ...Object.values(labels),
  ...Object.values(groups),
  crmImports.template,
  crmImports.file,
  crmImports.report,
];
