// Message threads: follow-up on existing threads, replies, drafts, templates and attachments.
import type { Operation } from '../src/catalog.js';
import type { Catalog } from '../src/catalog.js';

export const messageOperations: Operation[] = [];
export const messageJobs: NonNullable<Catalog['jobs']> = {};
