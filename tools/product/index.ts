// The product domain: Product Center products and their tags.
import type { Operation } from '../../src/catalog.js';
import { products } from './products.js';
import { tags } from './tags.js';

export const productOperations: Operation[] = [...Object.values(products), ...Object.values(tags)];
