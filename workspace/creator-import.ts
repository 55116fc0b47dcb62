// Creator imports: spreadsheets whose first column is a YouTube, TikTok or Instagram creator URL
// (optionally an email in the second), shared by the collection and CRM imports.
import type { Workspace } from './workspace.js';
import { ToolError } from '../src/errors.js';
import type { FileInput } from '../src/files.js';
import { buildXlsx, readTable, SPREADSHEET_EXTENSIONS } from '../src/spreadsheet.js';
import { CHANNEL_URL, type Platform } from '../tools/vocabulary.js';
import type { FailedItem, templateContract } from '../tools/imports.js';
import { implement } from './implement.js';
import { sha256 } from './shared.js';

export interface ParsedCreatorUrl {
  platform: Platform;
  /** The id the workspace keys the channel by: a YouTube channel id or `@handle`, a TikTok or Instagram handle. */
  channel_id: string;
  handle: string;
  channel_url: string;
}

const INSTAGRAM_RESERVED = new Set(['p', 'reel', 'reels', 'stories', 'explore', 'accounts', 'tv', 'direct', 'about', 'legal']);

/** Parses a YouTube/TikTok/Instagram channel URL; null when it is not one. */
export function parseCreatorUrl(raw: string): ParsedCreatorUrl | null {
  const text = raw.trim();
  if (!text || /\s/.test(text)) return null;
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  const host = url.hostname.toLowerCase().replace(/^(www|m|mobile)\./, '');
  const parts = url.pathname.split('/').filter(Boolean);
  const first = parts[0] ?? '';
  if (host === 'youtube.com') {
    if (first === 'channel' && /^[A-Za-z0-9_-]{10,64}$/.test(parts[1] ?? '')) {
      const cid = parts[1]!;
      return { platform: 'youtube', channel_id: cid, handle: cid, channel_url: CHANNEL_URL.youtube(cid) };
    }
    const m = /^@([A-Za-z0-9._-]{3,30})$/.exec(decodeURIComponent(first));
    if (m) {
      const h = m[1]!.toLowerCase();
      return { platform: 'youtube', channel_id: `@${h}`, handle: h, channel_url: `https://www.youtube.com/@${h}` };
    }
    return null;
  }
  if (host === 'tiktok.com') {
    const m = /^@([A-Za-z0-9._]{2,24})$/.exec(first);
    if (!m) return null;
    const h = m[1]!.toLowerCase();
    return { platform: 'tiktok', channel_id: h, handle: h, channel_url: CHANNEL_URL.tiktok(h) };
  }
  if (host === 'instagram.com') {
    if (!/^[A-Za-z0-9._]{1,30}$/.test(first) || INSTAGRAM_RESERVED.has(first.toLowerCase())) return null;
    const h = first.toLowerCase();
    return { platform: 'instagram', channel_id: h, handle: h, channel_url: CHANNEL_URL.instagram(h) };
  }
  return null;
}

// The email rule lives with the schemas (crm.update's email field uses it too); imports check cells against it.
export { EMAIL_RE } from '../tools/shared.js';

export interface SheetRow {
  row: number;
  cells: string[];
}

/**
 * Reads a spreadsheet from the files root (or base64) within the limits; the first row is a header
 * unless it already holds a creator URL. Rows are numbered as the spreadsheet shows them.
 */
export async function readSheet(ws: Workspace, input: FileInput, limits: { maxBytes: number; maxRows: number; extensions?: string[] }): Promise<{ name: string; sha256: string; rows: SheetRow[] }> {
  const file = ws.files.load(
    { path: input.path, content_base64: input.content_base64, filename: input.filename },
    { maxBytes: limits.maxBytes, extensions: limits.extensions ?? SPREADSHEET_EXTENSIONS },
  );
  const table = await readTable(file, { maxRows: limits.maxRows });
  const headerIsData = parseCreatorUrl(table.header[0] ?? '') !== null;
  const all = headerIsData ? [table.header, ...table.rows] : table.rows;
  if (all.length === 0) throw new ToolError('FILE_REFUSED', `${file.name} has no data rows (row 1 is the header).`, { hint: 'Put one creator URL per row in column A, below a header row.' });
  if (all.length > limits.maxRows)
    throw new ToolError('LIMIT_EXCEEDED', `${file.name} has ${all.length} data rows; the limit is ${limits.maxRows}.`, { hint: `Split the file into parts of at most ${limits.maxRows} rows.` });
  return { name: file.name, sha256: sha256(file.bytes), rows: all.map((cells, i) => ({ row: i + (headerIsData ? 1 : 2), cells })) };
}

/** Column A as a creator URL; null plus a failed item when it is not one. */
export function urlCell(r: SheetRow): { parsed: ParsedCreatorUrl } | { failed: FailedItem } {
  const value = r.cells[0] ?? '';
  if (!value) return { failed: { row: r.row, column: 'A', value, reason: 'Missing creator URL.' } };
  const parsed = parseCreatorUrl(value);
  if (!parsed) return { failed: { row: r.row, column: 'A', value, reason: 'Not a YouTube (/channel/<id> or /@handle), TikTok (/@handle) or Instagram (/<handle>) creator URL.' } };
  return { parsed };
}

/** Existing creators for parsed channels, keyed `platform:channel_id`. */
export function matchCreators(ws: Workspace, channels: { platform: string; channel_id: string }[]): Map<string, string> {
  const rows = ws.db
    .prepare(
      `SELECT c.creator_id, c.platform, c.channel_id FROM json_each(?) j
       JOIN creators c ON c.platform = json_extract(j.value, '$[0]') AND c.channel_id = json_extract(j.value, '$[1]')`,
    )
    .all(JSON.stringify(channels.map((c) => [c.platform, c.channel_id]))) as { creator_id: string; platform: string; channel_id: string }[];
  return new Map(rows.map((r) => [`${r.platform}:${r.channel_id}`, r.creator_id]));
}

/** Finds or creates the creator of a parsed channel (inside the caller's transaction). */
export function creatorResolver(ws: Workspace): (p: ParsedCreatorUrl, email: string | null) => { creator_id: string; created: boolean } {
  const find = ws.db.prepare('SELECT creator_id FROM creators WHERE platform = ? AND channel_id = ?').pluck();
  const insert = ws.db.prepare(`INSERT INTO creators (creator_id, platform, channel_id, channel_url, nickname, followers, has_email, email, updated_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)`);
  return (p, email) => {
    const existing = find.get(p.platform, p.channel_id) as string | undefined;
    if (existing) return { creator_id: existing, created: false };
    const cid = ws.newId('cr');
    insert.run(cid, p.platform, p.channel_id, p.channel_url, p.handle, email ? 1 : 0, email, ws.now().toISOString());
    return { creator_id: cid, created: true };
  };
}

/** The implementation of an import's template: a one-sheet workbook written whole into the files root. */
export function writeTemplate(contract: ReturnType<typeof templateContract>, t: { sheet: string; header: string[]; rows: unknown[][]; what: string }) {
  return implement(contract, {
    load: () => buildXlsx(t.sheet, t.header, t.rows),
    run: (ws, input, _call, xlsx) => {
      const written = ws.files.writeOutput(input.output_path, xlsx, false);
      return { ...written, columns: t.header, summary: `Wrote the ${t.what} import template to ${written.path}.` };
    },
  });
}
