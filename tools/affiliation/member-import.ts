// Importing affiliate members from a spreadsheet: its template, and the import itself.
import { z } from 'zod';
import { excelFileFields } from '../shared.js';
import { defineAffiliationContract } from './define.js';
import { campaignId } from './campaigns.js';
import { planOut } from './members.js';

/** The import file's size limit: it bounds the base64 field, and the implementation enforces it on the bytes. */
export const IMPORT_MAX_BYTES = 10 * 1024 * 1024;

export const memberImport = {
  template: defineAffiliationContract({
    name: 'affiliation.members_import_template',
    cli: 'affiliation members import-template',
    title: 'Member import template',
    description: 'Writes the .xlsx template of affiliation_members_import_file (one identity per row) into the files root.',
    kind: 'write',
    risk: 'low',
    riskReason: 'Writes a new template file into the files root; never overwrites one.',
    route: { method: 'POST', path: '/affiliation/members/import-template' },
    input: z.strictObject({
      output_path: z
        .string()
        .min(1)
        .max(1024)
        .regex(/\.xlsx$/i, 'end with .xlsx'),
    }),
    output: z.object({ path: z.string(), bytes: z.int(), columns: z.array(z.string()) }),
  }),
  file: defineAffiliationContract({
    name: 'affiliation.members_import_file',
    cli: 'affiliation members import-file',
    title: 'Import affiliate members from a file',
    description: 'Adds pending members to one campaign from a workbook of affiliation_members_import_template columns.',
    kind: 'write',
    risk: 'high',
    riskReason: 'Bulk: enrols every row of a spreadsheet.',
    hints: { destructive: false },
    route: { method: 'POST', path: '/affiliation/campaigns/:campaign_id/members/import' },
    input: z.strictObject({
      campaign_id: campaignId,
      ...excelFileFields(IMPORT_MAX_BYTES, 'at most 10 MB'),
    }),
    output: z.object({
      added_count: z.int(),
      already_present_count: z.int(),
      problems: z.array(planOut),
      pending_count: z.int().describe('Pending members of the campaign after the import.'),
      summary: z.string(),
    }),
    effect: z.object({ file_name: z.string(), row_count: z.int(), will_add_count: z.int(), already_present_count: z.int(), problems: z.array(planOut), sample: z.array(z.string()) }),
  }),
};
