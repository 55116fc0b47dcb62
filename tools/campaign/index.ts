// The campaign domain: the anchor of the working set, and its context.
import type { Operation } from '../../src/catalog.js';
import { campaigns } from './campaigns.js';
import { context } from './context.js';

export const campaignOperations: Operation[] = [...Object.values(campaigns), ...Object.values(context)];
