// The affiliation domain: Shopify affiliate campaigns, members, discount codes and affiliate
// tracking links. Affiliate links live on the store's own domain and are never Nox short links.
import type { Operation } from '../../src/catalog.js';
import { stores } from './stores.js';
import { campaigns } from './campaigns.js';
import { members } from './members.js';
import { memberImport } from './member-import.js';
import { memberPerformance } from './performance.js';

export const affiliationOperations: Operation[] = [
  ...Object.values(stores),
  ...Object.values(campaigns),
  ...Object.values(members),
  ...Object.values(memberImport),
  ...Object.values(memberPerformance),
];
