// Product Center: products and tags that email tasks show as product cards.
import type { Operation } from '../src/catalog.js';

export const productOperations: Operation[] = [];
