// The journal: every applied change (operation, argument digest, token, outcome, ids touched,
// time), in the server's own store; entries that name a campaign are that campaign's record.
import type { Db } from './store.js';

export interface JournalEntry {
  operation: string;
  principal: string;
  args_digest: string;
  token_id?: string | undefined;
  status: 'applied' | 'written';
  summary: string;
  ids: string[];
  campaign_id?: string | undefined;
}

export interface JournalRow extends Omit<JournalEntry, 'ids'> {
  entry_id: number;
  at: string;
  ids: string[];
}

export function writeJournal(db: Db, e: JournalEntry, at: Date): void {
  db.prepare(
    `INSERT INTO journal (at, operation, principal, args_digest, token_id, status, summary, ids_json, campaign_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(at.toISOString(), e.operation, e.principal, e.args_digest, e.token_id ?? null, e.status, e.summary, JSON.stringify(e.ids.slice(0, 200)), e.campaign_id ?? null);
}

export function readJournal(db: Db, filter: { campaign_id?: string; limit?: number }): JournalRow[] {
  const rows = (filter.campaign_id
    ? db.prepare('SELECT * FROM journal WHERE campaign_id = ? ORDER BY entry_id DESC LIMIT ?').all(filter.campaign_id, filter.limit ?? 50)
    : db.prepare('SELECT * FROM journal ORDER BY entry_id DESC LIMIT ?').all(filter.limit ?? 50)) as (JournalRow & { ids_json: string })[];
  return rows.map(({ ids_json, ...r }) => ({ ...r, ids: JSON.parse(ids_json) as string[] }));
}
