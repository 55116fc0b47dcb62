// Schemas of spreadsheet imports and their templates, shared by the collection and CRM imports.
import { z } from 'zod';
import { defineContract } from '../src/catalog.js';

/** A row that failed, named by spreadsheet row (header = row 1) and column letter. */
export const failedItem = z.object({ row: z.int(), column: z.string(), value: z.string(), reason: z.string() });
export type FailedItem = z.infer<typeof failedItem>;

const templateOutput = z.object({ path: z.string().describe('Relative to the files root.'), bytes: z.int(), columns: z.array(z.string()), summary: z.string() });
// What output_path is, is said once, in the instructions (SHARED_FIELDS).
const templatePathField = (fallback: string) => z.string().min(1).max(1024).default(fallback);

/** The contract of an import's template: writes a starting .xlsx into the files root. */
export function templateContract(c: { name: string; cli?: string; title: string; description: string; path: string; defaultOutput: string }) {
  return defineContract({
    name: c.name,
    ...(c.cli ? { cli: c.cli } : {}),
    title: c.title,
    description: c.description,
    kind: 'write',
    risk: 'low',
    riskReason: 'Writes a new template file into the files root; never overwrites one.',
    route: { method: 'POST', path: c.path },
    input: z.strictObject({ output_path: templatePathField(c.defaultOutput) }),
    output: templateOutput,
  });
}
