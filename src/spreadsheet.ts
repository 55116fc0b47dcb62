// Spreadsheet reading and writing for imports, templates and exports. Reading (.xlsx and .csv)
// happens in a worker thread with a heap limit and a deadline (src/sheet-reader.ts does the
// parsing), so a hostile file is refused without holding up other calls; writing uses exceljs.
import { availableParallelism } from 'node:os';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { ToolError } from './errors.js';
import type { LoadedFile } from './files.js';
import type { Table, TableJob } from './sheet-reader.js';
import type { WorkerReply } from './sheet-worker.js';

export type { Table } from './sheet-reader.js';

/** The reader is loaded on first use, like exceljs below: a start needs neither. */
const sheetReader = () => import('./sheet-reader.js');

export const SPREADSHEET_EXTENSIONS = ['.xlsx', '.csv'];

/** A CSV this small is read in place: its cost is bounded by its size, and a worker costs more. */
const INLINE_CSV_BYTES = 64 * 1024;
/** How long reading one spreadsheet may take before its worker is stopped. */
export const READ_DEADLINE_MS = 10_000;
const WORKER_LIMITS: ResourceLimits = { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 32, stackSizeMb: 4 };
/** Readers running at once; more wait their turn, so memory stays bounded under a flood. */
const MAX_PARALLEL = Math.max(1, Math.min(2, availableParallelism()));

/**
 * Reads the first sheet (or the CSV) of a loaded file. The first non-empty row is the header.
 * `deadlineMs` (default READ_DEADLINE_MS) is how long the read may take.
 */
export async function readTable(file: LoadedFile, opts: { maxRows: number; deadlineMs?: number }): Promise<Table> {
  // .xls (BIFF) is refused on purpose: see docs/fidelity.md for why no .xls reader is bundled.
  if (file.ext === '.xls')
    throw new ToolError('FILE_REFUSED', `${file.name} is an old .xls workbook, which this server does not read.`, {
      hint: 'Open it in a spreadsheet program and save it as .xlsx, then import the .xlsx.',
    });
  if (file.ext !== '.csv' && file.ext !== '.xlsx') {
    throw new ToolError('FILE_REFUSED', `${file.name}: only .xlsx and .csv spreadsheets are read.`, { hint: 'Save the sheet as .xlsx or .csv.' });
  }
  const job: TableJob = { name: file.name, ext: file.ext, bytes: file.bytes, maxRows: opts.maxRows };
  const { readTableBytes, checkXlsxDirectory } = await sheetReader();
  if (file.ext === '.csv' && file.bytes.length <= INLINE_CSV_BYTES) return readTableBytes(job);
  if (file.ext === '.xlsx') checkXlsxDirectory(file.bytes, file.name);
  await acquire();
  try {
    return await readInWorker(job, opts.deadlineMs ?? READ_DEADLINE_MS);
  } finally {
    release();
  }
}

let running = 0;
const waiting: (() => void)[] = [];
async function acquire(): Promise<void> {
  if (running < MAX_PARALLEL) running++;
  else await new Promise<void>((resolve) => waiting.push(resolve)); // the slot is handed over
}
function release(): void {
  const next = waiting.shift();
  if (next) next();
  else running--;
}

/** Idle readers are kept a while for the next file: starting one costs more than reading most files. */
const IDLE_MS = 30_000;
const idle: { worker: Worker; timer: NodeJS.Timeout }[] = [];

function takeWorker(): Worker {
  const kept = idle.pop();
  if (!kept) return startWorker();
  clearTimeout(kept.timer);
  kept.worker.ref();
  return kept.worker;
}

function keepWorker(worker: Worker): void {
  worker.unref(); // an idle reader never keeps the process alive
  const entry = {
    worker,
    timer: setTimeout(() => {
      idle.splice(idle.indexOf(entry), 1);
      void worker.terminate();
    }, IDLE_MS).unref(),
  };
  idle.push(entry);
}

function readInWorker(job: TableJob, deadlineMs: number): Promise<Table> {
  return new Promise<Table>((resolve, reject) => {
    const worker = takeWorker();
    let settled = false;
    // A reader that answered (a table or a refusal) is reused; one that failed or ran late is stopped.
    const finish = (reusable: boolean, settle: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      if (reusable) keepWorker(worker);
      else void worker.terminate();
      settle();
    };
    const onMessage = (m: WorkerReply) =>
      finish(m.ok || m.error !== null, () =>
        m.ok ? resolve({ header: m.header, rows: m.rows }) : reject(m.error ? ToolError.fromEnvelope(m.error) : new Error(`reading ${job.name} failed: ${m.message}`)),
      );
    const onError = (e: NodeJS.ErrnoException) => finish(false, () => reject(e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? tooLarge(job.name, 'needs more memory than reading a spreadsheet may use') : e));
    const onExit = (code: number) => finish(false, () => reject(new Error(`the spreadsheet reader stopped (exit code ${code})`)));
    const timer = setTimeout(() => finish(false, () => reject(tooLarge(job.name, `took longer than ${deadlineMs / 1000} s to read`))), deadlineMs);
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    const bytes = new Uint8Array(job.bytes); // a copy the reader owns; the caller keeps its buffer
    worker.postMessage({ ...job, bytes } satisfies TableJob, [bytes.buffer]);
  });
}

const tooLarge = (name: string, what: string) =>
  new ToolError('LIMIT_EXCEEDED', `${name} ${what}; it is refused as too large.`, {
    hint: 'Keep only the sheet to import, as the first sheet, with at most the accepted rows, or export it as .csv.',
  });

function startWorker(): Worker {
  const opts = { resourceLimits: WORKER_LIMITS, stdout: true, stderr: true };
  let worker: Worker;
  if (import.meta.url.endsWith('.ts')) {
    // Running from the TypeScript sources (vitest, tsx): the reader loads them through tsx.
    const entry = new URL('./sheet-worker.ts', import.meta.url).href;
    const tsx = import.meta.resolve('tsx/esm/api');
    worker = new Worker(`import(${JSON.stringify(tsx)}).then((m) => m.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(entry)}))`, { ...opts, eval: true });
  } else worker = new Worker(new URL('./sheet-worker.js', import.meta.url), opts);
  // stdout carries MCP only: anything a reader prints goes to stderr.
  worker.stdout.pipe(process.stderr, { end: false });
  worker.stderr.pipe(process.stderr, { end: false });
  return worker;
}

/** exceljs is loaded on first use: it is large, and most sessions never touch a spreadsheet. */
export const excel = async () => (await import('exceljs')).default;

/** One CSV line; fields that start like a formula are prefixed so a spreadsheet shows them as text. */
export function csvRow(values: unknown[]): string {
  return (
    values
      .map((v) => {
        let s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
        if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
        return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
      })
      .join(',') + '\r\n'
  );
}

/** A small workbook (templates): one sheet with a header row and rows. */
export async function buildXlsx(sheetName: string, header: string[], rows: unknown[][]): Promise<Buffer> {
  const wb = new (await excel()).Workbook();
  const ws = wb.addWorksheet(sheetName);
  ws.addRow(header).font = { bold: true };
  for (const r of rows) ws.addRow(r);
  ws.columns.forEach((c) => (c.width = 40));
  return Buffer.from(await wb.xlsx.writeBuffer());
}
