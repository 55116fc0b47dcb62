// Campaign context: what the workflow keeps stable, the journal, and the resources and prompts.
import type { Operation } from '../src/catalog.js';
import type { Catalog } from '../src/catalog.js';

export const contextOperations: Operation[] = [];
export const contextResources: NonNullable<Catalog['resources']> = () => [];
export const contextResourceTemplates: NonNullable<Catalog['resourceTemplates']> = () => [];
export const contextPrompts: NonNullable<Catalog['prompts']> = () => [];
