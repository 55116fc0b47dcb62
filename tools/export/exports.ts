// Exports: collection, CRM and brand-monitor files, produced by jobs. export_create (preview/apply)
// records an export and queues its job; export_wait relays progress; export_download writes the
// finished file into the files root (never into a response); the engine adds its resource_link.
import { z } from 'zod';
import { defineContract } from '../../src/catalog.js';
import { coopStatusValue, id, pageInput, paged, platform, searchText, idString } from '../shared.js';

export const FORMATS = ['csv', 'xlsx'] as const;
export const KINDS = ['collection', 'crm', 'brand_monitor'] as const;
export const EXPORT_STATUSES = ['queued', 'running', 'ready', 'failed', 'cancelled'] as const;

export const crmFilter = z.strictObject({
  label_ids: z.array(idString()).max(50).optional().describe('Any of these labels (crm_labels_list).'),
  coop_status: z.array(coopStatusValue).min(1).max(50).optional().describe('Any of these statuses.'),
  owner_uid: id('Owner team member user_uid.').optional(),
  archived: z.boolean().default(false).describe('true: archived channels instead.'),
  keyword: searchText(200).optional().describe('Matches nickname, channel id, email or remark.'),
});

export const createInput = z.strictObject({
  kind: z.enum(KINDS).describe('collection (collection_id + platform), crm (crm_filter) or brand_monitor (brand_id).'),
  collection_id: id('kind collection.').optional(),
  platform: platform.optional(),
  crm_filter: crmFilter.optional().describe('kind crm; {}: every active channel.'),
  brand_id: id('kind brand_monitor.').optional(),
  format: z.enum(FORMATS).default('csv').describe('File format.'),
  reason: z.string().trim().min(3).max(500).describe('Why the file is needed (kept with it and in the campaign context).'),
  campaign_id: id("Campaign the export is for (defaults to the collection's campaign).").optional(),
});
export type CreateInput = z.output<typeof createInput>;
export type ExportParams = Pick<CreateInput, 'kind' | 'collection_id' | 'platform' | 'crm_filter' | 'brand_id'>;

export const exportRecord = z.object({
  export_id: z.string(),
  kind: z.enum(KINDS),
  format: z.enum(FORMATS),
  status: z.enum(EXPORT_STATUSES),
  reason: z.string(),
  campaign_id: z.string().nullable(),
  source: z.record(z.string(), z.unknown()).describe('What is exported: the request fields.'),
  row_count: z.int().nullable().describe('Rows in the file once ready.'),
  progress: z.object({ done: z.int(), total: z.int().nullable() }),
  file_name: z.string().nullable().describe('File name once ready; export_download writes it.'),
  error: z.string().nullable(),
  created_by: z.string(),
  created_at: z.string(),
  finished_at: z.string().nullable(),
});
// Described once, in the instructions (SHARED_FIELDS).
const exportId = idString();

export const downloadInput = z.strictObject({
  export_id: exportId,
  output_path: z.string().min(1).max(1024).optional().describe('Path in the files root; default exports/<file_name>.'),
  overwrite: z.boolean().default(false).describe('Replace an existing file at output_path.'),
});

export const exports = {
  create: defineContract({
    name: 'export.create',
    title: 'Create an export',
    description: "Starts an export of a collection + platform, CRM channels or a brand's monitored posts; apply returns export_id for export_wait and export_download.",
    kind: 'job',
    risk: 'high',
    riskReason: 'Bulk export of workspace data (and spends quota).',
    hints: { destructive: false },
    route: { method: 'POST', path: '/exports' },
    input: createInput,
    output: exportRecord.extend({ summary: z.string() }),
    idsOf: (i, o) => [o.export_id, ...[i.collection_id, i.brand_id].filter((x): x is string => !!x)],
    effect: z.object({
      kind: z.enum(KINDS),
      source: z.string(),
      format: z.enum(FORMATS),
      row_count: z.int().describe('Rows the file will hold (as of now).'),
      columns: z.array(z.string()),
      reason: z.string(),
      campaign_id: z.string().nullable(),
    }),
  }),
  list: defineContract({
    name: 'export.list',
    title: 'List exports',
    description: 'Exports, newest first, with status, row count, reason and file name.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/exports' },
    input: z.strictObject({
      campaign_id: id('Only exports made for this campaign.').optional(),
      kind: z.enum(KINDS).optional().describe('Only this kind.'),
      status: z.enum(EXPORT_STATUSES).optional().describe('Only this status.'),
      ...pageInput,
    }),
    output: paged(exportRecord),
  }),
  get: defineContract({
    name: 'export.get',
    title: 'Get an export',
    description: 'One export: status (queued, running, ready, failed, cancelled), progress, row count, reason, file name.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/exports/:export_id' },
    input: z.strictObject({ export_id: exportId }),
    output: exportRecord,
  }),
  wait: defineContract({
    name: 'export.wait',
    title: 'Wait for an export',
    description: 'Waits up to timeout_seconds for an export to finish (progress notifications with a progressToken); returns it.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/exports/:export_id/wait' },
    input: z.strictObject({ export_id: exportId, timeout_seconds: z.int().min(1).max(50).default(20).describe('Longest wait in seconds.') }),
    output: exportRecord.extend({ waited_ms: z.int(), timed_out: z.boolean().describe('True when it is still running; wait again.') }),
  }),
  cancel: defineContract({
    name: 'export.cancel',
    title: 'Cancel an export',
    description: 'Stops a queued or running export; its partial file is discarded. A finished export cannot be cancelled.',
    kind: 'write',
    risk: 'low',
    riskReason: 'Stops a running export; nothing else changes.',
    route: { method: 'POST', path: '/exports/:export_id/cancel' },
    input: z.strictObject({ export_id: exportId }),
    output: exportRecord.extend({ summary: z.string() }),
    idsOf: (i) => [i.export_id],
  }),
  download: defineContract({
    name: 'export.download',
    title: 'Download an export',
    description: 'Writes a ready export file into the files root and returns its path and a resource_link; ASYNC_NOT_READY until ready.',
    kind: 'write',
    risk: 'high',
    riskReason: 'Writes an export file, possibly over an existing one.',
    hints: { destructive: true },
    route: { method: 'POST', path: '/exports/:export_id/download' },
    input: downloadInput,
    output: z.object({
      export_id: z.string(),
      path: z.string().describe('Written file, relative to the files root.'),
      bytes: z.int(),
      row_count: z.int(),
      format: z.enum(FORMATS),
      campaign_id: z.string().nullable(),
      summary: z.string(),
    }),
    idsOf: (i) => [i.export_id],
    effect: z.object({
      export_id: z.string(),
      file_name: z.string(),
      format: z.enum(FORMATS),
      row_count: z.int(),
      bytes: z.int(),
      output_path: z.string(),
      will_overwrite: z.boolean(),
      reason: z.string(),
    }),
  }),
};
