// Short links: normal Nox tracking links (never affiliate links: those come from affiliation members).
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { defineOperation } from '../workspace/legacy.js';
import type { Workspace } from '../workspace/workspace.js';
import { invalid, notFound, ToolError } from '../src/errors.js';
import { actingUser, escapeLike, getRow, id, ids, inJson, pageInput, pageQuery, paged, Where, searchText } from './shared.js';

const HINT_ID = 'short_link_id values come from short_link_list.';
const SHORT_HOST = 'https://nox.to/';
const DAY = 86_400_000;

export interface ShortLinkRow {
  short_link_id: string;
  title: string;
  short_url: string;
  web_url: string | null;
  ios_url: string | null;
  android_url: string | null;
  utm_source: string | null;
  utm_medium: string | null;
  utm_campaign: string | null;
  utm_term: string | null;
  utm_content: string | null;
  creator_id: string | null;
  created_by: string;
  created_at: string;
}

const UTM = ['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content'] as const;

const shortLink = z.object({
  short_link_id: z.string(),
  title: z.string(),
  short_url: z.string(),
  web_url: z.string().nullable(),
  ios_url: z.string().nullable(),
  android_url: z.string().nullable(),
  utm: z.record(z.string(), z.string()).describe('UTM fields that are set.'),
  creator_id: z.string().nullable(),
  created_by: z.string().describe('user_uid of the creator of the link.'),
  created_at: z.string(),
});

function toShortLink(r: ShortLinkRow): z.input<typeof shortLink> {
  const utm: Record<string, string> = {};
  for (const k of UTM) if (r[k]) utm[k] = r[k]!;
  return { short_link_id: r.short_link_id, title: r.title, short_url: r.short_url, web_url: r.web_url, ios_url: r.ios_url, android_url: r.android_url, utm, creator_id: r.creator_id, created_by: r.created_by, created_at: r.created_at };
}

export function loadShortLink(ws: Workspace, sid: string): ShortLinkRow {
  return getRow<ShortLinkRow>(ws, 'short_links', 'short_link_id', sid, 'short link', HINT_ID);
}

/** The short link a value names: its short_link_id or its short_url. Affiliate tracking links are refused. */
export function resolveShortLink(ws: Workspace, value: string): ShortLinkRow {
  const row = ws.db.prepare('SELECT * FROM short_links WHERE short_link_id = ? OR short_url = ?').get(value, value) as ShortLinkRow | undefined;
  if (row) return row;
  refuseAffiliateLink(ws, value);
  throw notFound('short link', value, `Pass a short_link_id or short_url from short_link_list, or create one with short_link_create.`);
}

function refuseAffiliateLink(ws: Workspace, url: string): void {
  const member = ws.db.prepare('SELECT member_id FROM aff_members WHERE tracking_link = ?').pluck().get(url) as string | undefined;
  if (member) {
    throw invalid(`${url} is the affiliate tracking link of member ${member}, not a Nox short link.`, 'Affiliate tracking links are managed with the affiliation tools; short links are normal tracking links only.');
  }
}

const dayString = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD').describe('UTC date, YYYY-MM-DD.');
const httpUrl = (what: string) => z.url({ protocol: /^https?$/ }).max(2048).describe(what);
const utmField = (name: string) => z.string().trim().min(1).max(200).optional().describe(`${name} value.`);

export const shortLinkOperations = [
  defineOperation({
    name: 'short_link.list',
    toolset: 'short_link',
    title: 'List short links',
    description: 'Lists normal Nox short links (never affiliate links), newest first, with clicks over the last 7 days.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/short-links' },
    input: z.strictObject({
      keyword: searchText(200).optional().describe('Matches title, short_url or destination.'),
      creator_id: id('Only links made for this creator.').optional(),
      created_from: dayString.optional(),
      created_to: dayString.optional(),
      ...pageInput,
    }),
    output: paged(shortLink.extend({ clicks_7d: z.int() })),
    run: (ws, input) => {
      const like = `%${escapeLike(input.keyword ?? '')}%`;
      const w = new Where()
        .maybe(input.keyword, `(title LIKE ? ESCAPE '\\' OR short_url LIKE ? ESCAPE '\\' OR web_url LIKE ? ESCAPE '\\')`, like, like, like)
        .maybe(input.creator_id, 'creator_id = ?', input.creator_id)
        .maybe(input.created_from, 'substr(created_at, 1, 10) >= ?', input.created_from)
        .maybe(input.created_to, 'substr(created_at, 1, 10) <= ?', input.created_to);
      const since = new Date(ws.now().getTime() - 6 * DAY).toISOString().slice(0, 10);
      const clicks = ws.db.prepare('SELECT COALESCE(SUM(clicks), 0) FROM short_link_clicks WHERE short_link_id = ? AND day >= ?').pluck();
      return pageQuery<ShortLinkRow, z.input<typeof shortLink> & { clicks_7d: number }>(ws, { select: '*', from: `FROM short_links ${w.sql}`, order: 'created_at DESC, short_link_id', params: w.params }, input, (r) => ({
        ...toShortLink(r),
        clicks_7d: clicks.get(r.short_link_id, since) as number,
      }));
    },
  }),
  defineOperation({
    name: 'short_link.get',
    toolset: 'short_link',
    title: 'Get a short link with clicks',
    description: 'One short link with its clicks per day over a window (default the last 7 days, up to 366).',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/short-links/:short_link_id' },
    input: z.strictObject({
      short_link_id: id(`The link's id. ${HINT_ID}`),
      from: dayString.optional(),
      to: dayString.optional(),
    }),
    output: shortLink.extend({
      window: z.object({ from: z.string(), to: z.string() }),
      clicks_total: z.int(),
      clicks_by_day: z.array(z.object({ day: z.string(), clicks: z.int() })),
    }),
    run: (ws, input) => {
      const row = loadShortLink(ws, input.short_link_id);
      const to = input.to ?? ws.now().toISOString().slice(0, 10);
      const from = input.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - 6 * DAY).toISOString().slice(0, 10);
      const span = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY;
      if (!(span >= 0)) throw invalid('The window is empty or invalid: from must be on or before to.', 'Give from and to as YYYY-MM-DD with from <= to.');
      if (span > 365) throw invalid('The window is longer than 366 days.', 'Ask for at most 366 days at a time.');
      const rows = ws.db.prepare('SELECT day, clicks FROM short_link_clicks WHERE short_link_id = ? AND day BETWEEN ? AND ?').all(row.short_link_id, from, to) as { day: string; clicks: number }[];
      const byDay = new Map(rows.map((r) => [r.day, r.clicks]));
      const days: { day: string; clicks: number }[] = [];
      for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += DAY) {
        const day = new Date(t).toISOString().slice(0, 10);
        days.push({ day, clicks: byDay.get(day) ?? 0 });
      }
      return { ...toShortLink(row), window: { from, to }, clicks_total: days.reduce((s, d) => s + d.clicks, 0), clicks_by_day: days };
    },
  }),
  defineOperation({
    name: 'short_link.create',
    toolset: 'short_link',
    title: 'Create a short link',
    description: 'Creates a normal Nox tracking link (title, at least one of web_url/ios_url/android_url, optional UTM fields); returns short_url. Never an affiliate link.',
    kind: 'write',
    risk: 'low',
    route: { method: 'POST', path: '/short-links' },
    input: z.strictObject({
      title: z.string().trim().min(1).max(200).describe('Title shown in the short link list.'),
      web_url: httpUrl('Destination for web browsers.').optional(),
      ios_url: httpUrl('Destination on iOS.').optional(),
      android_url: httpUrl('Destination on Android.').optional(),
      utm_source: utmField('utm_source'),
      utm_medium: utmField('utm_medium'),
      utm_campaign: utmField('utm_campaign'),
      utm_term: utmField('utm_term'),
      utm_content: utmField('utm_content'),
      creator_id: id('Creator the link is made for (from creator_search).').optional(),
    }),
    output: shortLink,
    idsOf: (_i, o) => [o.short_link_id],
    run: (ws, input, call) => {
      const dests = [input.web_url, input.ios_url, input.android_url].filter((u): u is string => !!u);
      if (dests.length === 0) throw invalid('A short link needs at least one destination: web_url, ios_url or android_url.', 'Pass the approved destination URL as web_url.');
      for (const d of dests) refuseAffiliateLink(ws, d);
      if (input.creator_id && !ws.db.prepare('SELECT 1 FROM creators WHERE creator_id = ?').get(input.creator_id)) throw notFound('creator', input.creator_id, 'Creator ids come from creator_search.');
      const sid = ws.newId('sl');
      let url: string;
      do url = `${SHORT_HOST}${randomBytes(6).toString('base64url').slice(0, 7)}`;
      while (ws.db.prepare('SELECT 1 FROM short_links WHERE short_url = ?').get(url));
      ws.db
        .prepare(
          `INSERT INTO short_links (short_link_id, title, short_url, web_url, ios_url, android_url, utm_source, utm_medium, utm_campaign, utm_term, utm_content, creator_id, created_by, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(sid, input.title, url, input.web_url ?? null, input.ios_url ?? null, input.android_url ?? null, ...UTM.map((k) => input[k] ?? null), input.creator_id ?? null, actingUser(ws, call), ws.now().toISOString());
      return toShortLink(loadShortLink(ws, sid));
    },
  }),
  defineOperation({
    name: 'short_link.update',
    toolset: 'short_link',
    title: 'Rename a short link',
    description: 'Changes the title of a short link; destinations and UTM fields cannot change (create a new link instead).',
    kind: 'write',
    risk: 'low',
    hints: { idempotent: true },
    route: { method: 'PATCH', path: '/short-links/:short_link_id' },
    input: z.strictObject({ short_link_id: id(`The link's id. ${HINT_ID}`), title: z.string().trim().min(1).max(200).describe('New title.') }),
    output: shortLink,
    idsOf: (i) => [i.short_link_id],
    run: (ws, input) => {
      loadShortLink(ws, input.short_link_id);
      ws.db.prepare('UPDATE short_links SET title = ? WHERE short_link_id = ?').run(input.title, input.short_link_id);
      return toShortLink(loadShortLink(ws, input.short_link_id));
    },
  }),
  defineOperation({
    name: 'short_link.delete',
    toolset: 'short_link',
    title: 'Delete short links',
    description: 'Deletes short links by id with their click history; emails already sent keep the (now dead) URL.',
    kind: 'write',
    risk: 'high',
    confirm: true,
    route: { method: 'POST', path: '/short-links/delete' },
    input: z.strictObject({ short_link_ids: ids(`Links to delete. ${HINT_ID}`, 100) }),
    output: z.object({ deleted_count: z.int(), short_link_ids: z.array(z.string()), summary: z.string() }),
    idsOf: (i) => [...i.short_link_ids],
    preview: {
      effect: z.object({
        will_delete_count: z.int(),
        links: z.array(z.object({ short_link_id: z.string(), title: z.string(), short_url: z.string() })),
        used_in_tasks: z.array(z.string()).describe('Unsent email tasks whose body contains one of these URLs.'),
      }),
      read: (ws, input) => {
        const rows = [...new Set(input.short_link_ids)].sort().map((sid) => loadShortLink(ws, sid));
        const used = tasksUsing(ws, rows.map((r) => r.short_url));
        if (used.scheduled.length) {
          throw new ToolError('CONFLICT', `Scheduled email task(s) ${used.scheduled.join(', ')} embed these links.`, { hint: 'Cancel the schedule (email_cancel) and change the content first.' });
        }
        return {
          effect: { will_delete_count: rows.length, links: rows.map((r) => ({ short_link_id: r.short_link_id, title: r.title, short_url: r.short_url })), used_in_tasks: used.drafts },
          state: { links: rows.map((r) => r.short_link_id), used: used.drafts },
          summary: `Delete ${rows.length} short link(s)${used.drafts.length ? `; ${used.drafts.length} draft email task(s) still embed them` : ''}.`,
        };
      },
    },
    run: (ws, input) => {
      const unique = [...new Set(input.short_link_ids)].sort();
      const res = ws.db.prepare(`DELETE FROM short_links WHERE ${inJson('short_link_id')}`).run(JSON.stringify(unique));
      return { deleted_count: res.changes, short_link_ids: unique, summary: `Deleted ${res.changes} short link(s).` };
    },
  }),
];

function tasksUsing(ws: Workspace, urls: string[]): { drafts: string[]; scheduled: string[] } {
  const rows = ws.db.prepare(`SELECT task_id, status, html_body, text_body FROM email_tasks WHERE status IN ('draft','cancelled','scheduled')`).all() as { task_id: string; status: string; html_body: string; text_body: string }[];
  const hit = rows.filter((r) => urls.some((u) => r.html_body.includes(u) || r.text_body.includes(u)));
  return { drafts: hit.filter((r) => r.status !== 'scheduled').map((r) => r.task_id), scheduled: hit.filter((r) => r.status === 'scheduled').map((r) => r.task_id) };
}
