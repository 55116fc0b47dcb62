// CRM imports: a spreadsheet of creator URLs (with email, coop status, label names and remark)
// becomes CRM channels; its template shows the columns.
import { z } from 'zod';
import { defineContract } from '../../src/catalog.js';
import { CREATOR_ID_MAX, excelFileFields } from '../shared.js';
import { failedItem, templateContract } from '../imports.js';

/** The descriptions below state these limits (≤10 MB, ≤500 rows); the workspace enforces them. */
export const CRM_IMPORT_LIMITS = { maxBytes: 10 * 1024 * 1024, maxRows: 500 };

export const repeatedItem = z.object({ row: z.int(), creator_id: z.string().nullable(), reason: z.string().describe('already_in_crm or duplicate_of_row_<n>.') });

const reportItems = <T extends z.ZodType>(item: T) => z.array(item).max(CRM_IMPORT_LIMITS.maxRows).default([]).describe('From crm_import_file.');

export const crmImports = {
  template: templateContract({
    name: 'crm.import_template',
    title: 'Write the CRM import template',
    description: 'Writes the crm_import_file .xlsx template (creator URL, email, coop status, label names, remark) into the files root.',
    path: '/crm/import-template',
    defaultOutput: 'templates/crm-import-template.xlsx',
  }),
  report: defineContract({
    name: 'crm.import_report',
    title: 'Write a CRM import report',
    description: 'Writes the failed_items and repeated_items a crm_import_file call returned to a new .xlsx in the files root.',
    kind: 'write',
    risk: 'low',
    riskReason: 'Writes a new report file into the files root; never overwrites one.',
    route: { method: 'POST', path: '/crm/import-report' },
    input: z.strictObject({
      failed_items: reportItems(failedItem),
      repeated_items: reportItems(repeatedItem.extend({ creator_id: z.string().max(CREATOR_ID_MAX).nullable(), reason: z.string() })),
      output_path: z
        .string()
        .min(1)
        .max(1024)
        .regex(/\.xlsx$/i, 'end with .xlsx')
        .default('reports/crm-import-report.xlsx'),
    }),
    output: z.object({ path: z.string(), bytes: z.int(), failed_count: z.int(), repeated_count: z.int(), summary: z.string() }),
  }),
  file: defineContract({
    name: 'crm.import_file',
    title: 'Import CRM channels from a spreadsheet',
    description: 'Imports a workbook (≤10 MB, ≤500 rows; crm_import_template columns) into the CRM; returns failed_items and repeated_items.',
    kind: 'write',
    risk: 'high',
    riskReason: 'Bulk: creates or updates shared CRM channels from every row of a spreadsheet.',
    route: { method: 'POST', path: '/crm/import' },
    input: z.strictObject({
      ...excelFileFields(CRM_IMPORT_LIMITS.maxBytes, 'at most 10 MB and 500 rows'),
      overwrite_existing: z.boolean().default(false).describe('true: rows of creators already in the CRM overwrite their channel, not reported as repeated.'),
    }),
    output: z.object({
      created_count: z.int().describe('New CRM channels.'),
      created_creators_count: z.int().describe('Unknown channels created as new creators.'),
      overwritten_count: z.int(),
      failed_items: z.array(failedItem),
      repeated_items: z.array(repeatedItem),
      summary: z.string(),
    }),
    effect: z.object({
      file_name: z.string(),
      row_count: z.int(),
      will_create_count: z.int(),
      new_creator_count: z.int().describe('Rows whose channel is not a creator yet.'),
      will_overwrite_count: z.int(),
      repeated_count: z.int(),
      repeated_items: z.array(repeatedItem).describe('At most 50 shown.'),
      failed_count: z.int(),
      failed_items: z.array(failedItem).describe('At most 50 shown.'),
      sample: z.array(z.object({ row: z.int(), platform: z.string(), channel_id: z.string(), outcome: z.string() })),
    }),
  }),
};
