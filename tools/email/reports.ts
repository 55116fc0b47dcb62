// Send and reply metrics: of one task, over several tasks, and per team member.
import { z } from 'zod';
import { defineContract } from '../../src/catalog.js';
import { FROM } from '../hints.js';
import { idString } from '../shared.js';
import { taskId } from './schemas.js';

export const metrics = z.object({
  task_count: z.int(),
  recipient_count: z.int(),
  sent_count: z.int().describe('Emails sent, bounced ones included.'),
  bounced_count: z.int(),
  filtered_out_count: z.int(),
  opened_count: z.int(),
  clicked_count: z.int(),
  open_rate: z.number().describe('opened / delivered (sent - bounced), 0..1.'),
  reply_count: z.int().describe('Tracked email replies: answers to the email itself (sum of recipient reply counts).'),
  replied_creator_count: z.int().describe('Distinct creators (or external addresses) that replied.'),
  inbound_message_count: z.int().describe("Inbound messages on the tasks' threads, answers to follow-ups included."),
  threads_needing_reply: z.int(),
});

const reportScope = {
  task_ids: z.array(idString()).min(1).max(200).optional().describe('Default: every sent task.'),
  sent_from: z.string().max(40).optional().describe('Sent at or after (ISO time).'),
  sent_to: z.string().max(40).optional().describe('Sent before (ISO time).'),
};
const uids = (what: string) => z.array(idString()).min(1).max(50).optional().describe(`${what} ${FROM.teamMember}`);

export const reports = {
  task: defineContract({
    name: 'email.report',
    title: 'Email task report',
    description: 'Send and reply metrics of one task; reply_count, replied_creator_count and inbound_message_count differ.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/email/tasks/:task_id/report' },
    input: z.strictObject({ task_id: taskId }),
    output: metrics.extend({ task_id: z.string(), name: z.string(), status: z.string(), sent_at: z.string().nullable() }),
  }),
  teamSummary: defineContract({
    name: 'email.team_summary',
    cli: 'email team summary',
    title: 'Email team summary',
    description: 'The metrics over several tasks, with per-task rows; replied_creator_count counts a creator once.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/email/reports/team-summary' },
    input: z.strictObject({ ...reportScope, uids: uids('Only tasks of these owners.') }),
    output: metrics.extend({
      tasks: z
        .array(
          z.object({
            task_id: z.string(),
            name: z.string(),
            owner_uid: z.string(),
            status: z.string(),
            sent_at: z.string().nullable(),
            sent_count: z.int(),
            reply_count: z.int(),
            replied_creator_count: z.int(),
            inbound_message_count: z.int(),
          }),
        )
        .describe('Up to 100 tasks.'),
    }),
  }),
  teamBreakdown: defineContract({
    name: 'email.team_breakdown',
    cli: 'email team breakdown',
    title: 'Email team breakdown',
    description: 'The metrics per task owner (uid), over every sent task or the ones named.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/email/reports/team-breakdown' },
    input: z.strictObject({ ...reportScope, uids: uids('Only these owners.') }),
    output: z.object({ items: z.array(metrics.extend({ uid: z.string(), name: z.string() })) }),
  }),
};
