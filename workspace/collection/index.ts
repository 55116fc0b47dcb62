// The collection domain in the embedded workspace.
import type { Implementation } from '../../src/backend/local/implementation.js';
import type { Workspace } from '../workspace.js';
import { collectionsImplementations } from './collections.js';
import { itemsImplementations } from './items.js';
import { groupedImplementations } from './grouped.js';
import { importsImplementations } from './imports.js';

export { collectionJobs } from './imports.js';

export const collectionDomain: Implementation<Workspace>[] = [
  ...Object.values(collectionsImplementations),
  ...Object.values(itemsImplementations),
  ...Object.values(groupedImplementations),
  ...Object.values(importsImplementations),
];
