// Schemas of spreadsheet imports and their templates, shared by the collection and CRM imports.
import { z } from 'zod';

/** A row that failed, named by spreadsheet row (header = row 1) and column letter. */
export const failedItem = z.object({ row: z.int(), column: z.string(), value: z.string(), reason: z.string() });
export type FailedItem = z.infer<typeof failedItem>;

export const templateOutput = z.object({ path: z.string().describe('Relative to the files root.'), bytes: z.int(), columns: z.array(z.string()), summary: z.string() });
export const templatePathField = (fallback: string) => z.string().min(1).max(1024).default(fallback).describe('Where to write the .xlsx, relative to the files root; refused if the file exists.');
