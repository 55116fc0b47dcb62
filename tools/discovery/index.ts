// The discovery domain: creator search and lookup, for creator_id values.
import type { Operation } from '../../src/catalog.js';
import { creators } from './creators.js';

export const discoveryOperations: Operation[] = Object.values(creators);
