// The product domain in the embedded workspace.
import type { Implementation } from '../../src/backend/local/implementation.js';
import type { Workspace } from '../workspace.js';
import { productsImplementations } from './products.js';
import { tagsImplementations } from './tags.js';

export const productDomain: Implementation<Workspace>[] = [...Object.values(productsImplementations), ...Object.values(tagsImplementations)];
