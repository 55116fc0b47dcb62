// Email tasks themselves. The send flow is draft → scheduled → sending → sent. email_cancel takes
// a scheduled task out of it (status cancelled); a draft or cancelled task is "before the send
// flow": editable, importable, and can be sent or scheduled.
import { z } from 'zod';
import { defineContract } from '../../src/catalog.js';
import { EMAIL_TASK_STATUSES } from '../vocabulary.js';
import { id, pageInput, paged, searchText } from '../shared.js';
import { listRow, taskId, taskView } from './schemas.js';

const taskName = z.string().trim().min(1).max(200).describe('Task name.');
// Declared (typed, so every model API accepts the schema) only to refuse it with a reason rather than a bare unknown-key error.
const refusedTaskType = z.int().optional().describe('Not accepted (always 3); leave it out.');

export const tasks = {
  list: defineContract({
    name: 'email.list',
    title: 'List email tasks',
    description: 'Lists email tasks (draft → scheduled → sending → sent, or cancelled) with recipient counts, newest change first.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/email/tasks' },
    input: z.strictObject({
      status: z.enum(EMAIL_TASK_STATUSES).optional().describe('Only this status.'),
      campaign_id: id('Only tasks kept under this campaign_id.').optional(),
      owner_uid: id('Only tasks of this owner (user_uid).').optional(),
      keyword: searchText(200).optional().describe('Matches name or subject.'),
      ...pageInput,
    }),
    output: paged(listRow),
  }),
  get: defineContract({
    name: 'email.get',
    title: 'Get an email task',
    description: 'One task with everything its approval needs: recipient counts, sender, content, attachment, schedule, filter, collaborators.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/email/tasks/:task_id' },
    input: z.strictObject({ task_id: taskId }),
    output: taskView,
  }),
  create: defineContract({
    name: 'email.create',
    title: 'Create an email task',
    description: 'Creates a draft email task (standalone, type 3) owned by the caller; returns task_id.',
    kind: 'write',
    risk: 'low',
    riskReason: 'Adds a draft email task; nothing is sent.',
    route: { method: 'POST', path: '/email/tasks' },
    input: z.strictObject({
      name: taskName,
      campaign_id: id('Campaign kept as context only (campaign_list).').optional(),
      task_type: refusedTaskType,
    }),
    output: taskView,
    idsOf: (_i, o) => [o.task_id],
  }),
  update: defineContract({
    name: 'email.update',
    title: 'Update an email task',
    description: 'Renames a task or changes its campaign; content, sender and recipients have their own tools.',
    kind: 'write',
    risk: 'low',
    riskReason: "Edits a draft task's settings; reversible, nothing is sent.",
    hints: { idempotent: true },
    route: { method: 'PATCH', path: '/email/tasks/:task_id' },
    input: z.strictObject({
      task_id: taskId,
      name: taskName.optional(),
      campaign_id: id('null removes it.').nullable().optional(),
      task_type: refusedTaskType,
    }),
    output: taskView,
    idsOf: (i) => [i.task_id],
  }),
  delete: defineContract({
    name: 'email.delete',
    title: 'Delete an email task',
    description: 'Deletes a task with its recipients, content and attachment, cancelling any schedule; its message threads stay.',
    kind: 'write',
    risk: 'high',
    riskReason: 'Irreversible: removes the task with its recipients and content.',
    confirm: true,
    route: { method: 'DELETE', path: '/email/tasks/:task_id' },
    input: z.strictObject({ task_id: taskId }),
    output: z.object({ deleted: z.boolean(), task_id: z.string(), removed_recipients: z.int(), summary: z.string() }),
    effect: z.object({ task: listRow, will_remove_recipients: z.int(), will_cancel_schedule: z.boolean(), threads_kept: z.int() }),
    idsOf: (i) => [i.task_id],
  }),
};
