// The short link domain: normal Nox tracking links.
import type { Operation } from '../../src/catalog.js';
import { links } from './links.js';

export const shortLinkOperations: Operation[] = Object.values(links);
