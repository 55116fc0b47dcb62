// Spreadsheet imports into a collection in the embedded workspace: parsing the file, the preview of
// what it would add, the queued job that resolves its rows, and its status.
import type { z } from 'zod';
import type { CallInfo } from '../../src/catalog.js';
import { notFound, ToolError } from '../../src/errors.js';
import { COLLECTION_IMPORT_LIMITS, imports, type importResult } from '../../tools/collection/imports.js';
import { WHERE } from '../../tools/hints.js';
import type { FailedItem } from '../../tools/imports.js';
import type { Platform } from '../../tools/vocabulary.js';
import { creatorResolver, EMAIL_RE, matchCreators, readSheet, urlCell, writeTemplate } from '../creator-import.js';
import { implement, type Implemented } from '../implement.js';
import { inJson, sample } from '../shared.js';
import type { Workspace, WorkspaceJobs } from '../workspace.js';
import { loadCollection, touch, type CollectionRow } from './collections.js';
import { describeCounts } from './slice.js';

export const IMPORT_JOB = 'collection.import';

type ImportInput = z.output<typeof imports.file.input>;
type ImportResult = z.input<typeof importResult>;

interface ImportRow {
  row: number;
  platform: Platform;
  channel_id: string;
  handle: string;
  channel_url: string;
  email: string | null;
}

interface ParsedImport {
  file_name: string;
  sha256: string;
  row_count: number;
  rows: ImportRow[];
  failed: FailedItem[];
  duplicates: { row: number; duplicate_of_row: number }[];
}

async function parseImport(ws: Workspace, input: ImportInput): Promise<ParsedImport> {
  const sheet = await readSheet(ws, input, COLLECTION_IMPORT_LIMITS);
  const rows: ImportRow[] = [];
  const failed: FailedItem[] = [];
  const duplicates: ParsedImport['duplicates'] = [];
  const seen = new Map<string, number>();
  for (const r of sheet.rows) {
    const u = urlCell(r);
    if ('failed' in u) {
      failed.push(u.failed);
      continue;
    }
    const email = r.cells[1] ?? '';
    if (email && !EMAIL_RE.test(email)) {
      failed.push({ row: r.row, column: 'B', value: email, reason: 'Not an email address.' });
      continue;
    }
    const key = `${u.parsed.platform}:${u.parsed.channel_id}`;
    const first = seen.get(key);
    if (first !== undefined) {
      duplicates.push({ row: r.row, duplicate_of_row: first });
      continue;
    }
    seen.set(key, r.row);
    rows.push({ row: r.row, ...u.parsed, email: email ? email.toLowerCase() : null });
  }
  return { file_name: sheet.name, sha256: sheet.sha256, row_count: sheet.rows.length, rows, failed, duplicates };
}

/** The parsed file against the workspace: the collection, which channels are known creators, which are already in it. */
interface ImportPlan {
  parsed: ParsedImport;
  collection: CollectionRow;
  matched: Map<string, string>;
  present: Set<string>;
}

function readImport(ws: Workspace, input: ImportInput, parsed: ParsedImport): ImportPlan {
  const collection = loadCollection(ws, input.collection_id);
  if (parsed.rows.length === 0) {
    const first = parsed.failed
      .slice(0, 3)
      .map((f) => `row ${f.row}, column ${f.column}: ${f.reason}`)
      .join('; ');
    throw new ToolError('INVALID_REQUEST', `${parsed.file_name}: none of its ${parsed.row_count} row(s) can be imported (${first}).`, {
      hint: 'Column A must hold creator URLs such as https://www.youtube.com/@handle, https://www.tiktok.com/@handle or https://www.instagram.com/handle/; column B an optional email.',
      details: { failed_items: parsed.failed.slice(0, 50) },
    });
  }
  const matched = matchCreators(ws, parsed.rows);
  const present = new Set(
    ws.db
      .prepare(`SELECT creator_id FROM collection_items WHERE collection_id = ? AND ${inJson('creator_id')}`)
      .pluck()
      .all(collection.collection_id, JSON.stringify([...matched.values()])) as string[],
  );
  return { parsed, collection, matched, present };
}

function importOutcome(plan: ImportPlan, r: ImportRow): string {
  const cid = plan.matched.get(`${r.platform}:${r.channel_id}`);
  if (!cid) return 'new_creator';
  return plan.present.has(cid) ? 'already_in_collection' : 'will_add';
}

interface ImportJobParams {
  collection_id: string;
  file_name: string;
  row_count: number;
  rows: ImportRow[];
  failed_items: FailedItem[];
  duplicate_count: number;
}

function runImportJob(ws: Workspace, p: ImportJobParams, progress: (done: number, total: number) => void): ImportResult {
  const total = p.rows.length;
  return ws.db
    .transaction(() => {
      loadCollection(ws, p.collection_id);
      const resolve = creatorResolver(ws);
      const insert = ws.db.prepare(`INSERT OR IGNORE INTO collection_items (collection_id, creator_id, platform, email, added_at, source) VALUES (?, ?, ?, ?, ?, 'imported')`);
      const at = ws.now().toISOString();
      let imported = 0;
      let created = 0;
      p.rows.forEach((r, i) => {
        const c = resolve(r, r.email);
        if (c.created) created++;
        imported += insert.run(p.collection_id, c.creator_id, r.platform, r.email, at).changes;
        if ((i + 1) % 250 === 0) progress(i + 1, total);
      });
      touch(ws, [p.collection_id]);
      return {
        collection_id: p.collection_id,
        imported_count: imported,
        already_present_count: total - imported,
        created_creators_count: created,
        duplicate_count: p.duplicate_count,
        failed_items: p.failed_items,
      };
    })
    .immediate();
}

const FINISHED = new Set(['done', 'failed', 'cancelled']);

/** Polls an import until it finishes or the wait is over, reporting progress when it moves. */
async function waitForImport(ws: Workspace, importId: string, waitSeconds: number, call: CallInfo): Promise<void> {
  const deadline = Date.now() + waitSeconds * 1000;
  let last = -1;
  for (;;) {
    const job = ws.jobs.get(importId);
    if (!job || job.kind !== IMPORT_JOB) return;
    if (job.progress !== last || FINISHED.has(job.status)) {
      last = job.progress;
      call.progress?.(job.progress, job.total ?? undefined, `import ${job.status}`);
    }
    if (FINISHED.has(job.status) || Date.now() >= deadline || call.signal?.aborted) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const TEMPLATE_HEADER = ['Creator URL (YouTube, TikTok or Instagram)', 'Email (optional)'];
const TEMPLATE_ROWS = [
  ['https://www.youtube.com/@examplechannel', 'hello@example.com'],
  ['https://www.tiktok.com/@examplecreator', ''],
  ['https://www.instagram.com/examplecreator/', ''],
];

export const importsImplementations = {
  template: writeTemplate(imports.template, { sheet: 'Creators', header: TEMPLATE_HEADER, rows: TEMPLATE_ROWS, what: 'collection' }),
  file: implement(imports.file, {
    load: (ws, input) => parseImport(ws, input),
    read: (ws, input, _call, parsed) => readImport(ws, input, parsed),
    state: (plan) => ({
      collection: { collection_id: plan.collection.collection_id, updated_at: plan.collection.updated_at },
      file: plan.parsed.sha256,
      matched: Object.fromEntries([...plan.matched].sort()),
      present: [...plan.present].sort(),
    }),
    effect: (_ws, _input, plan) => {
      const { parsed } = plan;
      const by = { youtube: 0, tiktok: 0, instagram: 0 };
      const counts: Record<string, number> = {};
      for (const r of parsed.rows) {
        by[r.platform]++;
        const o = importOutcome(plan, r);
        counts[o] = (counts[o] ?? 0) + 1;
      }
      return {
        effect: {
          collection_id: plan.collection.collection_id,
          file_name: parsed.file_name,
          row_count: parsed.row_count,
          importable_count: parsed.rows.length,
          by_platform: by,
          will_add_count: counts.will_add ?? 0,
          new_creator_count: counts.new_creator ?? 0,
          already_in_collection_count: counts.already_in_collection ?? 0,
          duplicate_count: parsed.duplicates.length,
          duplicates: parsed.duplicates.slice(0, 50),
          failed_count: parsed.failed.length,
          failed_items: parsed.failed.slice(0, 50),
          sample: sample(parsed.rows).map((r) => ({ row: r.row, platform: r.platform, channel_id: r.channel_id, outcome: importOutcome(plan, r) })),
        },
        summary: `Import ${parsed.rows.length} of ${parsed.row_count} row(s) of ${parsed.file_name} into "${plan.collection.name}": ${describeCounts(counts)}; ${parsed.failed.length} failed, ${parsed.duplicates.length} duplicate(s).`,
      };
    },
    run: (ws, _input, _call, _loaded, { parsed, collection }) => {
      const params: ImportJobParams = {
        collection_id: collection.collection_id,
        file_name: parsed.file_name,
        row_count: parsed.row_count,
        rows: parsed.rows,
        failed_items: parsed.failed,
        duplicate_count: parsed.duplicates.length,
      };
      const importId = ws.jobs.enqueue(IMPORT_JOB, params as unknown as Record<string, unknown>);
      return {
        import_id: importId,
        status: 'queued',
        collection_id: collection.collection_id,
        campaign_id: collection.campaign_id,
        queued_row_count: parsed.rows.length,
        failed_count: parsed.failed.length,
        duplicate_count: parsed.duplicates.length,
        summary: `Queued the import of ${parsed.rows.length} row(s) of ${parsed.file_name} into ${collection.collection_id} (import ${importId}); ${parsed.failed.length} row(s) failed parsing.`,
      };
    },
  }),
  status: implement(imports.status, {
    // Waiting happens before the (synchronous) read, relaying the job's progress to the caller.
    load: (ws, input, call) => waitForImport(ws, input.import_id, input.wait_seconds, call),
    run: (ws, input) => {
      const job = ws.jobs.get(input.import_id);
      if (!job || job.kind !== IMPORT_JOB) throw notFound('collection import', input.import_id, WHERE.collectionImport);
      const p = JSON.parse(job.params_json) as ImportJobParams;
      const result = job.result_json ? (JSON.parse(job.result_json) as ImportResult) : undefined;
      const error = job.error_json ? (JSON.parse(job.error_json) as { error_code: string; summary: string }) : null;
      const summary =
        job.status === 'done' && result
          ? `Import done: ${result.imported_count} added, ${result.already_present_count} already present, ${result.created_creators_count} new creator(s), ${result.failed_items.length} failed row(s).`
          : job.status === 'failed'
            ? `Import failed: ${error?.summary ?? 'unknown error'}. Nothing was imported.`
            : `Import ${job.status}: ${job.progress}/${job.total ?? p.rows.length} row(s) resolved so far.`;
      return {
        import_id: job.job_id,
        status: job.status,
        file_name: p.file_name,
        progress: job.progress,
        total: job.total ?? p.rows.length,
        ...(result ?? { collection_id: p.collection_id, duplicate_count: p.duplicate_count, failed_items: p.failed_items }),
        error: error ? { error_code: error.error_code, summary: error.summary } : null,
        summary,
      };
    },
  }),
} satisfies Implemented<typeof imports>;

/** Async job kinds of this domain (imports): rows resolve in one transaction, with progress. */
export const collectionJobs: WorkspaceJobs = {
  [IMPORT_JOB]: (ws) => async (params, ctx) => {
    const p = params as unknown as ImportJobParams;
    if (ctx.signal.aborted) throw new ToolError('CONFLICT', 'The import was cancelled before it started; nothing was imported.');
    ctx.progress(0, p.rows.length);
    const result = runImportJob(ws, p, (done, total) => ctx.progress(done, total));
    ctx.progress(p.rows.length, p.rows.length);
    return result;
  },
};
