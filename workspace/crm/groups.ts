// CRM groups in the embedded workspace.
import type { z } from 'zod';
import { groups, type group } from '../../tools/crm/groups.js';
import { WHERE } from '../../tools/hints.js';
import { notFound } from '../../src/errors.js';
import { implement, type Implemented } from '../implement.js';
import { escapeLike, pageQuery, Where } from '../shared.js';
import type { Workspace } from '../workspace.js';
import { deleteTag, duplicateName, uniqueName } from './tags.js';

type GroupRow = z.input<typeof group>;

const GROUP_SELECT = `g.group_id, g.name, g.description, g.created_at, (SELECT COUNT(*) FROM crm_channel_groups x WHERE x.group_id = g.group_id) AS channel_count`;

function loadGroup(ws: Workspace, groupId: string): GroupRow {
  const row = ws.db.prepare(`SELECT ${GROUP_SELECT} FROM crm_groups g WHERE g.group_id = ?`).get(groupId) as GroupRow | undefined;
  if (!row) throw notFound('CRM group', groupId, WHERE.crmGroup);
  return row;
}

/** A preview refuses a name another group has, as the apply's unique index would. */
function refuseTakenName(ws: Workspace, name: string, self: string | undefined): void {
  const other = ws.db
    .prepare('SELECT group_id FROM crm_groups WHERE name = ? COLLATE NOCASE AND group_id IS NOT ?')
    .pluck()
    .get(name, self ?? null) as string | undefined;
  if (other) throw duplicateName('group', name);
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
    read: (ws, input) => {
      refuseTakenName(ws, input.name, undefined);
      return { name: input.name, description: input.description };
    },
    state: (planned) => ({ name_free: planned.name.toLowerCase() }),
    effect: (_ws, _input, planned) => ({ effect: { group: planned }, summary: `Create CRM group "${planned.name}", visible to the whole team.` }),
    run: (ws, input) => {
      const gid = ws.newId('grp');
      uniqueName('group', input.name, () =>
        ws.db.prepare('INSERT INTO crm_groups (group_id, name, description, created_at) VALUES (?, ?, ?, ?)').run(gid, input.name, input.description, ws.now().toISOString()),
      );
      return { ...loadGroup(ws, gid), summary: `Created group "${input.name}" (${gid}).` };
    },
  }),
  update: implement(groups.update, {
    read: (ws, input) => {
      const row = loadGroup(ws, input.group_id);
      if (input.name !== undefined) refuseTakenName(ws, input.name, row.group_id);
      return row;
    },
    state: (row) => ({ group: { name: row.name, description: row.description } }),
    effect: (_ws, input, row) => {
      const after = { name: input.name ?? row.name, description: input.description ?? row.description };
      return { effect: { before: row, after }, summary: `Update CRM group "${row.name}" (${row.group_id}, ${row.channel_count} channel(s))${after.name !== row.name ? ` to "${after.name}"` : ''}.` };
    },
    run: (ws, input, _call, _loaded, row) => {
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
