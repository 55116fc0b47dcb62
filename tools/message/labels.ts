// How a thread is classified: its CRM labels and its cooperation status, listed and set.
import { z } from 'zod';
import { coopStatusValue, idString } from '../shared.js';
import { defineContract } from '../../src/catalog.js';
import { threadId } from './schemas.js';

export const labels = {
  list: defineContract({
    name: 'message.labels_list',
    cli: 'message labels',
    title: 'Message labels',
    description: 'The CRM labels usable on threads, with thread counts.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/messages/labels' },
    input: z.strictObject({}),
    output: z.object({ items: z.array(z.object({ label_id: z.string(), name: z.string(), color: z.string(), thread_count: z.int() })) }),
  }),
  coopStatuses: defineContract({
    name: 'message.coop_statuses',
    cli: 'message coop statuses',
    title: 'Cooperation statuses',
    description: 'The cooperation statuses the server defines (coop_status ids), with names and thread counts.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/messages/coop-statuses' },
    input: z.strictObject({}),
    output: z.object({ items: z.array(z.object({ coop_status: z.string().describe('The id every tool takes.'), name: z.string(), thread_count: z.int() })) }),
  }),
  set: defineContract({
    name: 'message.labels_set',
    cli: 'message labels set',
    title: 'Set thread labels',
    description: "Replaces one thread's labels; [] clears them.",
    kind: 'write',
    risk: 'low',
    riskReason: "Sets one thread's labels; reversible, not visible to the creator.",
    hints: { idempotent: true },
    route: { method: 'PUT', path: '/messages/:thread_id/labels' },
    input: z.strictObject({ thread_id: threadId, label_ids: z.array(idString()).max(20).describe('Whole new set. From message_labels_list.') }),
    output: z.object({ thread_id: z.string(), label_ids: z.array(z.string()), summary: z.string() }),
    idsOf: (i) => [i.thread_id],
  }),
  coopSet: defineContract({
    name: 'message.coop_set',
    cli: 'message coop set',
    title: 'Set thread cooperation status',
    description: "Sets one thread's cooperation status; the creator's CRM channel is not changed.",
    kind: 'write',
    risk: 'low',
    riskReason: "Sets one thread's cooperation status; reversible, not visible to the creator.",
    hints: { idempotent: true },
    route: { method: 'PUT', path: '/messages/:thread_id/coop-status' },
    input: z.strictObject({ thread_id: threadId, coop_status: coopStatusValue }),
    output: z.object({ thread_id: z.string(), coop_status: z.string(), previous: z.string().nullable(), summary: z.string() }),
    idsOf: (i) => [i.thread_id],
  }),
};
