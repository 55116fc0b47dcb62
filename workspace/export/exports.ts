// Export records in the embedded workspace: reading (with the job's progress), waiting with
// progress notifications, downloads into the files root, and the operations.
import { existsSync, statSync } from 'node:fs';
import type { z } from 'zod';
import type { CallInfo } from '../../src/catalog.js';
import type { JobRow } from '../../src/jobs.js';
import { ToolError } from '../../src/errors.js';
import { exports, type downloadInput, type exportRecord, type ExportParams } from '../../tools/export/exports.js';
import { WHERE } from '../../tools/hints.js';
import { implement, type Implemented } from '../implement.js';
import { actingUser, getRow, pageQuery, Where } from '../shared.js';
import type { Workspace } from '../workspace.js';
import { EXPORT_JOB, internalFile, setStatus, type ExportRow } from './files.js';
import { campaignFor, measure, sourceOf } from './sources.js';

const TERMINAL = new Set(['ready', 'failed', 'cancelled']);
type ExportRecord = z.input<typeof exportRecord>;

function jobOf(ws: Workspace, row: ExportRow): JobRow | undefined {
  const jobId = (JSON.parse(row.params_json) as { job_id?: string }).job_id;
  return jobId ? ws.jobs.get(jobId) : undefined;
}

function toExport(ws: Workspace, row: ExportRow): ExportRecord {
  const { job_id: _job, ...source } = JSON.parse(row.params_json) as Record<string, unknown>;
  const job = jobOf(ws, row);
  let status = row.status;
  let error = row.error;
  // A job that ended without updating the export (a crash between the two writes) still shows its outcome.
  if ((status === 'queued' || status === 'running') && (job?.status === 'failed' || job?.status === 'cancelled')) {
    status = job.status;
    error = job.error_json ? String((JSON.parse(job.error_json) as { summary?: string }).summary ?? job.error_json) : error;
  }
  return {
    export_id: row.export_id,
    kind: row.kind,
    format: row.format,
    status,
    reason: row.reason,
    campaign_id: row.campaign_id,
    source,
    row_count: row.row_count,
    progress: { done: status === 'ready' ? (row.row_count ?? 0) : (job?.progress ?? 0), total: status === 'ready' ? row.row_count : (job?.total ?? null) },
    file_name: row.file_name,
    error,
    created_by: row.created_by,
    created_at: row.created_at,
    finished_at: row.finished_at,
  };
}

const loadExport = (ws: Workspace, exportId: string): ExportRow => getRow<ExportRow>(ws, 'exports', 'export_id', exportId, 'export', WHERE.export);

/** Waits for an export's job, forwarding its progress to the caller, until it ends or the time is up. */
async function waitFor(ws: Workspace, id: string, seconds: number, call: CallInfo): Promise<{ waited_ms: number }> {
  const start = Date.now();
  let last = '';
  const report = () => {
    const rec = toExport(ws, loadExport(ws, id));
    const key = `${rec.status}:${rec.progress.done}:${rec.progress.total}`;
    if (key !== last) {
      last = key;
      call.progress?.(rec.progress.done, rec.progress.total ?? undefined, `${rec.status}: ${rec.progress.done}${rec.progress.total !== null ? `/${rec.progress.total}` : ''} rows`);
    }
    return TERMINAL.has(rec.status);
  };
  if (report()) return { waited_ms: 0 };
  await new Promise<void>((resolve) => {
    // finish runs only from callbacks (never before the timer below exists).
    const finish = () => {
      off();
      clearInterval(poll);
      clearTimeout(timer);
      call.signal?.removeEventListener('abort', finish);
      resolve();
    };
    // In-process updates arrive at once; the poll covers a job run by another process on the same data dir.
    const off = ws.jobs.onUpdate(() => {
      if (report()) finish();
    });
    const poll = setInterval(() => {
      if (report()) finish();
    }, 200);
    const timer = setTimeout(finish, seconds * 1000);
    call.signal?.addEventListener('abort', finish);
  });
  report();
  return { waited_ms: Date.now() - start };
}

function planDownload(ws: Workspace, input: z.output<typeof downloadInput>) {
  const row = loadExport(ws, input.export_id);
  const rec = toExport(ws, row);
  if (rec.status === 'queued' || rec.status === 'running') {
    throw new ToolError('ASYNC_NOT_READY', `Export ${row.export_id} is ${rec.status} (${rec.progress.done}${rec.progress.total !== null ? `/${rec.progress.total}` : ''} rows).`, {
      hint: 'Call export_wait (or export_get later) until status is ready, then download.',
      actionType: 'retry_later',
    });
  }
  if (rec.status !== 'ready') throw new ToolError('CONFLICT', `Export ${row.export_id} is ${rec.status}; it has no file.`, { hint: 'Create a new export with export_create_preview.' });
  const file = internalFile(ws, row);
  if (!existsSync(file)) throw new ToolError('NOT_FOUND', `The file of export ${row.export_id} is gone from the server.`, { hint: 'Create the export again with export_create_preview.' });
  const outputPath = input.output_path ?? `exports/${row.file_name}`;
  const out = ws.files.checkOutput(outputPath, input.overwrite);
  return { row, file, outputPath, out, bytes: statSync(file).size };
}

export const exportImplementations = {
  create: implement(exports.create, {
    read: (ws, input) => {
      const src = sourceOf(ws, input);
      return { src, campaignId: campaignFor(ws, input, src), measured: measure(ws, src) };
    },
    state: ({ measured }) => ({ row_count: measured.n, stamp: measured.m }),
    effect: (_ws, input, { src, campaignId, measured }) => ({
      effect: { kind: input.kind, source: src.label, format: input.format, row_count: measured.n, columns: src.columns, reason: input.reason, campaign_id: campaignId },
      summary: `Export ${measured.n} row(s) of ${src.label} as ${input.format.toUpperCase()} (${src.columns.length} columns)${campaignId ? ` for campaign ${campaignId}` : ''}; reason: ${input.reason}`,
    }),
    run: (ws, input, call, _loaded, { src, campaignId }) => {
      const eid = ws.newId('exp');
      const params: ExportParams = { kind: input.kind, collection_id: input.collection_id, platform: input.platform, crm_filter: input.crm_filter, brand_id: input.brand_id };
      const jobId = ws.jobs.enqueue(EXPORT_JOB, { export_id: eid });
      ws.db
        .prepare(`INSERT INTO exports (export_id, kind, params_json, reason, format, status, campaign_id, created_by, created_at) VALUES (?, ?, ?, ?, ?, 'queued', ?, ?, ?)`)
        .run(eid, input.kind, JSON.stringify({ ...params, job_id: jobId }), input.reason, input.format, campaignId, actingUser(ws, call), ws.now().toISOString());
      return { ...toExport(ws, loadExport(ws, eid)), summary: `Export ${eid} of ${src.label} queued; reason: ${input.reason}` };
    },
  }),
  list: implement(exports.list, {
    run: (ws, input) => {
      const w = new Where().maybe(input.campaign_id, 'campaign_id = ?', input.campaign_id).maybe(input.kind, 'kind = ?', input.kind).maybe(input.status, 'status = ?', input.status);
      return pageQuery<ExportRow, ExportRecord>(ws, { select: '*', from: `FROM exports ${w.sql}`, order: 'created_at DESC, export_id', params: w.params }, input, (r) => toExport(ws, r));
    },
  }),
  get: implement(exports.get, {
    run: (ws, input) => toExport(ws, loadExport(ws, input.export_id)),
  }),
  wait: implement(exports.wait, {
    load: (ws, input, call) => {
      loadExport(ws, input.export_id);
      return waitFor(ws, input.export_id, input.timeout_seconds, call);
    },
    run: (ws, input, _call, loaded) => {
      const rec = toExport(ws, loadExport(ws, input.export_id));
      return { ...rec, waited_ms: loaded.waited_ms, timed_out: !TERMINAL.has(rec.status) };
    },
  }),
  cancel: implement(exports.cancel, {
    run: (ws, input) => {
      const row = loadExport(ws, input.export_id);
      const rec = toExport(ws, row);
      if (TERMINAL.has(rec.status)) throw new ToolError('CONFLICT', `Export ${row.export_id} is already ${rec.status}.`, { hint: 'Only queued or running exports can be cancelled.' });
      const job = jobOf(ws, row);
      if (job) ws.jobs.cancel(job.job_id);
      setStatus(ws, row.export_id, 'cancelled', ['queued', 'running'], { finished: true });
      return { ...toExport(ws, loadExport(ws, row.export_id)), summary: `Cancelled export ${row.export_id}.` };
    },
  }),
  download: implement(exports.download, {
    read: (ws, input) => planDownload(ws, input),
    state: (d) => ({ status: d.row.status, file_name: d.row.file_name, bytes: d.bytes, output_exists: d.out.exists }),
    effect: (_ws, _input, d) => ({
      effect: {
        export_id: d.row.export_id,
        file_name: d.row.file_name!,
        format: d.row.format,
        row_count: d.row.row_count ?? 0,
        bytes: d.bytes,
        output_path: d.outputPath,
        will_overwrite: d.out.exists,
        reason: d.row.reason,
      },
      summary: `${d.out.exists ? 'Overwrite' : 'Write'} ${d.outputPath} with export ${d.row.export_id} (${d.row.row_count} rows, ${d.row.format.toUpperCase()}).`,
    }),
    run: (ws, input, _call, _loaded, d) => {
      const out = ws.files.openOutputStream(d.outputPath, input.overwrite);
      let path: string;
      try {
        out.copyFrom(d.file);
        path = out.commit();
      } catch (e) {
        out.abort();
        throw e;
      }
      return {
        export_id: d.row.export_id,
        path,
        bytes: d.bytes,
        row_count: d.row.row_count ?? 0,
        format: d.row.format,
        campaign_id: d.row.campaign_id,
        summary: `Wrote ${path} (${d.row.row_count} rows).`,
      };
    },
  }),
} satisfies Implemented<typeof exports>;
