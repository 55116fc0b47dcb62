// Spreadsheet imports into a collection: the template, the queued import, and its status.
import { z } from 'zod';
import { defineContract } from '../../src/catalog.js';
import { fileFields, id } from '../shared.js';
import { failedItem, templateContract } from '../imports.js';
import { collectionId } from './collections.js';

export const COLLECTION_IMPORT_LIMITS = { maxBytes: 10 * 1024 * 1024, maxRows: 5000 };

/** What a finished import reports (the job's result). */
export const importResult = z.object({
  collection_id: z.string(),
  imported_count: z.int().describe('Creators newly added to the collection.'),
  already_present_count: z.int(),
  created_creators_count: z.int().describe('Unknown channels created as new creators.'),
  duplicate_count: z.int().describe('Rows repeating an earlier row of the file.'),
  failed_items: z.array(failedItem).describe('Rows that did not resolve (row, column, reason).'),
});

export const imports = {
  template: templateContract({
    name: 'collection.import_template',
    title: 'Write the collection import template',
    description: 'Writes the collection_import_file .xlsx template (A creator URL, B optional email) into the files root.',
    path: '/collections/import-template',
    defaultOutput: 'templates/collection-import-template.xlsx',
  }),
  file: defineContract({
    name: 'collection.import_file',
    title: 'Import creator URLs into a collection',
    description: 'Imports a .xlsx/.csv (≤10 MB, ≤5,000 rows; A creator URL, B optional email) into one collection; collection_import_status follows the import_id apply returns.',
    kind: 'job',
    risk: 'high',
    riskReason: 'Bulk: imports every row of a spreadsheet into a collection.',
    hints: { destructive: false },
    route: { method: 'POST', path: '/collections/:collection_id/import' },
    input: z.strictObject({ collection_id: collectionId, ...fileFields(COLLECTION_IMPORT_LIMITS.maxBytes, 'A .xlsx or .csv file') }),
    output: z.object({
      import_id: z.string().describe('Poll collection_import_status with it.'),
      status: z.string(),
      collection_id: z.string(),
      campaign_id: z.string().nullable(),
      queued_row_count: z.int(),
      failed_count: z.int(),
      duplicate_count: z.int(),
      summary: z.string(),
    }),
    effect: z.object({
      collection_id: z.string(),
      file_name: z.string(),
      row_count: z.int(),
      importable_count: z.int(),
      by_platform: z.object({ youtube: z.int(), tiktok: z.int(), instagram: z.int() }),
      will_add_count: z.int().describe('Existing creators not yet in the collection.'),
      new_creator_count: z.int().describe('Unknown channels that will become new creators.'),
      already_in_collection_count: z.int(),
      duplicate_count: z.int(),
      duplicates: z.array(z.object({ row: z.int(), duplicate_of_row: z.int() })).describe('At most 50.'),
      failed_count: z.int(),
      failed_items: z.array(failedItem).describe('Unparseable rows, at most 50.'),
      sample: z.array(z.object({ row: z.int(), platform: z.string(), channel_id: z.string(), outcome: z.string() })),
    }),
    idsOf: (i, o) => [i.collection_id, o.import_id],
  }),
  status: defineContract({
    name: 'collection.import_status',
    title: 'Collection import status',
    description: 'The state of a collection import (queued, running, done, failed) with progress, counts and failed_items.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/collections/imports/:import_id' },
    input: z.strictObject({
      import_id: id('The import_id returned by collection_import_file_apply.'),
      wait_seconds: z.int().min(0).max(60).default(0).describe('Wait up to this long for it to finish (with progress notifications).'),
    }),
    output: importResult.partial({ imported_count: true, already_present_count: true, created_creators_count: true }).extend({
      import_id: z.string(),
      status: z.enum(['queued', 'running', 'done', 'failed', 'cancelled']),
      file_name: z.string(),
      progress: z.int(),
      total: z.int().nullable(),
      error: z.object({ error_code: z.string(), summary: z.string() }).nullable(),
      summary: z.string(),
    }),
  }),
};
