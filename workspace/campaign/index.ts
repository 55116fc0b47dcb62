// The campaign domain in the embedded workspace.
import type { Implementation } from '../../src/backend/local/implementation.js';
import type { Workspace } from '../workspace.js';
import { campaignImplementations } from './campaigns.js';
import { contextImplementations } from './context.js';

export const campaignDomain: Implementation<Workspace>[] = [...Object.values(campaignImplementations), ...Object.values(contextImplementations)];
export { campaignOfIds } from './context.js';
