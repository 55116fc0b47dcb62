// Affiliation: Shopify affiliate campaigns, members, discount codes and tracking links.
import type { Operation } from '../src/catalog.js';

export const affiliationOperations: Operation[] = [];
