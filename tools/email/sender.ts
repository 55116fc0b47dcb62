// The mailbox an email task is sent from.
import { z } from 'zod';
import { defineContract } from '../../src/catalog.js';
import { FROM } from '../hints.js';
import { id } from '../shared.js';
import { sender, taskId } from './schemas.js';

export const senders = {
  list: defineContract({
    name: 'email.sender_list',
    cli: 'email sender list',
    title: 'List email senders',
    description: 'Authorized sender mailboxes (sender_auth_id); with task_id, marks the one the task uses.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/email/senders' },
    input: z.strictObject({ task_id: taskId.optional() }),
    output: z.object({ task_id: z.string().nullable(), items: z.array(sender.extend({ selected: z.boolean() })) }),
  }),
  update: defineContract({
    name: 'email.sender_update',
    cli: 'email sender update',
    title: 'Set the sender',
    description: 'Sets the sender mailbox of a draft task.',
    kind: 'write',
    risk: 'low',
    riskReason: "Sets a draft task's sender; reversible, nothing is sent.",
    hints: { idempotent: true },
    route: { method: 'PUT', path: '/email/tasks/:task_id/sender' },
    input: z.strictObject({ task_id: taskId, sender_auth_id: id(`Sender mailbox. ${FROM.emailSender}`) }),
    output: z.object({ task_id: z.string(), sender, summary: z.string() }),
    idsOf: (i) => [i.task_id],
  }),
};
