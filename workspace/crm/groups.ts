// CRM groups in the embedded workspace.
import type { z } from 'zod';
import { groups, type group } from '../../tools/crm/groups.js';
import { WHERE } from '../../tools/hints.js';
import { notFound } from '../../src/errors.js';
import { implement, type Implemented } from '../implement.js';
import { escapeLike, pageQuery, Where } from '../shared.js';
import type { Workspace } from '../workspace.js';
import { deleteTag, uniqueName } from './tags.js';

type GroupRow = z.input<typeof group>;

const GROUP_SELECT = `g.group_id, g.name, g.description, g.created_at, (SELECT COUNT(*) FROM crm_channel_groups x WHERE x.group_id = g.group_id) AS channel_count`;

function loadGroup(ws: Workspace, groupId: string): GroupRow {
  const row = ws.db.prepare(`SELECT ${GROUP_SELECT} FROM crm_groups g WHERE g.group_id = ?`).get(groupId) as GroupRow | undefined;
  if (!row) throw notFound('CRM group', groupId, WHERE.crmGroup);
  return row;
}

export const groupImplementations = {
  list: implement(groups.list, {
    run: (ws, input) => {
      const w = new Where().maybe(input.keyword, `g.name LIKE ? ESCAPE '\\'`, `%${escapeLike(input.keyword ?? '')}%`);
      return pageQuery<GroupRow, GroupRow>(ws, { select: GROUP_SELECT, from: `FROM crm_groups g ${w.sql}`, order: 'g.name COLLATE NOCASE, g.group_id', params: w.params }, input, (r) => r);
    },
  }),
  get: implement(groups.get, {
    run: (ws, input) => {
      const row = loadGroup(ws, input.group_id);
      const members = ws.db.prepare('SELECT creator_id FROM crm_channel_groups WHERE group_id = ? ORDER BY creator_id LIMIT 50').pluck().all(row.group_id) as string[];
      return { ...row, creator_ids: members };
    },
  }),
  create: implement(groups.create, {
    run: (ws, input) => {
      const gid = ws.newId('grp');
      uniqueName('group', input.name, () => ws.db.prepare('INSERT INTO crm_groups (group_id, name, description, created_at) VALUES (?, ?, ?, ?)').run(gid, input.name, input.description, ws.now().toISOString()));
      return { ...loadGroup(ws, gid), summary: `Created group "${input.name}" (${gid}).` };
    },
  }),
  update: implement(groups.update, {
    run: (ws, input) => {
      const row = loadGroup(ws, input.group_id);
      const name = input.name ?? row.name;
      uniqueName('group', name, () => ws.db.prepare('UPDATE crm_groups SET name = ?, description = ? WHERE group_id = ?').run(name, input.description ?? row.description, row.group_id));
      return { ...loadGroup(ws, row.group_id), summary: `Updated group ${row.group_id}.` };
    },
  }),
  delete: implement(groups.delete, {
    read: (ws, input) => loadGroup(ws, input.group_id),
    state: (row) => ({ group: { name: row.name, channels: row.channel_count } }),
    effect: (_ws, _input, row) => ({ effect: { group: row }, summary: `Delete group "${row.name}" (${row.group_id}) holding ${row.channel_count} channel(s).` }),
    run: (ws, _input, _call, _loaded, row) => {
      const n = deleteTag(ws, 'group', row.group_id);
      return { deleted: true, group_id: row.group_id, removed_from_channels: n, summary: `Deleted group "${row.name}"; ${n} channel(s) left it.` };
    },
  }),
} satisfies Implemented<typeof groups>;
