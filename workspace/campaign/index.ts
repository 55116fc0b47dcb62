// The campaign domain in the embedded workspace.
import type { Implementation } from '../../src/backend/local/implementation.js';
import type { Workspace } from '../workspace.js';
import { campaignImplementations } from './campaigns.js';

export const campaignDomain: Implementation<Workspace>[] = Object.values(campaignImplementations);
