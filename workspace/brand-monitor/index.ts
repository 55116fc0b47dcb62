// The brand monitor domain in the embedded workspace.
import type { Implementation } from '../../src/backend/local/implementation.js';
import type { Workspace } from '../workspace.js';
import { brandImplementations } from './brands.js';

export const brandMonitorDomain: Implementation<Workspace>[] = Object.values(brandImplementations);
