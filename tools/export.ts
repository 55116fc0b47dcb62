// Exports: collection, CRM and brand-monitor files, produced by jobs.
import type { Operation } from '../src/catalog.js';
import type { Catalog } from '../src/catalog.js';

export const exportOperations: Operation[] = [];
export const exportJobs: NonNullable<Catalog['jobs']> = {};
