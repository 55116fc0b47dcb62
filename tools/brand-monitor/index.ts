// The brand monitor domain (reads for brand-monitor exports).
import type { Operation } from '../../src/catalog.js';
import { brands } from './brands.js';

export const brandMonitorOperations: Operation[] = Object.values(brands);
