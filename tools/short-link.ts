// Short links: normal Nox tracking links (never affiliate links).
import type { Operation } from '../src/catalog.js';

export const shortLinkOperations: Operation[] = [];
