// Email task collaborators in the embedded workspace.
import { invalid, notFound, ToolError } from '../../src/errors.js';
import { collaborators } from '../../tools/email/collaborators.js';
import { implement, type Implemented } from '../implement.js';
import { checkTeamMember } from '../shared.js';
import type { Workspace } from '../workspace.js';
import { collaboratorsOf, loadTask, type TaskRow } from './task-store.js';

/** The wanted set against the current one (the owner apart): who is added, removed, or changes permission. */
function planCollaborators(ws: Workspace, t: TaskRow, wanted: { user_uid: string; permission: string }[]) {
  const seen = new Set<string>();
  for (const c of wanted) {
    if (c.user_uid === t.owner_uid) throw invalid(`${c.user_uid} owns task ${t.task_id}; the owner always stays and is not part of the list.`, 'Leave the owner out of collaborators.');
    if (seen.has(c.user_uid)) throw invalid(`${c.user_uid} appears twice.`, 'List each team member once.');
    seen.add(c.user_uid);
    checkTeamMember(ws, c.user_uid);
  }
  const current = new Map(
    collaboratorsOf(ws, t.task_id)
      .filter((c) => c.permission !== 'owner')
      .map((c) => [c.user_uid, c.permission]),
  );
  const next = new Map(wanted.map((c) => [c.user_uid, c.permission]));
  return {
    task: t,
    current,
    add: [...next].filter(([u]) => !current.has(u)).map(([user_uid, permission]) => ({ user_uid, permission })),
    remove: [...current.keys()].filter((u) => !next.has(u)),
    change: [...next].filter(([u, p]) => current.has(u) && current.get(u) !== p).map(([user_uid, permission]) => ({ user_uid, permission })),
  };
}

/** A team member's name and current permission on a task (null when not a collaborator). */
function accessOf(ws: Workspace, taskId: string, userUid: string): { name: string; permission: string | null } {
  const row = ws.db
    .prepare('SELECT m.name, c.permission FROM team_members m LEFT JOIN email_task_collaborators c ON c.user_uid = m.user_uid AND c.task_id = ? WHERE m.user_uid = ?')
    .get(taskId, userUid) as { name: string; permission: string | null } | undefined;
  return { name: row?.name ?? userUid, permission: row?.permission ?? null };
}

export const collaboratorImplementations = {
  list: implement(collaborators.list, {
    run: (ws, input) => {
      if (!input.task_id) {
        const teamMembers = ws.db.prepare('SELECT user_uid, name, email, role FROM team_members ORDER BY user_uid').all() as { user_uid: string; name: string; email: string; role: string }[];
        return { task_id: null, team_members: teamMembers, collaborators: [] };
      }
      const t = loadTask(ws, input.task_id);
      return { task_id: t.task_id, team_members: [], collaborators: collaboratorsOf(ws, t.task_id) };
    },
  }),
  add: implement(collaborators.add, {
    read: (ws, input) => {
      const t = loadTask(ws, input.task_id);
      if (input.user_uid === t.owner_uid) throw new ToolError('CONFLICT', `${input.user_uid} owns task ${t.task_id}; the owner's access cannot change.`, { hint: 'Add another team member.' });
      checkTeamMember(ws, input.user_uid);
      return { task: t, member: accessOf(ws, t.task_id, input.user_uid) };
    },
    state: ({ member }) => ({ permission: member.permission }),
    effect: (_ws, input, { task, member }) => ({
      effect: { task_id: task.task_id, task_name: task.name, user_uid: input.user_uid, name: member.name, permission: input.permission, previous_permission: member.permission },
      summary: `Give ${member.name} (${input.user_uid}) ${input.permission} access to email task "${task.name}" (${task.task_id})${member.permission ? `; was ${member.permission}` : ''}.`,
    }),
    run: (ws, input, _call, _loaded, { task, member }) => {
      ws.db
        .prepare('INSERT INTO email_task_collaborators (task_id, user_uid, permission) VALUES (?, ?, ?) ON CONFLICT (task_id, user_uid) DO UPDATE SET permission = excluded.permission')
        .run(task.task_id, input.user_uid, input.permission);
      return {
        task_id: task.task_id,
        user_uid: input.user_uid,
        permission: input.permission,
        previous_permission: member.permission,
        collaborators: collaboratorsOf(ws, task.task_id),
        summary: `${input.user_uid} has ${input.permission} access to ${task.task_id}${member.permission ? ` (was ${member.permission})` : ''}.`,
      };
    },
  }),
  remove: implement(collaborators.remove, {
    read: (ws, input) => {
      const t = loadTask(ws, input.task_id);
      if (input.user_uid === t.owner_uid)
        throw new ToolError('CONFLICT', `${input.user_uid} owns task ${t.task_id} and always stays.`, { hint: 'Only collaborators other than the owner can be removed.' });
      const member = accessOf(ws, t.task_id, input.user_uid);
      if (!member.permission) throw notFound('collaborator', input.user_uid, `Collaborators of this task come from email_collaborators_list with task_id ${t.task_id}.`);
      return { task: t, member };
    },
    state: ({ member }) => ({ permission: member.permission }),
    effect: (_ws, input, { task, member }) => ({
      effect: { task_id: task.task_id, task_name: task.name, user_uid: input.user_uid, name: member.name, permission: null, previous_permission: member.permission },
      summary: `Take ${member.name}'s (${input.user_uid}) ${member.permission} access to email task "${task.name}" (${task.task_id}) away.`,
    }),
    run: (ws, input, _call, _loaded, { task }) => {
      ws.db.prepare('DELETE FROM email_task_collaborators WHERE task_id = ? AND user_uid = ?').run(task.task_id, input.user_uid);
      return { task_id: task.task_id, removed: true, collaborators: collaboratorsOf(ws, task.task_id), summary: `Removed ${input.user_uid} from ${task.task_id}.` };
    },
  }),
  replace: implement(collaborators.replace, {
    read: (ws, input) => planCollaborators(ws, loadTask(ws, input.task_id), input.collaborators),
    state: (p) => ({ current: [...p.current].sort() }),
    effect: (_ws, _input, p) => ({
      effect: { owner_uid: p.task.owner_uid, will_add: p.add, will_remove: p.remove, will_change: p.change },
      summary: `Replace collaborators of ${p.task.task_id}: add ${p.add.length}, remove ${p.remove.length}, change ${p.change.length}; owner ${p.task.owner_uid} stays.`,
    }),
    run: (ws, input, _call, _loaded, p) => {
      const tid = p.task.task_id;
      ws.db.prepare(`DELETE FROM email_task_collaborators WHERE task_id = ? AND permission <> 'owner'`).run(tid);
      const ins = ws.db.prepare('INSERT INTO email_task_collaborators (task_id, user_uid, permission) VALUES (?, ?, ?)');
      for (const c of input.collaborators) ins.run(tid, c.user_uid, c.permission);
      return {
        task_id: tid,
        added: p.add.length,
        removed: p.remove.length,
        changed: p.change.length,
        collaborators: collaboratorsOf(ws, tid),
        summary: `Collaborators of ${tid} replaced: ${p.add.length} added, ${p.remove.length} removed, ${p.change.length} changed.`,
      };
    },
  }),
} satisfies Implemented<typeof collaborators>;
