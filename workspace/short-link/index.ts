// The short link domain in the embedded workspace.
import type { Implementation } from '../../src/backend/local/implementation.js';
import type { Workspace } from '../workspace.js';
import { linksImplementations } from './links.js';

export const shortLinkDomain: Implementation<Workspace>[] = Object.values(linksImplementations);
