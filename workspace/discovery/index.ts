// The discovery domain in the embedded workspace.
import type { Implementation } from '../../src/backend/local/implementation.js';
import type { Workspace } from '../workspace.js';
import { creatorImplementations } from './creators.js';

export const discoveryDomain: Implementation<Workspace>[] = Object.values(creatorImplementations);
