// Filter values for message_list: the task owners and the projects that have threads.
import { z } from 'zod';
import { defineContract } from '../../src/catalog.js';
import { ownerUids } from './schemas.js';

export const filters = {
  creators: defineContract({
    name: 'message.creator_filters',
    title: 'Task owners for message filters',
    description: 'Team members (user_uid) who own threads, with thread and needs-reply counts: the creator_uids of message_list.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/messages/filters/creators' },
    input: z.strictObject({}),
    output: z.object({ items: z.array(z.object({ user_uid: z.string(), name: z.string(), role: z.string(), thread_count: z.int(), needs_reply_count: z.int() })) }),
  }),
  projects: defineContract({
    name: 'message.project_filters',
    title: 'Projects for message filters',
    description: 'Projects (project_id = <business_kind>:<business_id>) that have threads, with thread and needs-reply counts.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/messages/filters/projects' },
    input: z.strictObject({ creator_uids: ownerUids }),
    output: z.object({
      items: z.array(
        z.object({
          project_id: z.string(),
          business_kind: z.string(),
          business_id: z.string(),
          name: z.string().nullable(),
          owner_uids: z.array(z.string()),
          thread_count: z.int(),
          needs_reply_count: z.int(),
        }),
      ),
    }),
  }),
};
