// What the approval sheet tells a person about each recipient beyond the task itself: the address
// the send will use, and whether other email tasks already reached that person (and left their
// replies unanswered), so a second outreach never goes out unnoticed.
import type { Workspace } from '../workspace.js';
import type { Evaluated } from './recipient-filter.js';

export interface ContactFacts {
  /** The address the send uses: the typed one, or the creator's own email; null when there is none. */
  address: string | null;
  address_source: 'given' | 'creator_profile' | 'none';
  /** Other email tasks that sent to this person (sent or replied), oldest first. */
  contacted_by: string[];
  /** Threads with this creator still waiting for our answer (needs_reply). */
  unanswered_reply_count: number;
}

export function contactFacts(ws: Workspace, taskId: string, rows: Evaluated[]): Map<string, ContactFacts> {
  const email = ws.db.prepare('SELECT email FROM creators WHERE creator_id = ? AND has_email = 1').pluck();
  const same = `((@creator IS NOT NULL AND o.creator_id = @creator) OR (@address IS NOT NULL AND o.email_address = @address COLLATE NOCASE))`;
  const others = ws.db
    .prepare(`SELECT o.task_id FROM email_recipients o WHERE o.task_id <> @task AND o.status IN ('sent','replied') AND ${same} GROUP BY o.task_id ORDER BY MIN(o.sent_at), o.task_id`)
    .pluck();
  const unanswered = ws.db.prepare(`SELECT COUNT(*) FROM message_threads WHERE creator_id = ? AND needs_reply = 1 AND archived = 0`).pluck();
  const facts = new Map<string, ContactFacts>();
  for (const r of rows) {
    const profile = r.creator_id ? ((email.get(r.creator_id) as string | null | undefined) ?? null) : null;
    const address = r.email_address ?? profile;
    facts.set(r.recipient_id, {
      address,
      address_source: r.email_address ? 'given' : address ? 'creator_profile' : 'none',
      contacted_by: others.all({ task: taskId, creator: r.creator_id, address: r.email_address }) as string[],
      unanswered_reply_count: r.creator_id ? (unanswered.get(r.creator_id) as number) : 0,
    });
  }
  return facts;
}
