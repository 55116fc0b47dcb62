// CRM: NoxInfluencer's own creator CRM (channels, labels, groups, batch updates, imports).
import type { Operation } from '../src/catalog.js';

export const crmOperations: Operation[] = [];
