// Filter values for message_list in the embedded workspace: task owners and projects with threads.
import { filters } from '../../tools/message/filters.js';
import { implement, type Implemented } from '../implement.js';
import { inJson, Where } from '../shared.js';
import { countBy } from './thread-store.js';

interface ProjectRow {
  business_kind: string;
  business_id: string;
  owners: string;
  thread_count: number;
  needs_reply_count: number;
  name: string | null;
}

export const filtersImplementations = {
  creators: implement(filters.creators, {
    run: (ws) => ({
      items: countBy(
        ws,
        `SELECT m.user_uid, m.name, m.role, COUNT(t.thread_id) AS thread_count, COALESCE(SUM(t.needs_reply), 0) AS needs_reply_count
         FROM team_members m LEFT JOIN message_threads t ON t.owner_uid = m.user_uid AND t.archived = 0 GROUP BY m.user_uid ORDER BY m.user_uid`,
      ) as { user_uid: string; name: string; role: string; thread_count: number; needs_reply_count: number }[],
    }),
  }),
  projects: implement(filters.projects, {
    run: (ws, input) => {
      const w = new Where().add('t.archived = 0').maybe(input.creator_uids, inJson('t.owner_uid'), JSON.stringify(input.creator_uids ?? []));
      const rows = ws.db
        .prepare(
          `SELECT t.business_kind, t.business_id, json_group_array(DISTINCT t.owner_uid) AS owners, COUNT(*) AS thread_count, SUM(t.needs_reply) AS needs_reply_count,
             CASE t.business_kind WHEN 'email_task' THEN (SELECT name FROM email_tasks WHERE task_id = t.business_id) ELSE (SELECT name FROM aff_campaigns WHERE campaign_id = t.business_id) END AS name
           FROM message_threads t ${w.sql} GROUP BY t.business_kind, t.business_id ORDER BY t.business_kind, t.business_id`,
        )
        .all(...w.params) as ProjectRow[];
      return { items: rows.map(({ owners, ...r }) => ({ ...r, project_id: `${r.business_kind}:${r.business_id}`, owner_uids: (JSON.parse(owners) as string[]).sort() })) };
    },
  }),
} satisfies Implemented<typeof filters>;
