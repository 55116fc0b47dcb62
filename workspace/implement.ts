// `implement(contract, handlers)` for the embedded workspace: handlers get the Workspace, and
// their input, output and effect types flow from the contract.
import { implementer, type ImplementationsOf } from '../src/backend/local/implementation.js';
import type { Operation } from '../src/catalog.js';
import type { Workspace } from './workspace.js';

export const implement = implementer<Workspace>();

/** A family's implementations, checked to be one per contract of the family. */
export type Implemented<T extends Record<string, Operation>> = ImplementationsOf<Workspace, T>;
