// CRM imports in the embedded workspace: the template, and a spreadsheet parsed once (load), planned
// once per stage (read) and written set-based from the apply's own plan.
import type { z } from 'zod';
import { EXCEL_IMPORT_EXTENSIONS } from '../../tools/shared.js';
import { CRM_IMPORT_LIMITS, crmImports, type repeatedItem } from '../../tools/crm/imports.js';
import type { FailedItem } from '../../tools/imports.js';
import { coopStatuses, coopStatusFromCell, DEFAULT_COOP_STATUS } from '../coop-statuses.js';
import { invalid, ToolError } from '../../src/errors.js';
import { buildXlsx } from '../../src/spreadsheet.js';
import { creatorResolver, EMAIL_RE, matchCreators, readSheet, urlCell, writeTemplate, type ParsedCreatorUrl } from '../creator-import.js';
import { implement, type Implemented } from '../implement.js';
import { actingUser, inJson, sample } from '../shared.js';
import type { Workspace } from '../workspace.js';

const CRM_TEMPLATE_HEADER = ['Creator URL (YouTube, TikTok or Instagram)', 'Email', 'Coop status (id or name from message_coop_statuses)', 'Labels (names, comma-separated)', 'Remark'];
const CRM_TEMPLATE_ROWS = [
  ['https://www.youtube.com/@examplechannel', 'hello@example.com', 'contacted', 'VIP, Needs brief', 'Met at the spring launch event.'],
  ['https://www.instagram.com/examplecreator/', '', 'pending', '', ''],
];

const REPORT_HEADER = ['Row', 'Outcome', 'Column', 'Value', 'Creator id', 'Reason'];

type ImportInput = z.output<typeof crmImports.file.input>;

interface CrmImportRow {
  row: number;
  parsed: ParsedCreatorUrl;
  email: string | null;
  coop_status: string | null;
  label_names: string[];
  remark: string | null;
}

interface ParsedCrmImport {
  file_name: string;
  sha256: string;
  row_count: number;
  rows: CrmImportRow[];
  failed: FailedItem[];
  duplicates: { row: number; duplicate_of_row: number }[];
}

async function loadCrmImport(ws: Workspace, input: ImportInput): Promise<ParsedCrmImport> {
  const sheet = await readSheet(ws, input, { ...CRM_IMPORT_LIMITS, extensions: EXCEL_IMPORT_EXTENSIONS });
  const out: ParsedCrmImport = { file_name: sheet.name, sha256: sheet.sha256, row_count: sheet.rows.length, rows: [], failed: [], duplicates: [] };
  const seen = new Map<string, number>();
  for (const r of sheet.rows) {
    const u = urlCell(r);
    if ('failed' in u) {
      out.failed.push(u.failed);
      continue;
    }
    const [, email = '', status = '', labels = '', remark = ''] = r.cells;
    const bad = (column: string, value: string, reason: string) => out.failed.push({ row: r.row, column, value, reason });
    if (email && !EMAIL_RE.test(email)) {
      bad('B', email, 'Not an email address.');
      continue;
    }
    // The sheet may name a status by its id or its name; it is stored as the id.
    const coop = status ? coopStatusFromCell(ws, status) : null;
    if (status && !coop) {
      bad(
        'C',
        status,
        `Unknown coop status; use an id or name from message_coop_statuses (${coopStatuses(ws)
          .map((c) => `${c.coop_status} ${c.name}`)
          .join(', ')}).`,
      );
      continue;
    }
    if (remark.length > 2000) {
      bad('E', remark.slice(0, 40), 'Remark longer than 2000 characters.');
      continue;
    }
    const key = `${u.parsed.platform}:${u.parsed.channel_id}`;
    const first = seen.get(key);
    if (first !== undefined) {
      out.duplicates.push({ row: r.row, duplicate_of_row: first });
      continue;
    }
    seen.set(key, r.row);
    out.rows.push({
      row: r.row,
      parsed: u.parsed,
      email: email ? email.toLowerCase() : null,
      coop_status: coop,
      label_names: labels
        .split(/[,;]/)
        .map((l) => l.trim())
        .filter(Boolean),
      remark: remark || null,
    });
  }
  return out;
}

interface CrmImportPlan {
  create: CrmImportRow[];
  overwrite: CrmImportRow[];
  failed: FailedItem[];
  repeated: z.input<typeof repeatedItem>[];
  /** Existing creators by `platform:channel_id`. */
  matched: Map<string, string>;
  /** CRM channels of matched creators: creator_id → updated_at. */
  channels: Map<string, string>;
  /** Label ids by lower-cased name. */
  labelIds: Map<string, string>;
}

const channelKey = (r: CrmImportRow) => `${r.parsed.platform}:${r.parsed.channel_id}`;

function planCrmImport(ws: Workspace, input: ImportInput, parsed: ParsedCrmImport): CrmImportPlan {
  const labelIds = new Map((ws.db.prepare('SELECT label_id, name FROM crm_labels').all() as { label_id: string; name: string }[]).map((l) => [l.name.toLowerCase(), l.label_id]));
  const matched = matchCreators(
    ws,
    parsed.rows.map((r) => r.parsed),
  );
  const channels = new Map(
    (ws.db.prepare(`SELECT creator_id, updated_at FROM crm_channels WHERE ${inJson('creator_id')}`).all(JSON.stringify([...matched.values()])) as { creator_id: string; updated_at: string }[]).map(
      (r) => [r.creator_id, r.updated_at],
    ),
  );
  const plan: CrmImportPlan = { create: [], overwrite: [], failed: [...parsed.failed], repeated: [], matched, channels, labelIds };
  for (const r of parsed.rows) {
    const unknown = r.label_names.filter((n) => !labelIds.has(n.toLowerCase()));
    if (unknown.length) {
      plan.failed.push({ row: r.row, column: 'D', value: unknown.join(', '), reason: 'Unknown label name(s); create them with crm_labels_create first.' });
      continue;
    }
    const cid = matched.get(channelKey(r)) ?? null;
    if (cid && channels.has(cid)) {
      plan.repeated.push({ row: r.row, creator_id: cid, reason: 'already_in_crm' });
      if (input.overwrite_existing) plan.overwrite.push(r);
    } else plan.create.push(r);
  }
  for (const d of parsed.duplicates) plan.repeated.push({ row: d.row, creator_id: null, reason: `duplicate_of_row_${d.duplicate_of_row}` });
  plan.failed.sort((a, b) => a.row - b.row);
  plan.repeated.sort((a, b) => a.row - b.row);
  if (plan.create.length + plan.overwrite.length === 0 && plan.repeated.length === 0) {
    const first = plan.failed
      .slice(0, 3)
      .map((f) => `row ${f.row}, column ${f.column}: ${f.reason}`)
      .join('; ');
    throw new ToolError('INVALID_REQUEST', `${parsed.file_name}: none of its ${parsed.row_count} row(s) can be imported (${first}).`, {
      hint: 'Fix the rows named in details.failed_items (crm_import_template shows the columns), then preview again.',
      details: { failed_items: plan.failed.slice(0, 50) },
    });
  }
  return plan;
}

/** Writes the plan set-based: one INSERT for new channels, one UPDATE for overwritten ones, then their labels. */
function writeCrmImport(ws: Workspace, plan: CrmImportPlan, ownerUid: string): { createdCreators: number } {
  const resolve = creatorResolver(ws);
  const at = ws.now().toISOString();
  const labelsOf = (r: CrmImportRow) => r.label_names.map((n) => plan.labelIds.get(n.toLowerCase())!);
  let createdCreators = 0;
  const fresh = plan.create.map((r) => {
    const c = resolve(r.parsed, r.email);
    if (c.created) createdCreators++;
    return { cid: c.creator_id, coop: r.coop_status ?? DEFAULT_COOP_STATUS, email: r.email, remark: r.remark ?? '', labels: labelsOf(r) };
  });
  ws.db
    .prepare(
      `INSERT INTO crm_channels (creator_id, platform, coop_status, owner_uid, email, url, remark, archived, created_at, updated_at)
       SELECT c.creator_id, c.platform, json_extract(j.value, '$.coop'), ?, json_extract(j.value, '$.email'), c.channel_url, json_extract(j.value, '$.remark'), 0, ?, ?
       FROM json_each(?) j JOIN creators c ON c.creator_id = json_extract(j.value, '$.cid')`,
    )
    .run(ownerUid, at, at, JSON.stringify(fresh));
  const olds = plan.overwrite.map((r) => ({ cid: plan.matched.get(channelKey(r))!, coop: r.coop_status, email: r.email, remark: r.remark, labels: labelsOf(r) }));
  ws.db
    .prepare(
      `UPDATE crm_channels SET
         email = COALESCE((SELECT json_extract(j.value, '$.email') FROM json_each(@rows) j WHERE json_extract(j.value, '$.cid') = crm_channels.creator_id), email),
         coop_status = COALESCE((SELECT json_extract(j.value, '$.coop') FROM json_each(@rows) j WHERE json_extract(j.value, '$.cid') = crm_channels.creator_id), coop_status),
         remark = COALESCE((SELECT json_extract(j.value, '$.remark') FROM json_each(@rows) j WHERE json_extract(j.value, '$.cid') = crm_channels.creator_id), remark),
         updated_at = @at
       WHERE creator_id IN (SELECT json_extract(value, '$.cid') FROM json_each(@rows))`,
    )
    .run({ rows: JSON.stringify(olds), at });
  // Overwritten rows that name labels replace the channel's label set.
  const relabel = olds.filter((o) => o.labels.length).map((o) => o.cid);
  ws.db.prepare(`DELETE FROM crm_channel_labels WHERE ${inJson('creator_id')}`).run(JSON.stringify(relabel));
  const pairs = [...fresh, ...olds].flatMap((r) => r.labels.map((l) => [r.cid, l]));
  ws.db.prepare(`INSERT OR IGNORE INTO crm_channel_labels (creator_id, label_id) SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?)`).run(JSON.stringify(pairs));
  return { createdCreators };
}

export const importImplementations = {
  template: writeTemplate(crmImports.template, { sheet: 'CRM', header: CRM_TEMPLATE_HEADER, rows: CRM_TEMPLATE_ROWS, what: 'CRM' }),
  report: implement(crmImports.report, {
    // One sheet, in row order, so the person fixes the spreadsheet top to bottom.
    load: (_ws, input) => {
      if (!input.failed_items.length && !input.repeated_items.length) {
        throw invalid('Nothing to report: failed_items and repeated_items are both empty.', 'Pass the failed_items and repeated_items crm_import_file_apply (or its preview) returned.');
      }
      const rows = [
        ...input.failed_items.map((f) => ({ row: f.row, cells: [f.row, 'failed', f.column, f.value, '', f.reason] })),
        ...input.repeated_items.map((r) => ({ row: r.row, cells: [r.row, 'repeated', '', '', r.creator_id ?? '', r.reason] })),
      ].sort((a, b) => a.row - b.row);
      return buildXlsx(
        'Import report',
        REPORT_HEADER,
        rows.map((r) => r.cells),
      );
    },
    run: (ws, input, _call, xlsx) => {
      const written = ws.files.writeOutput(input.output_path, xlsx, false);
      const failed = input.failed_items.length;
      const repeated = input.repeated_items.length;
      return { ...written, failed_count: failed, repeated_count: repeated, summary: `Wrote ${failed} failed and ${repeated} repeated row(s) to ${written.path}.` };
    },
  }),
  file: implement(crmImports.file, {
    load: (ws, input) => loadCrmImport(ws, input),
    read: (ws, input, _call, parsed) => ({ parsed, plan: planCrmImport(ws, input, parsed) }),
    state: ({ parsed, plan }) => ({
      file: parsed.sha256,
      matched: Object.fromEntries([...plan.matched].sort()),
      channels: Object.fromEntries([...plan.channels].sort()),
      labels: Object.fromEntries([...plan.labelIds].sort()),
    }),
    effect: (_ws, _input, { parsed, plan }) => {
      const outcome = (r: CrmImportRow) => (plan.overwrite.includes(r) ? 'will_overwrite' : plan.matched.has(channelKey(r)) ? 'will_create' : 'will_create_with_new_creator');
      return {
        effect: {
          file_name: parsed.file_name,
          row_count: parsed.row_count,
          will_create_count: plan.create.length,
          new_creator_count: plan.create.filter((r) => !plan.matched.has(channelKey(r))).length,
          will_overwrite_count: plan.overwrite.length,
          repeated_count: plan.repeated.length,
          repeated_items: plan.repeated.slice(0, 50),
          failed_count: plan.failed.length,
          failed_items: plan.failed.slice(0, 50),
          sample: sample([...plan.create, ...plan.overwrite]).map((r) => ({ row: r.row, platform: r.parsed.platform, channel_id: r.parsed.channel_id, outcome: outcome(r) })),
        },
        summary: `Import ${parsed.file_name}: create ${plan.create.length} CRM channel(s), overwrite ${plan.overwrite.length}; ${plan.repeated.length} repeated, ${plan.failed.length} failed row(s).`,
      };
    },
    run: (ws, _input, call, _parsed, { plan }) => {
      const { createdCreators } = writeCrmImport(ws, plan, actingUser(ws, call));
      return {
        created_count: plan.create.length,
        created_creators_count: createdCreators,
        overwritten_count: plan.overwrite.length,
        failed_items: plan.failed,
        repeated_items: plan.repeated,
        summary: `Imported ${plan.create.length} new CRM channel(s)${plan.overwrite.length ? `, overwrote ${plan.overwrite.length}` : ''}; ${plan.repeated.length} repeated, ${plan.failed.length} failed row(s).`,
      };
    },
  }),
} satisfies Implemented<typeof crmImports>;
