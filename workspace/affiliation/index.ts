// The affiliation domain in the embedded workspace.
import type { Implementation } from '../../src/backend/local/implementation.js';
import type { Workspace } from '../workspace.js';
import { storesImplementations } from './stores.js';
import { campaignsImplementations } from './campaigns.js';
import { membersImplementations } from './members.js';
import { memberImportImplementations } from './member-import.js';
import { memberPerformanceImplementations } from './performance.js';

export const affiliationDomain: Implementation<Workspace>[] = [
  ...Object.values(storesImplementations),
  ...Object.values(campaignsImplementations),
  ...Object.values(membersImplementations),
  ...Object.values(memberImportImplementations),
  ...Object.values(memberPerformanceImplementations),
];
