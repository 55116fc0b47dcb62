// The collection domain: collections, their items, the staged grouped operations and imports.
import type { Operation } from '../../src/catalog.js';
import { collections } from './collections.js';
import { items } from './items.js';
import { grouped } from './grouped.js';
import { imports } from './imports.js';

// The order of tools/list: keep it when adding an operation.
export const collectionOperations: Operation[] = [
  collections.list,
  collections.get,
  items.list,
  collections.create,
  collections.update,
  collections.delete,
  items.add,
  grouped.refresh,
  grouped.batch,
  grouped.addToCrm,
  imports.template,
  imports.file,
  imports.status,
];
