// Valid arguments for the high-risk tools of the collection (staged families, import) and CRM
// domains, built from the seeded workspace.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildXlsx } from '../../../src/spreadsheet.js';
import type { PreviewExamples } from './types.js';
import type { TestServer } from '../server.js';

/** The first seeded collection with youtube items, and those items' ids. */
async function youtubeSlice(s: TestServer): Promise<{ collection_id: string; creator_ids: string[] }> {
  const cols = (await s.ok('collection_list', { page_size: 100 })).items.filter((c: any) => c.item_counts.youtube > 0);
  const collection_id = cols[0].collection_id;
  const items = await s.ok('collection_items', { collection_id, platform: 'youtube', page_size: 5 });
  return { collection_id, creator_ids: items.items.map((i: any) => i.creator_id) };
}

const crmIds = async (s: TestServer, n: number) => (await s.ok('crm_list', { page_size: n })).items.map((c: any) => c.creator_id) as string[];

/** The CRM import takes Excel workbooks only (its documented formats). */
async function writeXlsx(s: TestServer, name: string, header: string[], rows: string[][]): Promise<string> {
  const dir = join(s.app.files.root, 'examples');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, name), await buildXlsx('Sheet1', header, rows));
  return `examples/${name}`;
}

/** Writes a small spreadsheet of creator URLs into the files root; returns its relative path. */
function writeCsv(s: TestServer, name: string, lines: string[]): string {
  mkdirSync(join(s.app.files.root, 'examples'), { recursive: true });
  writeFileSync(join(s.app.files.root, 'examples', name), lines.join('\n') + '\n');
  return `examples/${name}`;
}

export const previewExamples: PreviewExamples = {
  collection_refresh: async (s) => {
    const { collection_id } = await youtubeSlice(s);
    return { collection_id, platform: 'youtube', what: 'email' };
  },
  collection_batch: async (s) => {
    const { collection_id, creator_ids } = await youtubeSlice(s);
    return { collection_id, platform: 'youtube', action: 'label', label_ids: ['lbl_001'], creator_ids };
  },
  collection_add_to_crm: async (s) => ({ collection_id: (await youtubeSlice(s)).collection_id, platform: 'youtube' }),
  collection_import_file: async (s) => ({
    collection_id: (await youtubeSlice(s)).collection_id,
    path: writeCsv(s, 'collection-import.csv', ['Creator URL,Email', 'https://www.tiktok.com/@example.preview.creator,hi@example.com', 'https://www.instagram.com/example.preview/,']),
  }),
  crm_batch_update: async (s) => ({ selector: { creator_ids: [...(await crmIds(s, 3)), 'cr_0300'] }, coop_status: '2', labels: { operation: 'add', label_ids: ['lbl_002'] } }),
  crm_archive: async (s) => ({ creator_ids: await crmIds(s, 2) }),
  crm_update: async (s) => ({ creator_id: (await crmIds(s, 1))[0], coop_status: '2', remark: 'From the preview example' }),
  crm_restore: async (s) => ({ creator_id: (await s.ok('crm_list', { archived: true, page_size: 1 })).items[0].creator_id }),
  crm_groups_create: async () => ({ name: 'Preview example group', description: 'Never created.' }),
  crm_groups_update: async (s) => ({ group_id: (await s.ok('crm_groups_list', {})).items[0].group_id, name: 'Preview example rename' }),
  crm_add_to_email: async (s) => ({ task_id: 'task_1822', selector: { creator_ids: await crmIds(s, 3) } }),
  crm_labels_delete: async (s) => ({ label_id: (await s.ok('crm_labels_list', {})).items[0].label_id }),
  crm_groups_delete: async (s) => ({ group_id: (await s.ok('crm_groups_list', {})).items[0].group_id }),
  crm_import_file: async (s) => ({
    path: await writeXlsx(
      s,
      'crm-import.xlsx',
      ['Creator URL', 'Email', 'Coop status', 'Labels', 'Remark'],
      [['https://www.youtube.com/@example.preview.channel', 'yt@example.com', 'contacted', 'VIP', 'From the preview example']],
    ),
  }),
};
