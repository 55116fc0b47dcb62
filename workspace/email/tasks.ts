// Email tasks in the embedded workspace.
import { invalid, ToolError } from '../../src/errors.js';
import { tasks } from '../../tools/email/tasks.js';
import { EMAIL_TASK_KIND } from '../simulator.js';
import { implement, type Implemented } from '../implement.js';
import { actingUser, checkCampaign, escapeLike, Where } from '../shared.js';
import { cancelScheduleJobs, listTasks, loadTask, recipientCount, toListRow, viewTask } from './task-store.js';

export const taskImplementations = {
  list: implement(tasks.list, {
    run: (ws, input) => {
      const like = `%${escapeLike(input.keyword ?? '')}%`;
      const w = new Where()
        .maybe(input.status, 't.status = ?', input.status)
        .maybe(input.campaign_id, 't.campaign_id = ?', input.campaign_id)
        .maybe(input.owner_uid, 't.owner_uid = ?', input.owner_uid)
        .maybe(input.keyword, `(t.name LIKE ? ESCAPE '\\' OR t.subject LIKE ? ESCAPE '\\')`, like, like);
      return listTasks(ws, w, input);
    },
  }),
  get: implement(tasks.get, {
    run: (ws, input) => viewTask(ws, input.task_id),
  }),
  create: implement(tasks.create, {
    run: (ws, input, call) => {
      if (input.task_type !== undefined) {
        throw invalid('task_type is not accepted: a standalone email task is always type 3, set by the server.', 'Call email_create again without task_type (a task type is never a task id).');
      }
      checkCampaign(ws, input.campaign_id);
      const tid = ws.newId('task');
      const at = ws.now().toISOString();
      const owner = actingUser(ws, call);
      ws.db
        .prepare(`INSERT INTO email_tasks (task_id, type, name, status, owner_uid, campaign_id, created_at, updated_at) VALUES (?, 3, ?, 'draft', ?, ?, ?, ?)`)
        .run(tid, input.name, owner, input.campaign_id ?? null, at, at);
      ws.db.prepare(`INSERT INTO email_task_collaborators (task_id, user_uid, permission) VALUES (?, ?, 'owner')`).run(tid, owner);
      return viewTask(ws, tid);
    },
  }),
  update: implement(tasks.update, {
    run: (ws, input) => {
      if (input.task_type !== undefined) throw invalid('task_type cannot be set: standalone email tasks are always type 3.', 'Leave task_type out.');
      const t = loadTask(ws, input.task_id);
      checkCampaign(ws, input.campaign_id);
      ws.db
        .prepare('UPDATE email_tasks SET name = ?, campaign_id = ?, updated_at = ? WHERE task_id = ?')
        .run(input.name ?? t.name, input.campaign_id === undefined ? t.campaign_id : input.campaign_id, ws.now().toISOString(), t.task_id);
      return viewTask(ws, t.task_id);
    },
  }),
  delete: implement(tasks.delete, {
    // One reading: the task, how many recipients go with it, and the threads that stay.
    read: (ws, input) => {
      const task = loadTask(ws, input.task_id);
      if (task.status === 'sending') throw new ToolError('CONFLICT', `Email task ${task.task_id} is sending now.`, { hint: 'Wait until it is sent, then delete it.' });
      const recipients = recipientCount(ws, task.task_id);
      const threads = ws.db.prepare('SELECT COUNT(*) FROM message_threads WHERE business_kind = ? AND business_id = ?').pluck().get(EMAIL_TASK_KIND, task.task_id) as number;
      return { task, recipients, threads };
    },
    state: ({ task, recipients }) => ({ task: task.task_id, status: task.status, updated_at: task.updated_at, recipients }),
    effect: (_ws, _input, { task, recipients, threads }) => ({
      effect: { task: toListRow(task, recipients), will_remove_recipients: recipients, will_cancel_schedule: task.status === 'scheduled', threads_kept: threads },
      summary: `Delete email task "${task.name}" (${task.task_id}, ${task.status}) with ${recipients} recipient(s)${task.status === 'scheduled' ? `; cancels the send scheduled for ${task.plan_send_at}` : ''}.`,
    }),
    run: (ws, input, _call, _loaded, { recipients }) => {
      cancelScheduleJobs(ws, input.task_id);
      ws.db.prepare('DELETE FROM email_tasks WHERE task_id = ?').run(input.task_id);
      return { deleted: true, task_id: input.task_id, removed_recipients: recipients, summary: `Deleted email task ${input.task_id} and its ${recipients} recipient(s).` };
    },
  }),
} satisfies Implemented<typeof tasks>;
