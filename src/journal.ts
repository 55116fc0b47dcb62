// The journal: every applied change (operation, argument digest, token, outcome, ids touched,
// time), in the server's own store; entries that name a campaign are that campaign's record.
import type { Db } from './store.js';
import type { Operation } from './catalog.js';
import { digest } from './guard/canonical.js';
import type { JournalEntry, JournalRow, OutcomeBatch } from './state/contract.js';

export type { JournalEntry, JournalRow };

export function writeJournal(db: Db, e: JournalEntry, at: Date): void {
  db.prepare(
    `INSERT INTO journal (at, operation, principal, args_digest, token_id, status, summary, ids_json, campaign_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(at.toISOString(), e.operation, e.principal, e.args_digest, e.token_id ?? null, e.status, e.summary, JSON.stringify(e.ids.slice(0, 200)), e.campaign_id ?? null);
}

export function readJournal(db: Db, filter: { campaign_id?: string; limit?: number; before?: number | undefined }): JournalRow[] {
  // `before` pages back: entries older than that entry_id.
  const before = filter.before ?? Number.MAX_SAFE_INTEGER;
  const rows = (
    filter.campaign_id
      ? db.prepare('SELECT * FROM journal WHERE campaign_id = ? AND entry_id < ? ORDER BY entry_id DESC LIMIT ?').all(filter.campaign_id, before, filter.limit ?? 50)
      : db.prepare('SELECT * FROM journal WHERE entry_id < ? ORDER BY entry_id DESC LIMIT ?').all(before, filter.limit ?? 50)
  ) as (JournalRow & { ids_json: string })[];
  return rows.map(({ ids_json, ...r }) => ({ ...r, ids: JSON.parse(ids_json) as string[] }));
}

/** One change as the journal takes it: the operation, its arguments and result, and who made it. */
export interface Change {
  op: Operation;
  input: Record<string, unknown>;
  out: Record<string, unknown>;
  principal: string;
  tokenId?: string | undefined;
  status: 'applied' | 'written';
  at: Date;
  /** Finds the campaign of touched ids when the change names none (from the embedded workspace). */
  campaignOfIds?: ((ids: string[]) => string | undefined) | undefined;
}

/**
 * Journals a change under the campaign it belongs to: the definition says, or the result or the
 * arguments name one, or the ids it touched belong to one (null from campaignOf opts out).
 */
export function journalChange(batch: OutcomeBatch, c: Change): void {
  const named = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const ids = c.op.idsOf?.(c.input, c.out) ?? [];
  const declared = c.op.campaignOf?.(c.input, c.out);
  const campaignId = declared === null ? undefined : (declared ?? named(c.out.campaign_id) ?? named(c.input.campaign_id) ?? (ids.length ? c.campaignOfIds?.(ids) : undefined));
  batch.journal(
    {
      operation: c.op.name,
      principal: c.principal,
      args_digest: digest(c.input),
      token_id: c.tokenId,
      status: c.status,
      summary: typeof c.out.summary === 'string' ? c.out.summary : c.op.title,
      ids,
      campaign_id: campaignId,
    },
    c.at,
  );
}
