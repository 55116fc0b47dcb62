// The embedded workspace as the engine takes it: its tables and demo data, the implementation of
// every contract of the catalog, its jobs, and how touched ids lead to their campaign. Only the
// composition root (src/main.ts) and the tests load this module.
import type { EmbeddedWorkspace } from '../src/backend/local/implementation.js';
import { workspaceMigrations } from './schema.js';
import { isSeeded, seedDemoWorkspace } from './seed.js';
import { makeWorkspace, type Workspace } from './workspace.js';
import { campaignDomain, campaignOfIds } from './campaign/index.js';
import { discoveryDomain } from './discovery/index.js';
import { collectionDomain, collectionJobs } from './collection/index.js';
import { crmDomain } from './crm/index.js';
import { productDomain } from './product/index.js';
import { shortLinkDomain } from './short-link/index.js';
import { emailDomain, emailJobs } from './email/index.js';
import { messageDomain, messageJobs } from './message/index.js';
import { affiliationDomain } from './affiliation/index.js';
import { brandMonitorDomain } from './brand-monitor/index.js';
import { exportDomain, exportJobs } from './export/index.js';

export const embeddedWorkspace: EmbeddedWorkspace<Workspace> = {
  migrations: workspaceMigrations,
  isSeeded,
  seed: seedDemoWorkspace,
  open: ({ db, files, jobs, now }) => makeWorkspace(db, files, jobs, now),
  // In catalog order; every contract has exactly one implementation (checked at start).
  implementations: [
    ...campaignDomain,
    ...discoveryDomain,
    ...collectionDomain,
    ...crmDomain,
    ...productDomain,
    ...shortLinkDomain,
    ...emailDomain,
    ...messageDomain,
    ...affiliationDomain,
    ...brandMonitorDomain,
    ...exportDomain,
  ],
  jobs: { ...collectionJobs, ...emailJobs, ...messageJobs, ...exportJobs },
  campaignOfIds,
};
