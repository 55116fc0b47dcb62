// Recipients as given ({creator_id} | {platform, channel_id} | {email_address}, typed or from a
// spreadsheet) resolved to the rows an email task stores, and what adding them would change.
import type { z } from 'zod';
import { ToolError } from '../../src/errors.js';
import type { InputRules, LoadedFile } from '../../src/files.js';
import { readTable } from '../../src/spreadsheet.js';
import { PLATFORMS } from '../../tools/vocabulary.js';
import { EXCEL_IMPORT_EXTENSIONS } from '../../tools/shared.js';
import { IMPORT_MAX_BYTES, MAX_RECIPIENTS, type recipientBrief, type RecipientInput } from '../../tools/email/schemas.js';
import { loadFile } from '../shared.js';
import type { Workspace } from '../workspace.js';

const IMPORT_RULES: InputRules = { maxBytes: IMPORT_MAX_BYTES, extensions: EXCEL_IMPORT_EXTENSIONS };

export interface Resolved {
  /** One recipient per creator, or per address (case-insensitive) when there is no creator. */
  key: string;
  creator_id: string | null;
  platform: string | null;
  channel_id: string | null;
  email_address: string | null;
}

interface RecipientProblem {
  index: number;
  value: string;
  code: string;
  message: string;
}

const EMAIL_RE = /^[^\s@/]+@[^\s@/]+\.[^\s@/]+$/;
const looksLikeUrlOrHandle = (v: string): boolean => /^[a-z][a-z0-9+.-]*:\/\//i.test(v) || /^www\./i.test(v) || v.includes('/') || v.startsWith('@') || /\.(com|net|org|tv|me)\b/i.test(v);

const keyOf = (r: { creator_id: string | null; email_address: string | null }): string => (r.creator_id ? `c:${r.creator_id}` : `e:${r.email_address!.toLowerCase()}`);

export function resolveRecipients(ws: Workspace, items: RecipientInput[]): { rows: Resolved[]; problems: RecipientProblem[] } {
  const rows: Resolved[] = [];
  const problems: RecipientProblem[] = [];
  const byId = ws.db.prepare('SELECT creator_id, platform, channel_id FROM creators WHERE creator_id = ?');
  const byChannel = ws.db.prepare('SELECT creator_id, platform, channel_id FROM creators WHERE platform = ? AND channel_id = ?');
  items.forEach((it, index) => {
    const value = it.creator_id ?? it.channel_id ?? it.email_address ?? '';
    const bad = (code: string, message: string) => problems.push({ index, value, code, message });
    const forms = (it.creator_id !== undefined ? 1 : 0) + (it.channel_id !== undefined || it.platform !== undefined ? 1 : 0) + (it.email_address !== undefined ? 1 : 0);
    if (forms !== 1) return bad('INVALID_REQUEST', 'Give exactly one of {creator_id}, {platform, channel_id} or {email_address}.');
    if (it.creator_id !== undefined || it.channel_id !== undefined) {
      const v = (it.creator_id ?? it.channel_id)!;
      if (looksLikeUrlOrHandle(v)) return bad('NEEDS_RESOLUTION', `"${v}" is a URL or handle, not an id; resolve it to a creator_id with creator_search first.`);
    }
    if (it.creator_id !== undefined) {
      const c = byId.get(it.creator_id) as { creator_id: string; platform: string; channel_id: string } | undefined;
      if (!c) return bad('NOT_FOUND', `No creator with id "${it.creator_id}"; creator ids come from creator_search.`);
      rows.push({ key: `c:${c.creator_id}`, creator_id: c.creator_id, platform: c.platform, channel_id: c.channel_id, email_address: null });
    } else if (it.channel_id !== undefined || it.platform !== undefined) {
      if (!it.platform || !it.channel_id) return bad('INVALID_REQUEST', 'A channel recipient needs both platform and channel_id.');
      const c = byChannel.get(it.platform, it.channel_id) as { creator_id: string; platform: string; channel_id: string } | undefined;
      if (!c) return bad('NOT_FOUND', `No ${it.platform} creator with channel_id "${it.channel_id}"; find it with creator_search.`);
      rows.push({ key: `c:${c.creator_id}`, creator_id: c.creator_id, platform: c.platform, channel_id: c.channel_id, email_address: null });
    } else {
      const e = it.email_address!.trim();
      if (!EMAIL_RE.test(e))
        return bad(
          looksLikeUrlOrHandle(e) ? 'NEEDS_RESOLUTION' : 'INVALID_REQUEST',
          `"${e}" is not an email address${looksLikeUrlOrHandle(e) ? '; a URL or handle must be resolved to a creator_id with creator_search first' : ''}.`,
        );
      rows.push({ key: `e:${e.toLowerCase()}`, creator_id: null, platform: null, channel_id: null, email_address: e });
    }
  });
  // Later duplicates of the same recipient are dropped.
  const seen = new Set<string>();
  return { rows: rows.filter((r) => (seen.has(r.key) ? false : (seen.add(r.key), true))), problems };
}

/** Refuses the whole request when any recipient is unusable, listing which and why. */
export function refuseProblems(problems: RecipientProblem[]): void {
  if (!problems.length) return;
  const needsResolution = problems.some((p) => p.code === 'NEEDS_RESOLUTION');
  const allMissing = problems.every((p) => p.code === 'NOT_FOUND');
  throw new ToolError(
    allMissing ? 'NOT_FOUND' : 'INVALID_REQUEST',
    `${problems.length} recipient(s) are not usable: ${problems
      .slice(0, 3)
      .map((p) => `#${p.index} ${p.message}`)
      .join(' ')}`,
    {
      hint: needsResolution
        ? 'Resolve URLs and handles to a creator_id with creator_search (platform + keywords), then pass {creator_id}.'
        : 'Fix or drop the recipients listed in details.problems; creator ids come from creator_search or collection_items.',
      details: { problems: problems.slice(0, 50) },
    },
  );
}

/** The recipients a task has now, by key → recipient_id. */
export function existingKeys(ws: Workspace, taskId: string): Map<string, string> {
  const rows = ws.db.prepare('SELECT recipient_id, creator_id, email_address FROM email_recipients WHERE task_id = ?').all(taskId) as {
    recipient_id: string;
    creator_id: string | null;
    email_address: string | null;
  }[];
  return new Map(rows.map((r) => [keyOf(r), r.recipient_id]));
}

export function checkCapacity(ws: Workspace, taskId: string, adding: number): void {
  const n = ws.db.prepare('SELECT COUNT(*) FROM email_recipients WHERE task_id = ?').pluck().get(taskId) as number;
  if (n + adding > MAX_RECIPIENTS)
    throw new ToolError('LIMIT_EXCEEDED', `An email task holds at most ${MAX_RECIPIENTS} recipients; this would make ${n + adding}.`, { hint: 'Split the recipients over several tasks.' });
}

export function insertRecipients(ws: Workspace, taskId: string, rows: Resolved[]): void {
  const at = ws.now().toISOString();
  const stmt = ws.db.prepare(`INSERT INTO email_recipients (recipient_id, task_id, creator_id, platform, channel_id, email_address, status, added_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?)`);
  for (const r of rows) stmt.run(ws.newId('rcp'), taskId, r.creator_id, r.platform, r.channel_id, r.email_address, at);
}

/** Recipients to add (new keys only) and those already present, with the task's current keys. */
export function planAdd(ws: Workspace, taskId: string, rows: Resolved[]): { have: Map<string, string>; add: Resolved[]; present: Resolved[] } {
  const have = existingKeys(ws, taskId);
  return { have, add: rows.filter((r) => !have.has(r.key)), present: rows.filter((r) => have.has(r.key)) };
}

export const brief = (r: Resolved): z.input<typeof recipientBrief> => ({ creator_id: r.creator_id, platform: r.platform, channel_id: r.channel_id, email_address: r.email_address });

// ---------------------------------------------------------------------------------------------
// Imports: a header row naming creator_id / platform / channel_id / email columns; without a
// known header, the first column holds a creator_id or an email address.

interface ImportRow {
  row: number;
  item: RecipientInput;
}
export interface Imported {
  file: LoadedFile;
  rows: ImportRow[];
}

export async function loadImport(ws: Workspace, input: { path?: string | undefined; content_base64?: string | undefined; filename?: string | undefined }): Promise<Imported> {
  const file = loadFile(ws, input, IMPORT_RULES);
  const table = await readTable(file, { maxRows: MAX_RECIPIENTS });
  const header = table.header.map((h) => h.trim().toLowerCase().replace(/\s+/g, '_'));
  const col = (...names: string[]) => header.findIndex((h) => names.includes(h));
  const ci = col('creator_id');
  const pi = col('platform');
  const chi = col('channel_id');
  const ei = col('email', 'email_address');
  const known = [ci, pi, chi, ei].some((i) => i >= 0);
  const data = known ? table.rows : [table.header, ...table.rows];
  const rows: ImportRow[] = data.map((cells, i) => {
    const cell = (k: number) => (k >= 0 ? (cells[k] ?? '').trim() : '');
    const row = i + (known ? 2 : 1);
    if (!known) {
      const v = cell(0);
      return { row, item: EMAIL_RE.test(v) ? { email_address: v } : { creator_id: v } };
    }
    if (cell(ci)) return { row, item: { creator_id: cell(ci) } };
    if (cell(chi) || cell(pi)) return { row, item: { platform: cell(pi) as RecipientInput['platform'], channel_id: cell(chi) } };
    return { row, item: { email_address: cell(ei) } };
  });
  return { file, rows };
}

/** Which imported rows resolve (and of those, which are new to the task) and which fail, and why. */
export function planImport(ws: Workspace, taskId: string, imp: Imported) {
  const failed: { row: number; value: string; reason: string }[] = [];
  const good: RecipientInput[] = [];
  for (const r of imp.rows) {
    const platformOk = r.item.platform === undefined || (PLATFORMS as readonly string[]).includes(r.item.platform);
    const { problems } = platformOk ? resolveRecipients(ws, [r.item]) : { problems: [{ message: `Unknown platform "${r.item.platform}".` }] };
    if (problems.length) failed.push({ row: r.row, value: r.item.creator_id ?? r.item.channel_id ?? r.item.email_address ?? '', reason: problems[0]!.message });
    else good.push(r.item);
  }
  const { rows } = resolveRecipients(ws, good);
  return { ...planAdd(ws, taskId, rows), failed };
}
