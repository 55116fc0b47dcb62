// Helpers every domain of the embedded workspace uses: paged queries, row lookups, WHERE
// building, id lists in SQL, the acting team member, preview fingerprints.
import { createHash } from 'node:crypto';
import { notFound } from '../src/errors.js';
import type { CallInfo } from '../src/catalog.js';
import type { InputRules, LoadedFile } from '../src/files.js';
import type { Workspace } from './workspace.js';
import { WHERE } from '../tools/hints.js';

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  page_size: number;
  has_more: boolean;
}

/**
 * Runs a paged query. `from` is everything after SELECT ... (FROM, JOINs, WHERE), `order` the
 * ORDER BY clause, which must end in a unique column so that pages are stable.
 */
export function pageQuery<Row, T>(ws: Workspace, q: { select: string; from: string; order: string; params?: unknown[] }, page: { page: number; page_size: number }, map: (row: Row) => T): Page<T> {
  const params = q.params ?? [];
  const total = (ws.db.prepare(`SELECT COUNT(*) AS n ${q.from}`).get(...params) as { n: number }).n;
  const rows = ws.db.prepare(`SELECT ${q.select} ${q.from} ORDER BY ${q.order} LIMIT ? OFFSET ?`).all(...params, page.page_size, (page.page - 1) * page.page_size) as Row[];
  return { items: rows.map(map), total, page: page.page, page_size: page.page_size, has_more: page.page * page.page_size < total };
}

/** A row by primary key, or NOT_FOUND with a hint where the id comes from. */
export function getRow<Row>(ws: Workspace, table: string, key: string, value: string, what: string, hint: string): Row {
  const row = ws.db.prepare(`SELECT * FROM ${table} WHERE ${key} = ?`).get(value) as Row | undefined;
  if (!row) throw notFound(what, value, hint);
  return row;
}

export const parseJsonList = (s: string | null | undefined): string[] => (s ? (JSON.parse(s) as string[]) : []);

/** The team member a principal acts as: its own record when the principal is a user_uid, else the workspace owner. */
export function actingUser(ws: Workspace, call: CallInfo): string {
  const own = ws.db.prepare('SELECT user_uid FROM team_members WHERE user_uid = ?').pluck().get(call.principal) as string | undefined;
  if (own) return own;
  const owner = ws.db.prepare(`SELECT user_uid FROM team_members ORDER BY CASE role WHEN 'owner' THEN 0 ELSE 1 END, user_uid LIMIT 1`).pluck().get() as string | undefined;
  if (!owner) throw notFound('team member', call.principal, 'The workspace has no team members; seed it with `nox-campaign-mcp seed`.');
  return owner;
}

/** A long free-text field as a list shows it: at most `max` characters, marked when cut (the _get shows it whole). */
export const trimmed = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** At most `n` items, for sample rows in previews. */
export const sample = <T>(items: T[], n = 10): T[] => items.slice(0, n);

/** Builds `col IN (...)` with bound parameters through json_each, which scales to thousands of ids. */
export const inJson = (column: string) => `${column} IN (SELECT value FROM json_each(?))`;

/** A LIKE pattern that matches the text literally (used with ESCAPE '\\'). */
export const escapeLike = (s: string): string => s.replace(/[\\%_]/g, (m) => `\\${m}`);

/** Collects WHERE conditions with their parameters. */
export class Where {
  private readonly parts: string[] = [];
  readonly params: unknown[] = [];
  add(condition: string, ...params: unknown[]): this {
    this.parts.push(condition);
    this.params.push(...params);
    return this;
  }
  /** Adds the condition only when the value is given. */
  maybe(value: unknown, condition: string, ...params: unknown[]): this {
    return value === undefined || value === null ? this : this.add(condition, ...params);
  }
  get sql(): string {
    return this.parts.length ? `WHERE ${this.parts.join(' AND ')}` : '';
  }
}

/** Loads the file named by fileFields, enforcing size and type. */
export function loadFile(ws: Workspace, input: { path?: string | undefined; content_base64?: string | undefined; filename?: string | undefined }, rules: InputRules): LoadedFile {
  return ws.files.load({ path: input.path, content_base64: input.content_base64, filename: input.filename }, rules);
}

export const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

/** A compact fingerprint of many rows for preview state: any change to any row changes it. */
export function fingerprint(rows: unknown[][]): { count: number; digest: string } {
  const h = createHash('sha256');
  for (const r of rows) h.update(JSON.stringify(r)).update('\n');
  return { count: rows.length, digest: h.digest('hex') };
}

/** Label ids that are not CRM labels. */
export function unknownLabels(ws: Workspace, labelIds: string[]): string[] {
  const known = new Set(
    ws.db
      .prepare(`SELECT label_id FROM crm_labels WHERE ${inJson('label_id')}`)
      .pluck()
      .all(JSON.stringify(labelIds)) as string[],
  );
  return [...new Set(labelIds)].filter((l) => !known.has(l));
}

/** A campaign an object is linked to must exist. */
export function checkCampaign(ws: Workspace, campaignId: string | null | undefined): void {
  if (campaignId && !ws.db.prepare('SELECT 1 FROM campaigns WHERE campaign_id = ?').get(campaignId)) throw notFound('campaign', campaignId, WHERE.campaign);
}

/** Visible text of an HTML body: scripts and styles dropped, tags removed, common entities decoded, whitespace collapsed. */
export function visibleText(html: string): string {
  return html
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;|&#160;|&#xa0;|&zwnj;|&zwj;|&#8203;|\u200b|\u00a0/gi, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, ' ')
    .trim();
}

// --- Team members (email collaborators and reports, CRM owners, export filters) ---

/** A team member a change names must exist (nothing to check when none is named). */
export function checkTeamMember(ws: Workspace, uid: string | null | undefined): void {
  if (uid && !ws.db.prepare('SELECT 1 FROM team_members WHERE user_uid = ?').get(uid)) throw notFound('team member', uid, WHERE.teamMember);
}
