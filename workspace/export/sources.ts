// What each kind of export reads: one keyset-paged query per kind.
import { invalid, notFound } from '../../src/errors.js';
import { crmFilter, type CreateInput, type ExportParams } from '../../tools/export/exports.js';
import { WHERE } from '../../tools/hints.js';
import { checkCampaign, checkTeamMember, escapeLike, getRow, inJson, Where } from '../shared.js';
import { checkCoopStatus } from '../coop-statuses.js';
import type { Workspace } from '../workspace.js';

/** Rows read per keyset page. */
const CHUNK = 500;

export interface Source {
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

export function sourceOf(ws: Workspace, p: ExportParams): Source {
  const only = (field: keyof ExportParams, kinds: string) => {
    if (p[field] !== undefined) throw invalid(`${field} belongs to kind ${kinds}, not ${p.kind}.`, `Remove ${field}, or set kind to ${kinds}.`);
  };
  if (p.kind === 'collection') {
    only('crm_filter', 'crm');
    only('brand_id', 'brand_monitor');
    if (!p.collection_id || !p.platform) throw invalid('A collection export needs collection_id and platform.', `${WHERE.collection} Exports are per platform.`);
    const col = getRow<{ name: string; campaign_id: string | null }>(ws, 'collections', 'collection_id', p.collection_id, 'collection', WHERE.collection);
    return {
      label: `collection "${col.name}" (${p.platform})`,
      columns: ['creator_id', 'platform', 'channel_id', 'channel_url', 'nickname', 'followers', 'country', 'language', 'email', 'email_refreshed_at', 'label_ids', 'added_at', 'source'],
      select: `i.creator_id, i.platform, c.channel_id, c.channel_url, c.nickname, c.followers, c.country, c.language, i.email, i.email_refreshed_at, i.label_ids_json, i.added_at, i.source`,
      from: 'FROM collection_items i JOIN creators c ON c.creator_id = i.creator_id WHERE i.collection_id = ? AND i.platform = ?',
      params: [p.collection_id, p.platform],
      key: 'i.creator_id',
      stamp: `i.added_at || coalesce(i.email_refreshed_at, '') || i.label_ids_json`,
      toRow: (r) => [
        r.creator_id,
        r.platform,
        r.channel_id,
        r.channel_url,
        r.nickname,
        r.followers,
        r.country,
        r.language,
        r.email,
        r.email_refreshed_at,
        list(r.label_ids_json),
        r.added_at,
        r.source,
      ],
      campaignId: col.campaign_id,
    };
  }
  if (p.kind === 'crm') {
    only('collection_id', 'collection');
    only('brand_id', 'brand_monitor');
    const f = p.crm_filter ?? crmFilter.parse({});
    for (const l of f.label_ids ?? []) if (!ws.db.prepare('SELECT 1 FROM crm_labels WHERE label_id = ?').get(l)) throw notFound('CRM label', l, WHERE.crmLabel);
    for (const c of f.coop_status ?? []) checkCoopStatus(ws, c);
    checkTeamMember(ws, f.owner_uid);
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
  if (!p.brand_id) throw invalid('A brand_monitor export needs brand_id.', WHERE.brand);
  const brand = getRow<{ name: string }>(ws, 'brands', 'brand_id', p.brand_id, 'brand', WHERE.brand);
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

export function measure(ws: Workspace, src: Source): { n: number; m: string | null } {
  return ws.db.prepare(`SELECT COUNT(*) AS n, MAX(${src.stamp}) AS m ${src.from}`).get(...src.params) as { n: number; m: string | null };
}

/** One keyset page; short reads keep the connection free for other calls between pages. */
export function page(ws: Workspace, src: Source, after: string | null): Record<string, unknown>[] {
  const cond = after === null ? '' : ` AND ${src.key} > ?`;
  const rows: Record<string, unknown>[] = [];
  for (const r of ws.db.prepare(`SELECT ${src.key} AS _k, ${src.select} ${src.from}${cond} ORDER BY ${src.key} LIMIT ?`).iterate(...src.params, ...(after === null ? [] : [after]), CHUNK))
    rows.push(r as Record<string, unknown>);
  return rows;
}

/** The campaign an export is for: the one named (it must exist), else the source's own. */
export function campaignFor(ws: Workspace, input: CreateInput, src: Source): string | null {
  if (!input.campaign_id) return src.campaignId;
  checkCampaign(ws, input.campaign_id);
  return input.campaign_id;
}
