// Email tasks: recipients, filters, collaborators, attachments, content, sender, send and reports.
import type { Operation } from '../src/catalog.js';
import type { Catalog } from '../src/catalog.js';

export const emailOperations: Operation[] = [];
export const emailJobs: NonNullable<Catalog['jobs']> = {};
