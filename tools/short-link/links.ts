// Short links: normal Nox tracking links (never affiliate links: those come from affiliation members).
import { z } from 'zod';
import { defineContract } from '../../src/catalog.js';
import { FROM } from '../hints.js';
import { creatorId, httpUrl, ids, idString, pageInput, paged, searchText } from '../shared.js';

export const shortLink = z.object({
  short_link_id: z.string(),
  title: z.string(),
  short_url: z.string(),
  web: z.string().nullable().describe('Destination for web browsers.'),
  ios: z.string().nullable().describe('Destination on iOS.'),
  android: z.string().nullable().describe('Destination on Android.'),
  utm: z.record(z.string(), z.string()).describe('UTM fields that are set.'),
  creator_id: z.string().nullable().describe('The creator the link was made for, if any.'),
  created_by: z.string().describe('user_uid of the creator of the link.'),
  created_at: z.string(),
});

const dayString = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD')
  .describe('UTC date, YYYY-MM-DD.');
/** NoxInfluencer's short-link stats window: ISO 8601 date-times with an offset (its docs: --start-time 2026-07-01T00:00:00Z). */
const windowTime = (what: string) => z.iso.datetime({ offset: true }).describe(`${what}, an ISO 8601 date-time such as 2026-07-01T00:00:00Z.`);
/** Clicks are counted per UTC day: the longest window one call reads. */
export const MAX_WINDOW_DAYS = 366;
const utmField = (name: string) => z.string().trim().min(1).max(200).optional().describe(`${name} value.`);

export const links = {
  list: defineContract({
    name: 'short_link.list',
    title: 'List short links',
    description: 'Lists normal Nox short links, newest first, with clicks over the last 7 days.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/short-links' },
    input: z.strictObject({
      keyword: searchText(200).optional().describe('Matches title, short_url or destination.'),
      creator_uids: z.array(idString()).min(1).max(50).optional().describe(`Only links these team members made. ${FROM.teamMember}`),
      created_from: dayString.optional(),
      created_to: dayString.optional(),
      ...pageInput,
    }),
    output: paged(shortLink.extend({ clicks_7d: z.int() })),
  }),
  get: defineContract({
    name: 'short_link.get',
    title: 'Get a short link with clicks',
    description: `One short link with its clicks per UTC day over start_time..end_time (default the 7 UTC days up to now; at most ${MAX_WINDOW_DAYS} days).`,
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/short-links/:short_link_id' },
    input: z.strictObject({
      short_link_id: idString(),
      start_time: windowTime('Start of the window').optional(),
      end_time: windowTime('End of the window (default now)').optional(),
    }),
    output: shortLink.extend({
      window: z.object({ start_time: z.string(), end_time: z.string() }).describe('The window read, as ISO date-times in UTC.'),
      clicks_total: z.int(),
      clicks_by_day: z.array(z.object({ day: z.string(), clicks: z.int() })),
    }),
  }),
  create: defineContract({
    name: 'short_link.create',
    title: 'Create a short link',
    description: 'Creates a normal Nox tracking link (never an affiliate link) with at least one of web, ios, android; returns short_url.',
    kind: 'write',
    risk: 'low',
    riskReason: 'Adds one short link; nothing existing changes.',
    route: { method: 'POST', path: '/short-links' },
    input: z.strictObject({
      title: z.string().trim().min(1).max(200).describe('Title shown in the short link list.'),
      web: httpUrl('Destination for web browsers.').optional(),
      ios: httpUrl('Destination on iOS.').optional(),
      android: httpUrl('Destination on Android.').optional(),
      utm_source: utmField('utm_source'),
      utm_medium: utmField('utm_medium'),
      utm_campaign: utmField('utm_campaign'),
      utm_term: utmField('utm_term'),
      utm_content: utmField('utm_content'),
      creator_id: creatorId('Creator the link is made for (from creator_search).').optional(),
    }),
    output: shortLink,
    idsOf: (_i, o) => [o.short_link_id],
  }),
  update: defineContract({
    name: 'short_link.update',
    title: 'Rename a short link',
    description: 'Changes the title of a short link; destinations and UTM fields cannot change.',
    kind: 'write',
    risk: 'low',
    riskReason: "Edits one short link's targets or name; reversible.",
    hints: { idempotent: true },
    route: { method: 'PATCH', path: '/short-links/:short_link_id' },
    input: z.strictObject({ short_link_id: idString(), title: z.string().trim().min(1).max(200).describe('New title.') }),
    output: shortLink,
    idsOf: (i) => [i.short_link_id],
  }),
  delete: defineContract({
    name: 'short_link.delete',
    title: 'Delete short links',
    description: 'Deletes short links by id with their click history; emails already sent keep the (now dead) URL.',
    kind: 'write',
    risk: 'high',
    riskReason: 'Irreversible, and visible to creators: links already shared stop working.',
    confirm: true,
    route: { method: 'POST', path: '/short-links/delete' },
    input: z.strictObject({ short_link_ids: ids(undefined, 100) }),
    output: z.object({ deleted_count: z.int(), short_link_ids: z.array(z.string()), summary: z.string() }),
    effect: z.object({
      will_delete_count: z.int(),
      links: z.array(z.object({ short_link_id: z.string(), title: z.string(), short_url: z.string() })),
      used_in_tasks: z.array(z.string()).describe('Unsent email tasks whose body contains one of these URLs.'),
    }),
    idsOf: (i) => [...i.short_link_ids],
  }),
};
