// The recipient filter of an email task: who of the pending recipients is actually sent to.
import { z } from 'zod';
import { pageInput, paged, searchText } from '../shared.js';
import { filterEffect, filterSchema, listRow, taskId, defineRecipientsContract } from './schemas.js';

export const filters = {
  options: defineRecipientsContract({
    name: 'email.recipient_filter_options',
    cli: 'email recipients filter options',
    title: 'Recipient filter options',
    description: 'The recipient filter dimensions and the collections and other tasks they can name.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/email/recipient-filter/options' },
    input: z.strictObject({ task_id: taskId.optional() }),
    output: z.object({
      dimensions: z.array(z.object({ key: z.string(), type: z.string(), description: z.string() })),
      collections: z.array(z.object({ collection_id: z.string(), name: z.string() })),
      tasks: z.array(z.object({ task_id: z.string(), name: z.string(), status: z.string() })),
    }),
  }),
  get: defineRecipientsContract({
    name: 'email.recipient_filter_get',
    cli: 'email recipients filter get',
    title: 'Get a recipient filter',
    description: "A task's recipient filter and how many pending recipients it hides, by reason.",
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/email/tasks/:task_id/recipient-filter' },
    input: z.strictObject({ task_id: taskId }),
    output: z.object({ task_id: z.string(), filter: filterSchema, effect: filterEffect }),
  }),
  update: defineRecipientsContract({
    name: 'email.recipient_filter_update',
    cli: 'email recipients filter update',
    title: 'Set a recipient filter',
    description: 'Replaces the recipient filter of a draft task, which decides who is actually sent to; returns how many it hides and why.',
    kind: 'write',
    risk: 'low',
    riskReason: "Edits a draft task's recipient filter; reversible, nothing is sent.",
    hints: { idempotent: true },
    route: { method: 'PUT', path: '/email/tasks/:task_id/recipient-filter' },
    input: z.strictObject({ task_id: taskId, filter: filterSchema.describe('The whole filter; {} clears it.') }),
    output: z.object({ task_id: z.string(), filter: filterSchema, effect: filterEffect, summary: z.string() }),
    idsOf: (i) => [i.task_id],
  }),
  tasks: defineRecipientsContract({
    name: 'email.recipient_filter_tasks',
    cli: 'email recipients filter tasks',
    title: 'Tasks for the recipient filter',
    description: 'Tasks that hide_in_other_task can name, with recipient counts.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/email/recipient-filter/tasks' },
    input: z.strictObject({ task_id: taskId.optional().describe('The filtered task (left out).'), keyword: searchText(200).optional().describe('Matches the name.'), ...pageInput }),
    output: paged(listRow),
  }),
};
