// CRM channel rows in the embedded workspace: reading them, checking the labels and groups a change
// names, and the set-based writes the single and batch changes share.
import type { z } from 'zod';
import type { channel } from '../../tools/crm/channels.js';
import { WHERE } from '../../tools/hints.js';
import { notFound, ToolError } from '../../src/errors.js';
import { inJson, unknownLabels } from '../shared.js';
import type { Workspace } from '../workspace.js';

export type Channel = z.input<typeof channel>;

export interface ChannelRow {
  creator_id: string;
  platform: string;
  nickname: string;
  channel_id: string;
  channel_url: string;
  coop_status: string;
  labels: string;
  groups: string;
  owner_uid: string | null;
  email: string | null;
  url: string | null;
  remark: string;
  archived: number;
  created_at: string;
  updated_at: string;
}

export const CHANNEL_SELECT = `ch.creator_id, ch.platform, c.nickname, c.channel_id, c.channel_url, ch.coop_status, ch.owner_uid, ch.email, ch.url, ch.remark,
  ch.archived, ch.created_at, ch.updated_at,
  (SELECT json_group_array(label_id) FROM (SELECT label_id FROM crm_channel_labels l WHERE l.creator_id = ch.creator_id ORDER BY label_id)) AS labels,
  (SELECT json_group_array(group_id) FROM (SELECT group_id FROM crm_channel_groups g WHERE g.creator_id = ch.creator_id ORDER BY group_id)) AS groups`;
export const CHANNEL_FROM = 'FROM crm_channels ch JOIN creators c ON c.creator_id = ch.creator_id';

export const toChannel = (r: ChannelRow): Channel => ({
  creator_id: r.creator_id,
  platform: r.platform,
  nickname: r.nickname,
  channel_id: r.channel_id,
  channel_url: r.channel_url,
  coop_status: r.coop_status,
  label_ids: JSON.parse(r.labels) as string[],
  group_ids: JSON.parse(r.groups) as string[],
  owner_uid: r.owner_uid,
  email: r.email,
  url: r.url,
  remark: r.remark,
  archived: r.archived === 1,
  created_at: r.created_at,
  updated_at: r.updated_at,
});

export function findChannel(ws: Workspace, cid: string): Channel | undefined {
  const row = ws.db.prepare(`SELECT ${CHANNEL_SELECT} ${CHANNEL_FROM} WHERE ch.creator_id = ?`).get(cid) as ChannelRow | undefined;
  return row && toChannel(row);
}

export function loadChannel(ws: Workspace, cid: string): Channel {
  const ch = findChannel(ws, cid);
  if (!ch) throw notFound('CRM channel for creator', cid, `${WHERE.crmChannel} A coop_status or label change (crm_update_preview, crm_batch_update_preview) creates the channel.`);
  return ch;
}

export function checkLabels(ws: Workspace, labelIds: string[] | undefined): void {
  const unknown = labelIds ? unknownLabels(ws, labelIds) : [];
  if (unknown.length) throw new ToolError('NOT_FOUND', `Unknown label id(s): ${unknown.join(', ')}.`, { hint: `${WHERE.crmLabel} Create one with crm_labels_create.`, actionType: 'look_up_id' });
}

export function checkGroups(ws: Workspace, groupIds: string[] | undefined): void {
  if (!groupIds?.length) return;
  const known = new Set(
    ws.db
      .prepare(`SELECT group_id FROM crm_groups WHERE ${inJson('group_id')}`)
      .pluck()
      .all(JSON.stringify(groupIds)) as string[],
  );
  const unknown = [...new Set(groupIds)].filter((g) => !known.has(g));
  if (unknown.length) throw new ToolError('NOT_FOUND', `Unknown group id(s): ${unknown.join(', ')}.`, { hint: WHERE.crmGroup, actionType: 'look_up_id' });
}

/** Creates channels for valid creators (set-based): the platform and channel URL come from the creator. */
export function createChannels(ws: Workspace, creatorIds: string[], v: { coop_status: string; owner_uid: string | null; archived?: boolean; email?: string | null; remark?: string }): number {
  if (!creatorIds.length) return 0;
  const at = ws.now().toISOString();
  return ws.db
    .prepare(
      `INSERT OR IGNORE INTO crm_channels (creator_id, platform, coop_status, owner_uid, email, url, remark, archived, created_at, updated_at)
       SELECT c.creator_id, c.platform, ?, ?, ?, c.channel_url, ?, ?, ?, ? FROM creators c WHERE ${inJson('c.creator_id')}`,
    )
    .run(v.coop_status, v.owner_uid, v.email ?? null, v.remark ?? '', v.archived ? 1 : 0, at, at, JSON.stringify(creatorIds)).changes;
}

export function setLabels(ws: Workspace, creatorIds: string[], labelIds: string[], operation: 'add' | 'remove' | 'replace'): void {
  if (!creatorIds.length) return;
  const cids = JSON.stringify(creatorIds);
  if (operation === 'replace') ws.db.prepare(`DELETE FROM crm_channel_labels WHERE ${inJson('creator_id')}`).run(cids);
  if (operation === 'remove') ws.db.prepare(`DELETE FROM crm_channel_labels WHERE ${inJson('creator_id')} AND label_id IN (SELECT value FROM json_each(?))`).run(cids, JSON.stringify(labelIds));
  else ws.db.prepare(`INSERT OR IGNORE INTO crm_channel_labels (creator_id, label_id) SELECT c.value, l.value FROM json_each(?) c, json_each(?) l`).run(cids, JSON.stringify(labelIds));
}

/** Marks channels changed, so previews that read them go stale. */
export function touchChannels(ws: Workspace, creatorIds: string[]): void {
  ws.db.prepare(`UPDATE crm_channels SET updated_at = ? WHERE ${inJson('creator_id')}`).run(ws.now().toISOString(), JSON.stringify(creatorIds));
}

/** Creator nicknames for preview sample rows. */
export function nicknames(ws: Workspace, creatorIds: string[]): Map<string, string> {
  const rows = ws.db.prepare(`SELECT creator_id, nickname FROM creators WHERE ${inJson('creator_id')}`).all(JSON.stringify(creatorIds)) as { creator_id: string; nickname: string }[];
  return new Map(rows.map((r) => [r.creator_id, r.nickname]));
}
