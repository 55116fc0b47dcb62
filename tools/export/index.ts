// The export domain: collection, CRM and brand-monitor files.
import type { Operation } from '../../src/catalog.js';
import { exports } from './exports.js';

export const exportOperations: Operation[] = Object.values(exports);
