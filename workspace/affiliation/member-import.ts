// Importing affiliate members from a spreadsheet in the embedded workspace.
import { invalid } from '../../src/errors.js';
import type { LoadedFile } from '../../src/files.js';
import { buildXlsx, readTable, type Table } from '../../src/spreadsheet.js';
import { EXCEL_IMPORT_EXTENSIONS } from '../../tools/shared.js';
import { IMPORT_MAX_BYTES, memberImport } from '../../tools/affiliation/member-import.js';
import { implement, type Implemented } from '../implement.js';
import { sample } from '../shared.js';
import { loadCampaign } from './campaigns.js';
import { insertMembers, pendingCount, readAddition, refFrom, type MemberRef, type UnusableRef } from './member-additions.js';

const IMPORT_COLUMNS = ['creator_id', 'platform', 'channel_id', 'custom_id'];

interface ImportLoad {
  file: LoadedFile;
  table: Table;
}

/** One identity per data row, named by its spreadsheet row (the header is row 1). */
function refsFromTable(table: Table): (MemberRef | UnusableRef)[] {
  const header = table.header.map((h) => h.trim().toLowerCase());
  const col = (name: string) => header.indexOf(name);
  if (!IMPORT_COLUMNS.some((c) => col(c) >= 0)) {
    throw invalid(`The sheet has none of the columns ${IMPORT_COLUMNS.join(', ')}.`, 'Start from affiliation_members_import_template; the first row is the header.');
  }
  return table.rows.map((row, i) => {
    const cell = (name: string) => (col(name) >= 0 ? (row[col(name)] ?? '').trim() : '') || null;
    return refFrom({ creator_id: cell('creator_id'), platform: cell('platform'), channel_id: cell('channel_id'), custom_id: cell('custom_id') }, `row ${i + 2}`);
  });
}

export const memberImportImplementations = {
  template: implement(memberImport.template, {
    load: async () => {
      const rows = [
        ['cr_0001', '', '', ''],
        ['', 'instagram', 'example.handle', ''],
        ['', '', '', 'your-own-id-001'],
      ];
      return buildXlsx('members', IMPORT_COLUMNS, rows);
    },
    run: (ws, input, _call, bytes) => ({ ...ws.files.writeOutput(input.output_path, bytes, false), columns: IMPORT_COLUMNS }),
  }),
  file: implement(memberImport.file, {
    load: async (ws, input): Promise<ImportLoad> => {
      const file = ws.files.load(input, { maxBytes: IMPORT_MAX_BYTES, extensions: EXCEL_IMPORT_EXTENSIONS });
      return { file, table: await readTable(file, { maxRows: 5000 }) };
    },
    // One reading: the campaign's members and the plan of the file's rows against them.
    read: (ws, input, _call, loaded) => {
      loadCampaign(ws, input.campaign_id);
      return { fileName: loaded.file.name, rowCount: loaded.table.rows.length, ...readAddition(ws, input.campaign_id, refsFromTable(loaded.table)) };
    },
    state: ({ members }) => ({ members }),
    effect: (_ws, input, { fileName, rowCount, plan }) => ({
      effect: {
        file_name: fileName,
        row_count: rowCount,
        will_add_count: plan.toAdd.length,
        already_present_count: plan.present.length,
        problems: plan.problems.slice(0, 50),
        sample: sample(plan.toAdd.map((r) => r.label)),
      },
      summary: `Import ${plan.toAdd.length} pending member(s) from ${fileName} into ${input.campaign_id}; ${plan.present.length} already present, ${plan.problems.length} row(s) with problems.`,
    }),
    run: (ws, input, _call, _loaded, { plan }) => {
      const added = insertMembers(ws, input.campaign_id, plan.toAdd);
      const pending = pendingCount(ws, input.campaign_id);
      return {
        added_count: added.length,
        already_present_count: plan.present.length,
        problems: plan.problems.slice(0, 50),
        pending_count: pending,
        summary: `Imported ${added.length} member(s); ${pending} pending activation.`,
      };
    },
  }),
} satisfies Implemented<typeof memberImport>;
