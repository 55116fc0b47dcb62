// Short links in the embedded workspace: normal Nox tracking links, their clicks, and the refusal
// of affiliate tracking links wherever a short link is expected.
import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { invalid, notFound, ToolError } from '../../src/errors.js';
import { links, MAX_WINDOW_DAYS, type shortLink } from '../../tools/short-link/links.js';
import { WHERE } from '../../tools/hints.js';
import { implement, type Implemented } from '../implement.js';
import { actingUser, escapeLike, getRow, inJson, pageQuery, Where } from '../shared.js';
import type { Workspace } from '../workspace.js';

const SHORT_HOST = 'https://nox.to/';
const DAY = 86_400_000;
const UTM = ['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content'] as const;

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

type ShortLink = z.input<typeof shortLink>;

function toShortLink(r: ShortLinkRow): ShortLink {
  const utm: Record<string, string> = {};
  for (const k of UTM) if (r[k]) utm[k] = r[k]!;
  return {
    short_link_id: r.short_link_id,
    title: r.title,
    short_url: r.short_url,
    web: r.web_url,
    ios: r.ios_url,
    android: r.android_url,
    utm,
    creator_id: r.creator_id,
    created_by: r.created_by,
    created_at: r.created_at,
  };
}

export function loadShortLink(ws: Workspace, sid: string): ShortLinkRow {
  return getRow<ShortLinkRow>(ws, 'short_links', 'short_link_id', sid, 'short link', WHERE.shortLink);
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
    throw invalid(
      `${url} is the affiliate tracking link of member ${member}, not a Nox short link.`,
      'Affiliate tracking links are managed with the affiliation tools; short links are normal tracking links only.',
    );
  }
}

/** Unsent email tasks whose body embeds one of the URLs: drafts (and cancelled) apart from scheduled ones. */
function tasksUsing(ws: Workspace, urls: string[]): { drafts: string[]; scheduled: string[] } {
  const rows = ws.db.prepare(`SELECT task_id, status, html_body, text_body FROM email_tasks WHERE status IN ('draft','cancelled','scheduled')`).all() as {
    task_id: string;
    status: string;
    html_body: string;
    text_body: string;
  }[];
  const hit = rows.filter((r) => urls.some((u) => r.html_body.includes(u) || r.text_body.includes(u)));
  return { drafts: hit.filter((r) => r.status !== 'scheduled').map((r) => r.task_id), scheduled: hit.filter((r) => r.status === 'scheduled').map((r) => r.task_id) };
}

/** The UTC days from..to, both included, as YYYY-MM-DD. */
function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += DAY) days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

export const linksImplementations = {
  list: implement(links.list, {
    run: (ws, input) => {
      const like = `%${escapeLike(input.keyword ?? '')}%`;
      const w = new Where()
        .maybe(input.keyword, `(title LIKE ? ESCAPE '\\' OR short_url LIKE ? ESCAPE '\\' OR web_url LIKE ? ESCAPE '\\')`, like, like, like)
        .maybe(input.creator_uids, inJson('created_by'), JSON.stringify(input.creator_uids))
        .maybe(input.created_from, 'substr(created_at, 1, 10) >= ?', input.created_from)
        .maybe(input.created_to, 'substr(created_at, 1, 10) <= ?', input.created_to);
      const since = new Date(ws.now().getTime() - 6 * DAY).toISOString().slice(0, 10);
      const clicks = ws.db.prepare('SELECT COALESCE(SUM(clicks), 0) FROM short_link_clicks WHERE short_link_id = ? AND day >= ?').pluck();
      return pageQuery<ShortLinkRow, ShortLink & { clicks_7d: number }>(
        ws,
        { select: '*', from: `FROM short_links ${w.sql}`, order: 'created_at DESC, short_link_id', params: w.params },
        input,
        (r) => ({
          ...toShortLink(r),
          clicks_7d: clicks.get(r.short_link_id, since) as number,
        }),
      );
    },
  }),
  get: implement(links.get, {
    run: (ws, input) => {
      const row = loadShortLink(ws, input.short_link_id);
      const end = input.end_time ? new Date(input.end_time) : ws.now();
      const start = input.start_time ? new Date(input.start_time) : new Date(end.getTime() - 6 * DAY);
      if (!(start.getTime() <= end.getTime()))
        throw invalid('The window is empty: start_time must be on or before end_time.', 'Give start_time and end_time as ISO date-times with start_time <= end_time.');
      const [from, to] = [start.toISOString().slice(0, 10), end.toISOString().slice(0, 10)];
      // Clicks are kept per UTC day: the window covers every day it touches.
      const days = daysBetween(from, to);
      if (days.length > MAX_WINDOW_DAYS) throw invalid(`The window touches ${days.length} days; at most ${MAX_WINDOW_DAYS} are read at a time.`, `Ask for at most ${MAX_WINDOW_DAYS} days at a time.`);
      const rows = ws.db.prepare('SELECT day, clicks FROM short_link_clicks WHERE short_link_id = ? AND day BETWEEN ? AND ?').all(row.short_link_id, from, to) as { day: string; clicks: number }[];
      const byDay = new Map(rows.map((r) => [r.day, r.clicks]));
      const perDay = days.map((day) => ({ day, clicks: byDay.get(day) ?? 0 }));
      return { ...toShortLink(row), window: { start_time: start.toISOString(), end_time: end.toISOString() }, clicks_total: perDay.reduce((n, d) => n + d.clicks, 0), clicks_by_day: perDay };
    },
  }),
  create: implement(links.create, {
    run: (ws, input, call) => {
      const dests = [input.web, input.ios, input.android].filter((u): u is string => !!u);
      if (dests.length === 0) throw invalid('A short link needs at least one destination: web, ios or android.', 'Pass the approved destination URL as web.');
      for (const d of dests) refuseAffiliateLink(ws, d);
      if (input.creator_id && !ws.db.prepare('SELECT 1 FROM creators WHERE creator_id = ?').get(input.creator_id)) throw notFound('creator', input.creator_id, WHERE.creator);
      const sid = ws.newId('sl');
      let url: string;
      do url = `${SHORT_HOST}${randomBytes(6).toString('base64url').slice(0, 7)}`;
      while (ws.db.prepare('SELECT 1 FROM short_links WHERE short_url = ?').get(url));
      ws.db
        .prepare(
          `INSERT INTO short_links (short_link_id, title, short_url, web_url, ios_url, android_url, utm_source, utm_medium, utm_campaign, utm_term, utm_content, creator_id, created_by, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          sid,
          input.title,
          url,
          input.web ?? null,
          input.ios ?? null,
          input.android ?? null,
          ...UTM.map((k) => input[k] ?? null),
          input.creator_id ?? null,
          actingUser(ws, call),
          ws.now().toISOString(),
        );
      return toShortLink(loadShortLink(ws, sid));
    },
  }),
  update: implement(links.update, {
    run: (ws, input) => {
      loadShortLink(ws, input.short_link_id);
      ws.db.prepare('UPDATE short_links SET title = ? WHERE short_link_id = ?').run(input.title, input.short_link_id);
      return toShortLink(loadShortLink(ws, input.short_link_id));
    },
  }),
  delete: implement(links.delete, {
    // One reading: the links and the unsent tasks that embed them; a scheduled task refuses the delete.
    read: (ws, input) => {
      const rows = [...new Set(input.short_link_ids)].sort().map((sid) => loadShortLink(ws, sid));
      const used = tasksUsing(
        ws,
        rows.map((r) => r.short_url),
      );
      if (used.scheduled.length) {
        throw new ToolError('CONFLICT', `Scheduled email task(s) ${used.scheduled.join(', ')} embed these links.`, { hint: 'Cancel the schedule (email_cancel) and change the content first.' });
      }
      return { rows, draftsUsing: used.drafts };
    },
    state: ({ rows, draftsUsing }) => ({ links: rows.map((r) => r.short_link_id), used: draftsUsing }),
    effect: (_ws, _input, { rows, draftsUsing }) => ({
      effect: { will_delete_count: rows.length, links: rows.map((r) => ({ short_link_id: r.short_link_id, title: r.title, short_url: r.short_url })), used_in_tasks: draftsUsing },
      summary: `Delete ${rows.length} short link(s)${draftsUsing.length ? `; ${draftsUsing.length} draft email task(s) still embed them` : ''}.`,
    }),
    run: (ws, _input, _call, _loaded, { rows }) => {
      const linkIds = rows.map((r) => r.short_link_id);
      const res = ws.db.prepare(`DELETE FROM short_links WHERE ${inJson('short_link_id')}`).run(JSON.stringify(linkIds));
      return { deleted_count: res.changes, short_link_ids: linkIds, summary: `Deleted ${res.changes} short link(s).` };
    },
  }),
} satisfies Implemented<typeof links>;
