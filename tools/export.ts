// Exports: collection, CRM and brand-monitor files, produced by jobs, plus the minimal brand-monitor reads.
//
// An export is created by export_create (preview/apply): apply records the export and enqueues a
// job. The job streams the rows in keyset pages into a file kept in the data dir's internal
// `exports/` folder (never in a response, never in the files root until downloaded), so memory
// stays bounded whatever the row count. A job interrupted by a shutdown or a crash runs again
// from the start (the file is rewritten from scratch), so the handler is idempotent.
// Progress reaches the client through export_wait, the one call that is in flight while a job runs.
// export_download copies the finished file into the files root and returns a resource_link whose
// uri is the file:// URL of the written file (plus its path relative to the files root).
import { copyFileSync, createWriteStream, existsSync, mkdirSync, renameSync, rmSync, statSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import type { CallInfo, Catalog } from '../src/catalog.js';
import { defineOperation } from '../workspace/legacy.js';
import type { Workspace, WorkspaceJobs } from '../workspace/workspace.js';
import type { JobHandler, JobRow } from '../src/jobs.js';
import { invalid, notFound, ToolError } from '../src/errors.js';
import { csvRow, excel } from '../src/spreadsheet.js';
import { COOP_STATUSES } from './vocabulary.js';
import { actingUser, escapeLike, getRow, id, inJson, pageInput, pageQuery, paged, platform, Where, searchText } from './shared.js';

const HINT_ID = 'Export ids come from export_create_apply or export_list.';
const BRAND_HINT = 'Brand ids come from brand_monitor_list.';
export const EXPORT_JOB = 'export.build';
const CHUNK = 500;
const FORMATS = ['csv', 'xlsx'] as const;
const KINDS = ['collection', 'crm', 'brand_monitor'] as const;
const MIME = { csv: 'text/csv', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' } as const;

type Format = (typeof FORMATS)[number];
type Status = 'queued' | 'running' | 'ready' | 'failed' | 'cancelled';

interface ExportRow {
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

// ---------------------------------------------------------------------------------------------
// Sources: what each kind exports, as one keyset-paged query

const crmFilter = z.strictObject({
  label_ids: z.array(z.string().min(1).max(128)).max(50).optional().describe('Channels carrying any of these labels (crm label ids).'),
  coop_status: z.array(z.enum(COOP_STATUSES)).max(6).optional().describe('Any of these cooperation statuses.'),
  owner_uid: id('Owner team member user_uid.').optional(),
  archived: z.boolean().default(false).describe('true exports archived channels instead of active ones.'),
  keyword: searchText(200).optional().describe('Matches nickname, channel id, email or remark.'),
});

const createInput = z.strictObject({
  kind: z.enum(KINDS).describe('collection (needs collection_id + platform), crm (crm_filter) or brand_monitor (brand_id).'),
  collection_id: id('Collection to export (from collection_list); kind collection.').optional(),
  platform: platform.optional(),
  crm_filter: crmFilter.optional().describe('Which CRM channels; kind crm. {} exports every active channel.'),
  brand_id: id(`Brand whose assets to export; kind brand_monitor. ${BRAND_HINT}`).optional(),
  format: z.enum(FORMATS).default('csv').describe('csv or xlsx.'),
  reason: z.string().trim().min(3).max(500).describe('Why this file is needed; kept with the export and in the campaign context.'),
  campaign_id: id('Campaign the export is for (defaults to the collection\'s campaign).').optional(),
});
type CreateInput = z.output<typeof createInput>;
type ExportParams = Pick<CreateInput, 'kind' | 'collection_id' | 'platform' | 'crm_filter' | 'brand_id'>;

interface Source {
  label: string;
  columns: string[];
  select: string;
  /** FROM ... WHERE ... (always with a WHERE, so the keyset condition is appended with AND). */
  from: string;
  params: unknown[];
  /** Unique key column for keyset paging. */
  key: string;
  /** A column whose MAX changes when the exported rows change (binds the preview). */
  stamp: string;
  toRow: (r: Record<string, unknown>) => unknown[];
  campaignId: string | null;
}

const list = (v: unknown): string => (typeof v === 'string' ? (JSON.parse(v) as string[]).join(';') : '');

function sourceOf(ws: Workspace, p: ExportParams): Source {
  const only = (field: keyof ExportParams, kinds: string) => {
    if (p[field] !== undefined) throw invalid(`${field} belongs to kind ${kinds}, not ${p.kind}.`, `Remove ${field}, or set kind to ${kinds}.`);
  };
  if (p.kind === 'collection') {
    only('crm_filter', 'crm');
    only('brand_id', 'brand_monitor');
    if (!p.collection_id || !p.platform) throw invalid('A collection export needs collection_id and platform.', 'Collection ids come from collection_list; exports are per platform.');
    const col = getRow<{ name: string; campaign_id: string | null }>(ws, 'collections', 'collection_id', p.collection_id, 'collection', 'Collection ids come from collection_list.');
    return {
      label: `collection "${col.name}" (${p.platform})`,
      columns: ['creator_id', 'platform', 'channel_id', 'channel_url', 'nickname', 'followers', 'country', 'language', 'email', 'email_refreshed_at', 'label_ids', 'added_at', 'source'],
      select: `i.creator_id, i.platform, c.channel_id, c.channel_url, c.nickname, c.followers, c.country, c.language, i.email, i.email_refreshed_at, i.label_ids_json, i.added_at, i.source`,
      from: 'FROM collection_items i JOIN creators c ON c.creator_id = i.creator_id WHERE i.collection_id = ? AND i.platform = ?',
      params: [p.collection_id, p.platform],
      key: 'i.creator_id',
      stamp: `i.added_at || coalesce(i.email_refreshed_at, '') || i.label_ids_json`,
      toRow: (r) => [r.creator_id, r.platform, r.channel_id, r.channel_url, r.nickname, r.followers, r.country, r.language, r.email, r.email_refreshed_at, list(r.label_ids_json), r.added_at, r.source],
      campaignId: col.campaign_id,
    };
  }
  if (p.kind === 'crm') {
    only('collection_id', 'collection');
    only('brand_id', 'brand_monitor');
    const f = p.crm_filter ?? crmFilter.parse({});
    for (const l of f.label_ids ?? []) if (!ws.db.prepare('SELECT 1 FROM crm_labels WHERE label_id = ?').get(l)) throw notFound('CRM label', l, 'Label ids come from crm_labels_list.');
    if (f.owner_uid && !ws.db.prepare('SELECT 1 FROM team_members WHERE user_uid = ?').get(f.owner_uid)) throw notFound('team member', f.owner_uid, 'user_uid values come from email_collaborators_list (no task).');
    const like = `%${escapeLike(f.keyword ?? '')}%`;
    const w = new Where()
      .add('ch.archived = ?', f.archived ? 1 : 0)
      .maybe(f.coop_status, inJson('ch.coop_status'), JSON.stringify(f.coop_status))
      .maybe(f.owner_uid, 'ch.owner_uid = ?', f.owner_uid)
      .maybe(p.platform, 'ch.platform = ?', p.platform)
      .maybe(f.label_ids, `EXISTS (SELECT 1 FROM crm_channel_labels l WHERE l.creator_id = ch.creator_id AND ${inJson('l.label_id')})`, JSON.stringify(f.label_ids))
      .maybe(f.keyword, `(c.nickname LIKE ? ESCAPE '\\' OR c.channel_id LIKE ? ESCAPE '\\' OR coalesce(ch.email,'') LIKE ? ESCAPE '\\' OR ch.remark LIKE ? ESCAPE '\\')`, like, like, like, like);
    return {
      label: 'CRM channels',
      columns: ['creator_id', 'platform', 'nickname', 'channel_url', 'coop_status', 'label_ids', 'owner_uid', 'email', 'url', 'remark', 'archived', 'created_at', 'updated_at'],
      select: `ch.creator_id, ch.platform, c.nickname, c.channel_url, ch.coop_status,
               (SELECT json_group_array(label_id) FROM (SELECT label_id FROM crm_channel_labels WHERE creator_id = ch.creator_id ORDER BY label_id)) AS label_ids_json,
               ch.owner_uid, ch.email, ch.url, ch.remark, ch.archived, ch.created_at, ch.updated_at`,
      from: `FROM crm_channels ch JOIN creators c ON c.creator_id = ch.creator_id ${w.sql}`,
      params: w.params,
      key: 'ch.creator_id',
      stamp: 'ch.updated_at',
      toRow: (r) => [r.creator_id, r.platform, r.nickname, r.channel_url, r.coop_status, list(r.label_ids_json), r.owner_uid, r.email, r.url, r.remark, r.archived === 1, r.created_at, r.updated_at],
      campaignId: null,
    };
  }
  only('collection_id', 'collection');
  only('crm_filter', 'crm');
  if (!p.brand_id) throw invalid('A brand_monitor export needs brand_id.', BRAND_HINT);
  const brand = getRow<{ name: string }>(ws, 'brands', 'brand_id', p.brand_id, 'brand', BRAND_HINT);
  return {
    label: `brand assets of ${brand.name}${p.platform ? ` (${p.platform})` : ''}`,
    columns: ['asset_id', 'brand_id', 'creator_id', 'platform', 'nickname', 'title', 'url', 'views', 'likes', 'posted_at'],
    select: 'a.asset_id, a.brand_id, a.creator_id, a.platform, c.nickname, a.title, a.url, a.views, a.likes, a.posted_at',
    from: `FROM brand_assets a LEFT JOIN creators c ON c.creator_id = a.creator_id WHERE a.brand_id = ?${p.platform ? ' AND a.platform = ?' : ''}`,
    params: p.platform ? [p.brand_id, p.platform] : [p.brand_id],
    key: 'a.asset_id',
    stamp: 'a.asset_id',
    toRow: (r) => [r.asset_id, r.brand_id, r.creator_id, r.platform, r.nickname, r.title, r.url, r.views, r.likes, r.posted_at],
    campaignId: null,
  };
}

function measure(ws: Workspace, src: Source): { n: number; m: string | null } {
  return ws.db.prepare(`SELECT COUNT(*) AS n, MAX(${src.stamp}) AS m ${src.from}`).get(...src.params) as { n: number; m: string | null };
}

/** One keyset page; short reads keep the connection free for other calls between pages. */
function page(ws: Workspace, src: Source, after: string | null): Record<string, unknown>[] {
  const cond = after === null ? '' : ` AND ${src.key} > ?`;
  const rows: Record<string, unknown>[] = [];
  for (const r of ws.db.prepare(`SELECT ${src.key} AS _k, ${src.select} ${src.from}${cond} ORDER BY ${src.key} LIMIT ?`).iterate(...src.params, ...(after === null ? [] : [after]), CHUNK)) rows.push(r as Record<string, unknown>);
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Writing the file

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
    row: async (values) => sheet.addRow(values.map((v) => (typeof v === 'boolean' ? String(v) : v ?? null))).commit(),
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
const internalFile = (ws: Workspace, row: Pick<ExportRow, 'export_id' | 'format'>) => join(exportsDir(ws), `${row.export_id}.${row.format}`);

function publicName(row: ExportRow, p: ExportParams): string {
  const what = p.kind === 'collection' ? `${p.collection_id}-${p.platform}` : p.kind === 'crm' ? 'channels' : `${p.brand_id}${p.platform ? `-${p.platform}` : ''}`;
  return `${p.kind.replace('_', '-')}-${what}-${row.created_at.slice(0, 10)}-${row.export_id}.${row.format}`.replace(/[^A-Za-z0-9._-]/g, '_');
}

const setStatus = (ws: Workspace, exportId: string, status: Status, from: Status[], extra: { error?: string; finished?: boolean } = {}) =>
  ws.db
    .prepare(`UPDATE exports SET status = ?, error = ?, finished_at = ? WHERE export_id = ? AND ${inJson('status')}`)
    .run(status, extra.error ?? null, extra.finished ? ws.now().toISOString() : null, exportId, JSON.stringify(from)).changes === 1;

const yieldToOthers = () => new Promise<void>((r) => setImmediate(r));

/** The export job: rewrites the whole file from scratch each time it runs (a rerun after a restart is safe). */
const buildExport =
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
      ws.db.prepare(`UPDATE exports SET status = 'ready', row_count = ?, file_name = ?, error = NULL, finished_at = ? WHERE export_id = ? AND status = 'running'`).run(done, publicName(row, p), ws.now().toISOString(), exportId);
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

// ---------------------------------------------------------------------------------------------
// Reading exports

const exportRecord = z.object({
  export_id: z.string(),
  kind: z.enum(KINDS),
  format: z.enum(FORMATS),
  status: z.enum(['queued', 'running', 'ready', 'failed', 'cancelled']),
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

const loadExport = (ws: Workspace, exportId: string): ExportRow => getRow<ExportRow>(ws, 'exports', 'export_id', exportId, 'export', HINT_ID);
const exportId = id(`The export's id. ${HINT_ID}`);
const TERMINAL = new Set(['ready', 'failed', 'cancelled']);

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
    let timer: NodeJS.Timeout | undefined;
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
    timer = setTimeout(finish, seconds * 1000);
    call.signal?.addEventListener('abort', finish);
  });
  report();
  return { waited_ms: Date.now() - start };
}

// ---------------------------------------------------------------------------------------------
// Downloads

const downloadInput = z.strictObject({
  export_id: exportId,
  output_path: z.string().min(1).max(1024).optional().describe('Where to write, relative to the files root; default exports/<file_name>.'),
  overwrite: z.boolean().default(false).describe('Replace an existing file at output_path.'),
});

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

// ---------------------------------------------------------------------------------------------

const brand = z.object({ brand_id: z.string(), name: z.string(), website: z.string(), category: z.string(), asset_count: z.int() });
const BRAND_SELECT = 'b.brand_id, b.name, b.website, b.category, (SELECT COUNT(*) FROM brand_assets a WHERE a.brand_id = b.brand_id) AS asset_count';

export const exportOperations = [
  defineOperation({
    name: 'brand_monitor.list',
    toolset: 'brand_monitor',
    title: 'List monitored brands',
    description: 'Brands tracked by brand monitor, with how many creator posts mention each; gives brand_id for brand_monitor exports.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/brand-monitor/brands' },
    input: z.strictObject({ keyword: searchText(200).optional().describe('Matches the brand name.'), ...pageInput }),
    output: paged(brand),
    run: (ws, input) => {
      const w = new Where().maybe(input.keyword, `b.name LIKE ? ESCAPE '\\'`, `%${escapeLike(input.keyword ?? '')}%`);
      return pageQuery<z.input<typeof brand>, z.input<typeof brand>>(ws, { select: BRAND_SELECT, from: `FROM brands b ${w.sql}`, order: 'b.name, b.brand_id', params: w.params }, input, (r) => r);
    },
  }),
  defineOperation({
    name: 'brand_monitor.get',
    toolset: 'brand_monitor',
    title: 'Get a monitored brand',
    description: 'One brand: post counts and views per platform and its 10 most recent creator posts.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/brand-monitor/brands/:brand_id' },
    input: z.strictObject({ brand_id: id(`The brand's id. ${BRAND_HINT}`) }),
    output: brand.extend({
      platforms: z.array(z.object({ platform: z.string(), posts: z.int(), views: z.int() })),
      recent: z.array(z.object({ asset_id: z.string(), creator_id: z.string().nullable(), platform: z.string(), title: z.string(), url: z.string(), views: z.int(), posted_at: z.string() })),
    }),
    run: (ws, input) => {
      const b = ws.db.prepare(`SELECT ${BRAND_SELECT} FROM brands b WHERE b.brand_id = ?`).get(input.brand_id) as z.input<typeof brand> | undefined;
      if (!b) throw notFound('brand', input.brand_id, BRAND_HINT);
      return {
        ...b,
        platforms: ws.db.prepare('SELECT platform, COUNT(*) AS posts, SUM(views) AS views FROM brand_assets WHERE brand_id = ? GROUP BY platform ORDER BY platform').all(input.brand_id) as { platform: string; posts: number; views: number }[],
        recent: ws.db.prepare('SELECT asset_id, creator_id, platform, title, url, views, posted_at FROM brand_assets WHERE brand_id = ? ORDER BY posted_at DESC, asset_id LIMIT 10').all(input.brand_id) as never[],
      };
    },
  }),
  defineOperation({
    name: 'export.create',
    toolset: 'export',
    title: 'Create an export',
    description:
      'Starts a CSV/XLSX export of a collection + platform, CRM channels (crm_filter) or a brand\'s monitored posts, with the reason it is needed. Apply returns export_id; then export_wait and export_download.',
    kind: 'job',
    risk: 'high',
    hints: { destructive: false },
    route: { method: 'POST', path: '/exports' },
    input: createInput,
    output: exportRecord.extend({ summary: z.string() }),
    idsOf: (i, o) => [o.export_id, ...[i.collection_id, i.brand_id].filter((x): x is string => !!x)],
    preview: {
      effect: z.object({
        kind: z.enum(KINDS),
        source: z.string(),
        format: z.enum(FORMATS),
        row_count: z.int().describe('Rows the file will hold (as of now).'),
        columns: z.array(z.string()),
        reason: z.string(),
        campaign_id: z.string().nullable(),
      }),
      read: (ws, input) => {
        const src = sourceOf(ws, input);
        const campaignId = campaignFor(ws, input, src);
        const m = measure(ws, src);
        return {
          effect: { kind: input.kind, source: src.label, format: input.format, row_count: m.n, columns: src.columns, reason: input.reason, campaign_id: campaignId },
          state: { row_count: m.n, stamp: m.m },
          summary: `Export ${m.n} row(s) of ${src.label} as ${input.format.toUpperCase()} (${src.columns.length} columns)${campaignId ? ` for campaign ${campaignId}` : ''}; reason: ${input.reason}`,
        };
      },
    },
    run: (ws, input, call) => {
      const src = sourceOf(ws, input);
      const campaignId = campaignFor(ws, input, src);
      const eid = ws.newId('exp');
      const params: ExportParams = { kind: input.kind, collection_id: input.collection_id, platform: input.platform, crm_filter: input.crm_filter, brand_id: input.brand_id };
      const jobId = ws.jobs.enqueue(EXPORT_JOB, { export_id: eid });
      ws.db
        .prepare(`INSERT INTO exports (export_id, kind, params_json, reason, format, status, campaign_id, created_by, created_at) VALUES (?, ?, ?, ?, ?, 'queued', ?, ?, ?)`)
        .run(eid, input.kind, JSON.stringify({ ...params, job_id: jobId }), input.reason, input.format, campaignId, actingUser(ws, call), ws.now().toISOString());
      return { ...toExport(ws, loadExport(ws, eid)), summary: `Export ${eid} of ${src.label} queued; reason: ${input.reason}` };
    },
  }),
  defineOperation({
    name: 'export.list',
    toolset: 'export',
    title: 'List exports',
    description: 'Exports, newest first, with status, row count, reason and file name; filter by campaign_id, kind or status.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/exports' },
    input: z.strictObject({
      campaign_id: id('Only exports made for this campaign.').optional(),
      kind: z.enum(KINDS).optional().describe('Only this kind.'),
      status: z.enum(['queued', 'running', 'ready', 'failed', 'cancelled']).optional().describe('Only this status.'),
      ...pageInput,
    }),
    output: paged(exportRecord),
    run: (ws, input) => {
      const w = new Where().maybe(input.campaign_id, 'campaign_id = ?', input.campaign_id).maybe(input.kind, 'kind = ?', input.kind).maybe(input.status, 'status = ?', input.status);
      return pageQuery<ExportRow, ExportRecord>(ws, { select: '*', from: `FROM exports ${w.sql}`, order: 'created_at DESC, export_id', params: w.params }, input, (r) => toExport(ws, r));
    },
  }),
  defineOperation({
    name: 'export.get',
    toolset: 'export',
    title: 'Get an export',
    description: 'One export: status (queued, running, ready, failed, cancelled), progress, row count, reason, file name.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/exports/:export_id' },
    input: z.strictObject({ export_id: exportId }),
    output: exportRecord,
    run: (ws, input) => toExport(ws, loadExport(ws, input.export_id)),
  }),
  defineOperation({
    name: 'export.wait',
    toolset: 'export',
    title: 'Wait for an export',
    description: 'Waits up to timeout_seconds for an export to finish, sending progress notifications when the call has a progressToken; returns the export.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/exports/:export_id/wait' },
    input: z.strictObject({ export_id: exportId, timeout_seconds: z.int().min(1).max(50).default(20).describe('Longest wait, 1 to 50 seconds.') }),
    output: exportRecord.extend({ waited_ms: z.int(), timed_out: z.boolean().describe('True when it is still running; wait again.') }),
    load: (ws, input, call) => {
      loadExport(ws, input.export_id);
      return waitFor(ws, input.export_id, input.timeout_seconds, call);
    },
    run: (ws, input, _call, loaded: { waited_ms: number }) => {
      const rec = toExport(ws, loadExport(ws, input.export_id));
      return { ...rec, waited_ms: loaded.waited_ms, timed_out: !TERMINAL.has(rec.status) };
    },
  }),
  defineOperation({
    name: 'export.cancel',
    toolset: 'export',
    title: 'Cancel an export',
    description: 'Stops a queued or running export; its partial file is discarded. A finished export cannot be cancelled.',
    kind: 'write',
    risk: 'low',
    route: { method: 'POST', path: '/exports/:export_id/cancel' },
    input: z.strictObject({ export_id: exportId }),
    output: exportRecord.extend({ summary: z.string() }),
    idsOf: (i) => [i.export_id],
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
  defineOperation({
    name: 'export.download',
    toolset: 'export',
    title: 'Download an export',
    description:
      'Writes a ready export file into the files root (never into the response) and returns its path and a resource_link. ASYNC_NOT_READY until ready; an existing file needs overwrite: true.',
    kind: 'write',
    risk: 'high',
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
      resource_link: z.object({ type: z.literal('resource_link'), uri: z.string().describe('file:// URL of the written file.'), name: z.string(), mimeType: z.string(), size: z.int() }),
      summary: z.string(),
    }),
    idsOf: (i) => [i.export_id],
    preview: {
      effect: z.object({ export_id: z.string(), file_name: z.string(), format: z.enum(FORMATS), row_count: z.int(), bytes: z.int(), output_path: z.string(), will_overwrite: z.boolean(), reason: z.string() }),
      read: (ws, input) => {
        const d = planDownload(ws, input);
        return {
          effect: { export_id: d.row.export_id, file_name: d.row.file_name!, format: d.row.format, row_count: d.row.row_count ?? 0, bytes: d.bytes, output_path: d.outputPath, will_overwrite: d.out.exists, reason: d.row.reason },
          state: { status: d.row.status, file_name: d.row.file_name, bytes: d.bytes, output_exists: d.out.exists },
          summary: `${d.out.exists ? 'Overwrite' : 'Write'} ${d.outputPath} with export ${d.row.export_id} (${d.row.row_count} rows, ${d.row.format.toUpperCase()}).`,
        };
      },
    },
    run: (ws, input) => {
      const d = planDownload(ws, input);
      const out = ws.files.openOutputStream(d.outputPath, input.overwrite);
      let path: string;
      try {
        copyFileSync(d.file, out.tmp);
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
        resource_link: { type: 'resource_link' as const, uri: pathToFileURL(out.finalPath).href, name: d.row.file_name!, mimeType: MIME[d.row.format], size: d.bytes },
        summary: `Wrote ${path} (${d.row.row_count} rows).`,
      };
    },
  }),
];

function campaignFor(ws: Workspace, input: CreateInput, src: Source): string | null {
  if (input.campaign_id) {
    if (!ws.db.prepare('SELECT 1 FROM campaigns WHERE campaign_id = ?').get(input.campaign_id)) throw notFound('campaign', input.campaign_id, 'Campaign ids come from campaign_list.');
    return input.campaign_id;
  }
  return src.campaignId;
}

export const exportJobs: WorkspaceJobs = { [EXPORT_JOB]: buildExport };
