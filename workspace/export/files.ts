// Export files: streamed row writers (CSV, XLSX), where files wait for download, and the export
// job. The job streams rows in keyset pages into a file in the data dir's internal exports/
// folder (never in a response, never in the files root until downloaded), so memory stays bounded
// whatever the row count. A job interrupted by a shutdown or a crash runs again from the start
// (the file is rewritten from scratch), so the handler is idempotent.
import { createWriteStream, mkdirSync, renameSync, rmSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import type { JobHandler } from '../../src/jobs.js';
import { ToolError } from '../../src/errors.js';
import { csvRow, excel } from '../../src/spreadsheet.js';
import type { ExportParams, FORMATS, KINDS, EXPORT_STATUSES } from '../../tools/export/exports.js';
import { inJson } from '../shared.js';
import type { Workspace } from '../workspace.js';
import { measure, page, sourceOf } from './sources.js';

export const EXPORT_JOB = 'export.build';

type Format = (typeof FORMATS)[number];
export type Status = (typeof EXPORT_STATUSES)[number];

export interface ExportRow {
  export_id: string;
  kind: (typeof KINDS)[number];
  params_json: string;
  reason: string;
  format: Format;
  status: Status;
  row_count: number | null;
  file_name: string | null;
  error: string | null;
  campaign_id: string | null;
  created_by: string;
  created_at: string;
  finished_at: string | null;
}

interface RowWriter {
  row(values: unknown[]): Promise<void>;
  close(): Promise<void>;
}

async function csvWriter(path: string, header: string[]): Promise<RowWriter> {
  const out: WriteStream = createWriteStream(path, { flags: 'w' });
  const write = async (s: string) => {
    if (!out.write(s)) await once(out, 'drain');
  };
  await write('\uFEFF' + csvRow(header)); // the BOM makes spreadsheet programs read UTF-8
  return {
    row: (values) => write(csvRow(values)),
    close: async () => {
      out.end();
      await once(out, 'finish');
    },
  };
}

async function xlsxWriter(path: string, header: string[]): Promise<RowWriter> {
  const wb = new (await excel()).stream.xlsx.WorkbookWriter({ filename: path, useSharedStrings: false, useStyles: false });
  const sheet = wb.addWorksheet('Export');
  sheet.addRow(header).commit();
  return {
    row: async (values) => sheet.addRow(values.map((v) => (typeof v === 'boolean' ? String(v) : (v ?? null)))).commit(),
    close: async () => {
      sheet.commit();
      await wb.commit();
    },
  };
}

/** Where export files wait for download: the data dir's exports folder, outside the files root. */
function exportsDir(ws: Workspace): string {
  const name = ws.db.name;
  return name && name !== ':memory:' ? join(dirname(name), 'exports') : join(ws.files.root, '.nox-exports');
}
export const internalFile = (ws: Workspace, row: Pick<ExportRow, 'export_id' | 'format'>) => join(exportsDir(ws), `${row.export_id}.${row.format}`);

function publicName(row: ExportRow, p: ExportParams): string {
  const what = p.kind === 'collection' ? `${p.collection_id}-${p.platform}` : p.kind === 'crm' ? 'channels' : `${p.brand_id}${p.platform ? `-${p.platform}` : ''}`;
  return `${p.kind.replace('_', '-')}-${what}-${row.created_at.slice(0, 10)}-${row.export_id}.${row.format}`.replace(/[^A-Za-z0-9._-]/g, '_');
}

export const setStatus = (ws: Workspace, exportId: string, status: Status, from: Status[], extra: { error?: string; finished?: boolean } = {}) =>
  ws.db
    .prepare(`UPDATE exports SET status = ?, error = ?, finished_at = ? WHERE export_id = ? AND ${inJson('status')}`)
    .run(status, extra.error ?? null, extra.finished ? ws.now().toISOString() : null, exportId, JSON.stringify(from)).changes === 1;

const yieldToOthers = () => new Promise<void>((r) => setImmediate(r));

/** The export job: rewrites the whole file from scratch each time it runs (a rerun after a restart is safe). */
export const buildExport =
  (ws: Workspace): JobHandler =>
  async (params, ctx) => {
    const exportId = String(params.export_id);
    const row = ws.db.prepare('SELECT * FROM exports WHERE export_id = ?').get(exportId) as ExportRow | undefined;
    if (!row || row.status === 'ready' || row.status === 'cancelled' || row.status === 'failed') return { skipped: true };
    const final = internalFile(ws, row);
    const part = `${final}.part`;
    let writer: RowWriter | undefined;
    try {
      const p = JSON.parse(row.params_json) as ExportParams;
      const src = sourceOf(ws, p);
      setStatus(ws, exportId, 'running', ['queued', 'running']);
      mkdirSync(dirname(final), { recursive: true });
      rmSync(part, { force: true });
      rmSync(final, { force: true });
      const total = measure(ws, src).n;
      ctx.progress(0, total);
      writer = row.format === 'csv' ? await csvWriter(part, src.columns) : await xlsxWriter(part, src.columns);
      let after: string | null = null;
      let done = 0;
      for (;;) {
        if (ctx.signal.aborted) throw new ToolError('CONFLICT', 'The export was interrupted.');
        const rows = page(ws, src, after);
        if (rows.length === 0) break;
        for (const r of rows) await writer.row(src.toRow(r));
        after = String(rows[rows.length - 1]!._k);
        done += rows.length;
        ctx.progress(done, Math.max(total, done));
        await yieldToOthers();
      }
      await writer.close();
      writer = undefined;
      if (ctx.signal.aborted) throw new ToolError('CONFLICT', 'The export was interrupted.');
      renameSync(part, final);
      ws.db
        .prepare(`UPDATE exports SET status = 'ready', row_count = ?, file_name = ?, error = NULL, finished_at = ? WHERE export_id = ? AND status = 'running'`)
        .run(done, publicName(row, p), ws.now().toISOString(), exportId);
      return { row_count: done };
    } catch (err) {
      await writer?.close().catch(() => undefined);
      rmSync(part, { force: true });
      const cancelled = ws.jobs.get(ctx.jobId)?.status === 'cancelled';
      if (cancelled) setStatus(ws, exportId, 'cancelled', ['queued', 'running'], { finished: true });
      // Stopped by a shutdown: back to the queue; the job runs again after the restart.
      else if (ctx.signal.aborted) setStatus(ws, exportId, 'queued', ['running']);
      else setStatus(ws, exportId, 'failed', ['queued', 'running'], { error: err instanceof Error ? err.message : String(err), finished: true });
      throw err;
    }
  };
