// The campaign context in the embedded workspace: one JSON document per campaign (table
// campaign_context). A record merges a partial body into it: scalars are replaced, keyed lists
// (creators, links, reply states, export reasons) are upserted by their id, id lists are unioned,
// and `remove` drops ids everywhere. A read adds what the server knows by itself: the campaign's
// exports and the journal of changes applied for it.
import { context, APPROVALS, ID_KINDS, type ApprovalKey, type ContextOut, type IdKind, type RecordInput } from '../../tools/campaign/context.js';
import { notFound } from '../../src/errors.js';
import { readJournal } from '../../src/journal.js';
import type { Db } from '../../src/store.js';
import { WHERE } from '../../tools/hints.js';
import { implement, type Implemented } from '../implement.js';
import type { Workspace } from '../workspace.js';
import { trimmed } from '../shared.js';
import { checkCoopStatus } from '../coop-statuses.js';
import { loadCampaign } from './campaigns.js';

/** The campaign that touched ids belong to: a collection, email task or export of it, or a thread of its email task. */
export function campaignOfIds(db: Db, ids: string[]): string | undefined {
  // A store without the workspace tables (an http-backend server's own store) has nothing to resolve.
  if (!db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'message_threads'`).get()) return undefined;
  const stmt = db.prepare(`SELECT campaign_id FROM (
      SELECT campaign_id FROM collections WHERE collection_id = @id
      UNION ALL SELECT campaign_id FROM email_tasks WHERE task_id = @id
      UNION ALL SELECT campaign_id FROM exports WHERE export_id = @id
      UNION ALL SELECT e.campaign_id FROM message_threads t JOIN email_tasks e ON t.business_kind = 'email_task' AND e.task_id = t.business_id WHERE t.thread_id = @id
    ) WHERE campaign_id IS NOT NULL LIMIT 1`);
  for (const x of ids.slice(0, 20)) {
    const c = stmt.pluck().get({ id: x });
    if (typeof c === 'string') return c;
  }
  return undefined;
}

interface Approval {
  status: 'pending' | 'approved' | 'rejected';
  by?: string | undefined;
  note?: string | undefined;
  at: string;
}
interface Doc {
  goal?: string;
  market?: string[];
  notes?: string;
  creators: { creator_id: string; decision: 'include' | 'exclude'; reason: string; at: string }[];
  approvals: Partial<Record<ApprovalKey, Approval>>;
  links: { id: string; kind: 'short_link' | 'affiliate'; url?: string | undefined; at: string }[];
  affiliation: { store_id?: string; affiliate_campaign_id?: string; member_ids: string[] };
  reply_state: { thread_id: string; needs_reply: boolean; last_message_direction: string; pending_reason?: string | null | undefined; at: string }[];
  message_filters: { project_ids?: string[]; creator_uids?: string[]; label_id?: string; coop_status?: string };
  ids: Partial<Record<IdKind, string[]>>;
  export_reasons: { export_id: string; reason: string; at: string }[];
}

const emptyDoc = (): Doc => ({ creators: [], approvals: {}, links: [], affiliation: { member_ids: [] }, reply_state: [], message_filters: {}, ids: {}, export_reasons: [] });

function readDoc(ws: Workspace, campaignId: string): { doc: Doc; updated_at: string | null } {
  const row = ws.db.prepare('SELECT doc_json, updated_at FROM campaign_context WHERE campaign_id = ?').get(campaignId) as { doc_json: string; updated_at: string } | undefined;
  return row ? { doc: { ...emptyDoc(), ...(JSON.parse(row.doc_json) as Partial<Doc>) }, updated_at: row.updated_at } : { doc: emptyDoc(), updated_at: null };
}

function upsert<T>(list: T[], items: T[], key: (t: T) => string): T[] {
  const out = new Map(list.map((x) => [key(x), x]));
  for (const x of items) out.set(key(x), x);
  return [...out.values()];
}
const union = (a: string[] | undefined, b: string[] | undefined) => [...new Set([...(a ?? []), ...(b ?? [])])];

/** Applies a partial record to the document; returns the names of the parts it changed. */
function merge(doc: Doc, input: RecordInput, at: string): string[] {
  const changed: string[] = [];
  const mark = (part: string, given: unknown) => given !== undefined && changed.push(part);
  if (input.goal !== undefined) doc.goal = input.goal;
  if (input.market !== undefined) doc.market = input.market;
  if (input.notes !== undefined) {
    if (input.notes === null) delete doc.notes;
    else doc.notes = input.notes;
  }
  if (input.creators)
    doc.creators = upsert(
      doc.creators,
      input.creators.map((c) => ({ ...c, at })),
      (c) => c.creator_id,
    );
  for (const k of APPROVALS) {
    const a = input.approvals?.[k];
    if (a) doc.approvals[k] = { ...a, at };
  }
  if (input.links)
    doc.links = upsert(
      doc.links,
      input.links.map((l) => ({ ...l, at })),
      (l) => l.id,
    );
  if (input.affiliation) {
    const { member_ids, ...rest } = input.affiliation;
    doc.affiliation = { ...doc.affiliation, ...rest, member_ids: union(doc.affiliation.member_ids, member_ids) };
  }
  if (input.reply_state)
    doc.reply_state = upsert(
      doc.reply_state,
      input.reply_state.map((r) => ({ ...r, at })),
      (r) => r.thread_id,
    );
  if (input.message_filters) doc.message_filters = { ...doc.message_filters, ...input.message_filters };
  for (const k of ID_KINDS) if (input.ids?.[k]) doc.ids[k] = union(doc.ids[k], input.ids[k]);
  if (input.export_reasons)
    doc.export_reasons = upsert(
      doc.export_reasons,
      input.export_reasons.map((e) => ({ ...e, at })),
      (e) => e.export_id,
    );
  if (input.remove) {
    const drop = new Set(input.remove);
    doc.creators = doc.creators.filter((c) => !drop.has(c.creator_id));
    doc.links = doc.links.filter((l) => !drop.has(l.id));
    doc.reply_state = doc.reply_state.filter((r) => !drop.has(r.thread_id));
    doc.export_reasons = doc.export_reasons.filter((e) => !drop.has(e.export_id));
    doc.affiliation.member_ids = doc.affiliation.member_ids.filter((m) => !drop.has(m));
    for (const k of ID_KINDS) if (doc.ids[k]) doc.ids[k] = doc.ids[k]!.filter((x) => !drop.has(x));
  }
  for (const k of ['goal', 'market', 'creators', 'approvals', 'links', 'affiliation', 'reply_state', 'message_filters', 'ids', 'export_reasons', 'notes', 'remove'] as const) mark(k, input[k]);
  return changed;
}

/** The whole context of one campaign: the recorded document, its exports and its journal. */
export function campaignContext(ws: Workspace, campaignId: string, journalLimit: number, journalBefore?: number): ContextOut {
  const journal = readJournal(ws.db, { campaign_id: campaignId, limit: journalLimit, before: journalBefore });
  const last = journal.at(-1);
  const older = last ? (ws.db.prepare('SELECT COUNT(*) FROM journal WHERE campaign_id = ? AND entry_id < ?').pluck().get(campaignId, last.entry_id) as number) : 0;
  const c = loadCampaign(ws, campaignId);
  const { doc, updated_at } = readDoc(ws, campaignId);
  const markets = JSON.parse(c.markets_json) as string[];
  return {
    campaign: { campaign_id: c.campaign_id, name: c.name, objective: c.objective, markets, platforms: JSON.parse(c.platforms_json) as string[], status: c.status },
    goal: doc.goal ?? c.objective,
    market: doc.market ?? markets,
    creators: doc.creators,
    included_count: doc.creators.filter((x) => x.decision === 'include').length,
    excluded_count: doc.creators.filter((x) => x.decision === 'exclude').length,
    approvals: Object.fromEntries(APPROVALS.map((k) => [k, doc.approvals[k] ?? null])) as Record<ApprovalKey, Approval | null>,
    links: doc.links,
    affiliation: doc.affiliation,
    reply_state: doc.reply_state,
    message_filters: doc.message_filters,
    ids: Object.fromEntries(ID_KINDS.map((k) => [k, doc.ids[k] ?? []])) as Record<IdKind, string[]>,
    export_reasons: doc.export_reasons,
    notes: doc.notes ?? null,
    exports: ws.db
      .prepare('SELECT export_id, kind, status, reason, row_count, file_name, created_at FROM exports WHERE campaign_id = ? ORDER BY created_at DESC, export_id LIMIT 50')
      .all(campaignId) as ContextOut['exports'],
    // Entries are kept short: a batch can touch thousands of ids; the summary says how many.
    journal: journal.map((j) => ({
      entry_id: j.entry_id,
      at: j.at,
      operation: j.operation,
      status: j.status,
      summary: trimmed(j.summary, 240),
      ids: j.ids.slice(0, 10),
      token_id: j.token_id ?? null,
      principal: j.principal,
    })),
    journal_total: ws.db.prepare('SELECT COUNT(*) FROM journal WHERE campaign_id = ?').pluck().get(campaignId) as number,
    journal_next_before: older > 0 ? last!.entry_id : null,
    updated_at,
  };
}

export const contextImplementations = {
  get: implement(context.get, {
    run: (ws, input) => campaignContext(ws, input.campaign_id, input.journal_limit, input.journal_before),
  }),
  record: implement(context.record, {
    run: (ws, input) => {
      loadCampaign(ws, input.campaign_id);
      const unknown = (input.creators ?? []).map((c) => c.creator_id).filter((cid) => !ws.db.prepare('SELECT 1 FROM creators WHERE creator_id = ?').get(cid));
      if (unknown.length) throw notFound('creator', unknown[0]!, `${WHERE.creator} Never guess one.`);
      for (const e of input.export_reasons ?? []) if (!ws.db.prepare('SELECT 1 FROM exports WHERE export_id = ?').get(e.export_id)) throw notFound('export', e.export_id, WHERE.export);
      if (input.message_filters?.coop_status !== undefined) checkCoopStatus(ws, input.message_filters.coop_status);
      const { doc } = readDoc(ws, input.campaign_id);
      const at = ws.now().toISOString();
      const changed = merge(doc, input, at);
      ws.db
        .prepare(
          'INSERT INTO campaign_context (campaign_id, doc_json, updated_at) VALUES (?, ?, ?) ON CONFLICT (campaign_id) DO UPDATE SET doc_json = excluded.doc_json, updated_at = excluded.updated_at',
        )
        .run(input.campaign_id, JSON.stringify(doc), at);
      return { campaign_id: input.campaign_id, changed, updated_at: at, summary: `Recorded ${changed.length ? changed.join(', ') : 'nothing'} in the context of campaign ${input.campaign_id}.` };
    },
  }),
} satisfies Implemented<typeof context>;
