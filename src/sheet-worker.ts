// Worker-thread entry: reads the spreadsheets posted to it (TableJob messages, one at a time) and
// posts back each table or refusal. It runs apart from the event loop that serves calls, with its
// own heap limit, and is terminated by the caller at its deadline (src/spreadsheet.ts).
import { parentPort } from 'node:worker_threads';
import { ToolError } from './errors.js';
import { readTableBytes, type TableJob } from './sheet-reader.js';

export type WorkerReply = { ok: true; header: string[]; rows: string[][] } | { ok: false; error: ReturnType<ToolError['toEnvelope']> | null; message: string };

parentPort!.on('message', (job: TableJob) => {
  readTableBytes(job).then(
    (t) => parentPort!.postMessage({ ok: true, header: t.header, rows: t.rows } satisfies WorkerReply),
    (e: unknown) => parentPort!.postMessage({ ok: false, error: e instanceof ToolError ? e.toEnvelope() : null, message: String((e as Error)?.message ?? e) } satisfies WorkerReply),
  );
});
