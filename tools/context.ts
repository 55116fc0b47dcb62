// Campaign context: what the workflow keeps stable, the journal, and the resources and prompts.
//
// One JSON document per campaign (table campaign_context) holds what the workflow guide says to
// keep stable across the loop. campaign_context_record merges a partial body into it: scalars are
// replaced, keyed lists (creators, links, reply states, export reasons) are upserted by their id,
// id lists are unioned, and `remove` drops ids everywhere. campaign_context_get adds what the
// server knows by itself: the campaign's exports and the journal of changes applied for it.
import { z } from 'zod';
import type { CatalogReader, Catalog, PromptDef } from '../src/catalog.js';
import { defineOperation } from '../workspace/legacy.js';
import type { Workspace } from '../workspace/workspace.js';
import type { Db } from '../src/store.js';
import { notFound } from '../src/errors.js';
import { readJournal } from '../src/journal.js';
import { COOP_STATUSES, MESSAGE_DIRECTIONS } from './vocabulary.js';
import { id } from './shared.js';
import { loadCampaign } from '../workspace/campaign/campaigns.js';

const HINT_ID = 'Campaign ids come from campaign_list or campaign_dropdown.';
const APPROVALS = ['recipients', 'sender', 'content', 'attachments', 'schedule'] as const;
const ID_KINDS = ['collection_ids', 'label_ids', 'product_collect_ids', 'task_ids', 'thread_ids', 'attachment_ids', 'export_ids'] as const;
type ApprovalKey = (typeof APPROVALS)[number];
type IdKind = (typeof ID_KINDS)[number];

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

// ---------------------------------------------------------------------------------------------
// The stored document

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

// ---------------------------------------------------------------------------------------------
// The record body (every part optional: a partial merge)

const strs = (d: string) => z.array(z.string().min(1).max(128)).max(500).describe(d);
const approvalIn = z.strictObject({
  status: z.enum(['pending', 'approved', 'rejected']).describe('Approval state.'),
  by: z.string().max(128).optional().describe('Who decided (user_uid or name).'),
  note: z.string().max(500).optional().describe('What exactly was approved, e.g. recipient count or subject.'),
});

const recordInput = z.strictObject({
  campaign_id: id(`The campaign. ${HINT_ID}`),
  goal: z.string().trim().min(1).max(2000).optional().describe('Campaign goal (defaults to the campaign objective).'),
  market: z.array(z.string().regex(/^[A-Z]{2}$/)).max(50).optional().describe('Target countries, ISO alpha-2 (defaults to the campaign markets).'),
  creators: z
    .array(z.strictObject({ creator_id: id('Creator id.'), decision: z.enum(['include', 'exclude']).describe('Kept or dropped.'), reason: z.string().trim().min(1).max(500).describe('Why.') }))
    .max(500)
    .optional()
    .describe('Creator decisions, upserted by creator_id.'),
  approvals: z.partialRecord(z.enum(APPROVALS), approvalIn).optional().describe('Keyed by recipients, sender, content, attachments or schedule; each given one is replaced.'),
  links: z
    .array(z.strictObject({ id: id('short_link_id, or member_id for an affiliate tracking link.'), kind: z.enum(['short_link', 'affiliate']).describe('Normal Nox short link or affiliate tracking link.'), url: z.string().max(2000).optional().describe('The link URL.') }))
    .max(100)
    .optional()
    .describe('Links in use, upserted by id.'),
  affiliation: z
    .strictObject({ store_id: id('Shopify store_id.').optional(), affiliate_campaign_id: id('Affiliate campaign_id.').optional(), member_ids: strs('Affiliate member_ids (added).').optional() })
    .optional()
    .describe('Affiliation ids in use.'),
  reply_state: z
    .array(
      z.strictObject({
        thread_id: id('Thread id from message_list.'),
        needs_reply: z.boolean().describe('needs_reply as read.'),
        last_message_direction: z.enum(MESSAGE_DIRECTIONS).describe('inbound, outbound or unknown.'),
        pending_reason: z.string().max(500).nullable().optional().describe('pending_reason as read.'),
      }),
    )
    .max(200)
    .optional()
    .describe('Reply state that drove a follow-up decision, upserted by thread_id.'),
  message_filters: z
    .strictObject({
      project_ids: strs('e.g. email_task:<task_id>.').optional(),
      creator_uids: strs('Task owner / member user_uids.').optional(),
      label_id: id('Label filter.').optional(),
      coop_status: z.enum(COOP_STATUSES).optional().describe('Cooperation status filter.'),
    })
    .optional()
    .describe('The message_list filters that rebuild the thread view; given fields replace.'),
  ids: z.partialRecord(z.enum(ID_KINDS), strs('Ids to add.')).optional().describe(`Ids used in follow-ups, keyed by ${ID_KINDS.join(', ')}; added to the kept sets.`),
  export_reasons: z.array(z.strictObject({ export_id: id('Export id.'), reason: z.string().trim().min(1).max(500).describe('Why it was made.') })).max(100).optional().describe('Why each export was made, upserted by export_id.'),
  notes: z.string().max(4000).nullable().optional().describe('Free notes; null clears.'),
  remove: strs('Ids to drop from every list (creators, links, threads, ids, members, export reasons).').optional(),
});
type RecordInput = z.output<typeof recordInput>;

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
  if (input.creators) doc.creators = upsert(doc.creators, input.creators.map((c) => ({ ...c, at })), (c) => c.creator_id);
  for (const k of APPROVALS) {
    const a = input.approvals?.[k];
    if (a) doc.approvals[k] = { ...a, at };
  }
  if (input.links) doc.links = upsert(doc.links, input.links.map((l) => ({ ...l, at })), (l) => l.id);
  if (input.affiliation) {
    const { member_ids, ...rest } = input.affiliation;
    doc.affiliation = { ...doc.affiliation, ...rest, member_ids: union(doc.affiliation.member_ids, member_ids) };
  }
  if (input.reply_state) doc.reply_state = upsert(doc.reply_state, input.reply_state.map((r) => ({ ...r, at })), (r) => r.thread_id);
  if (input.message_filters) doc.message_filters = { ...doc.message_filters, ...input.message_filters };
  for (const k of ID_KINDS) if (input.ids?.[k]) doc.ids[k] = union(doc.ids[k], input.ids[k]);
  if (input.export_reasons) doc.export_reasons = upsert(doc.export_reasons, input.export_reasons.map((e) => ({ ...e, at })), (e) => e.export_id);
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

// ---------------------------------------------------------------------------------------------
// The context as read

const approvalOut = z.object({ status: z.string(), by: z.string().optional(), note: z.string().optional(), at: z.string() }).nullable();
const contextOut = z.object({
  campaign: z.object({ campaign_id: z.string(), name: z.string(), objective: z.string(), markets: z.array(z.string()), platforms: z.array(z.string()), status: z.string() }),
  goal: z.string(),
  market: z.array(z.string()),
  creators: z.array(z.object({ creator_id: z.string(), decision: z.string(), reason: z.string(), at: z.string() })),
  included_count: z.int(),
  excluded_count: z.int(),
  approvals: z.record(z.enum(APPROVALS), approvalOut).describe('recipients, sender, content, attachments, schedule; null: not recorded.'),
  links: z.array(z.object({ id: z.string(), kind: z.string(), url: z.string().optional(), at: z.string() })),
  affiliation: z.object({ store_id: z.string().optional(), affiliate_campaign_id: z.string().optional(), member_ids: z.array(z.string()) }),
  reply_state: z.array(z.object({ thread_id: z.string(), needs_reply: z.boolean(), last_message_direction: z.string(), pending_reason: z.string().nullable().optional(), at: z.string() })),
  message_filters: z.object({ project_ids: z.array(z.string()).optional(), creator_uids: z.array(z.string()).optional(), label_id: z.string().optional(), coop_status: z.string().optional() }),
  ids: z.record(z.enum(ID_KINDS), z.array(z.string())),
  export_reasons: z.array(z.object({ export_id: z.string(), reason: z.string(), at: z.string() })),
  notes: z.string().nullable(),
  exports: z.array(z.object({ export_id: z.string(), kind: z.string(), status: z.string(), reason: z.string(), row_count: z.int().nullable(), file_name: z.string().nullable(), created_at: z.string() })).describe('Exports made for this campaign (newest 50).'),
  journal: z
    .array(z.object({ entry_id: z.int(), at: z.string(), operation: z.string(), status: z.string(), summary: z.string(), ids: z.array(z.string()), token_id: z.string().nullable(), principal: z.string() }))
    .describe('Changes applied for this campaign, newest first.'),
  updated_at: z.string().nullable().describe('Last record; null when nothing was recorded yet.'),
});
type ContextOut = z.input<typeof contextOut>;


/** The whole context of one campaign: the recorded document, its exports and its journal. */
export function campaignContext(ws: Workspace, campaignId: string, journalLimit: number): ContextOut {
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
    journal: readJournal(ws.db, { campaign_id: campaignId, limit: journalLimit }).map((j) => ({
      entry_id: j.entry_id,
      at: j.at,
      operation: j.operation,
      status: j.status,
      summary: j.summary,
      ids: j.ids,
      token_id: j.token_id ?? null,
      principal: j.principal,
    })),
    updated_at,
  };
}

export const contextOperations = [
  defineOperation({
    name: 'campaign.context_get',
    toolset: 'campaign',
    title: 'Get the campaign context',
    description: 'What the campaign keeps stable (goal, market, creator decisions, approvals, links, affiliation, reply state, filters, ids, export reasons) plus its exports and the journal of applied changes.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/campaigns/:campaign_id/context' },
    input: z.strictObject({
      campaign_id: id(`The campaign. ${HINT_ID}`),
      journal_limit: z.int().min(0).max(200).default(20).describe('Newest journal entries to include.'),
    }),
    output: contextOut,
    run: (ws, input) => campaignContext(ws, input.campaign_id, input.journal_limit),
  }),
  defineOperation({
    name: 'campaign.context_record',
    toolset: 'campaign',
    title: 'Record into the campaign context',
    description: 'Merges a partial record into the campaign context: given scalars replace, keyed lists upsert by id, id sets grow, remove drops ids. Call after each decision or applied step.',
    kind: 'write',
    risk: 'low',
    hints: { idempotent: true },
    route: { method: 'PATCH', path: '/campaigns/:campaign_id/context' },
    input: recordInput,
    output: z.object({ campaign_id: z.string(), changed: z.array(z.string()).describe('Parts this call changed; campaign_context_get shows the whole context.'), updated_at: z.string(), summary: z.string() }),
    idsOf: (i) => [i.campaign_id, ...(i.creators ?? []).map((c) => c.creator_id).slice(0, 50)],
    run: (ws, input) => {
      loadCampaign(ws, input.campaign_id);
      const unknown = (input.creators ?? []).map((c) => c.creator_id).filter((cid) => !ws.db.prepare('SELECT 1 FROM creators WHERE creator_id = ?').get(cid));
      if (unknown.length) throw notFound('creator', unknown[0]!, 'Creator ids come from creator_search or collection_items; never guess one.');
      for (const e of input.export_reasons ?? []) if (!ws.db.prepare('SELECT 1 FROM exports WHERE export_id = ?').get(e.export_id)) throw notFound('export', e.export_id, 'Export ids come from export_list.');
      const { doc } = readDoc(ws, input.campaign_id);
      const at = ws.now().toISOString();
      const changed = merge(doc, input, at);
      ws.db
        .prepare('INSERT INTO campaign_context (campaign_id, doc_json, updated_at) VALUES (?, ?, ?) ON CONFLICT (campaign_id) DO UPDATE SET doc_json = excluded.doc_json, updated_at = excluded.updated_at')
        .run(input.campaign_id, JSON.stringify(doc), at);
      return { campaign_id: input.campaign_id, changed, updated_at: at, summary: `Recorded ${changed.length ? changed.join(', ') : 'nothing'} in the context of campaign ${input.campaign_id}.` };
    },
  }),
];

// ---------------------------------------------------------------------------------------------
// Resources

export const GUIDE_URI = 'nox://guide/campaign-workflow';

export const CAMPAIGN_WORKFLOW_GUIDE = `# Campaign workflow (for agents)

Keep ONE working set moving through ONE campaign. Ids are opaque: copy them from tool results, never guess.
Every *_preview shows what its *_apply will do: show the summary to the person, then apply with the same
arguments plus preview_token. Staged families start with *_validate. Record each decision with
campaign_context_record; campaign_context_get (or the resource nox://campaigns/{campaign_id}/context) shows it.

1. Anchor: campaign_list / campaign_get / campaign_dashboard; campaign_context_get for goal, market, past decisions.
2. Creators: creator_search (platform, country, followers, has_email) then creator_get. Record include/exclude
   reasons: campaign_context_record {creators: [{creator_id, decision, reason}]}.
3. Collection: collection_create (with campaign_id), collection_add_creators_preview/_apply, or
   collection_import_template + collection_import_file_preview/_apply then collection_import_status.
4. Grouped work: collection_refresh_validate/_preview/_apply (what: email|base|audience),
   collection_batch_validate/_preview/_apply (move|copy|delete|label).
5. CRM: collection_add_to_crm_validate/_preview/_apply (a whole collection + platform slice), crm_labels_list /
   crm_labels_create, crm_batch_update_preview/_apply (labels, coop_status), crm_list to check.
6. Product cards: product_list / product_create; keep product_collect_id.
7. Links: short_link_create for normal Nox tracking links; affiliate links only from affiliation
   (affiliation_stores_list first, affiliation_campaigns_list, members add and status activate).
   Record which is which: campaign_context_record {links: [{id, kind}]}.
8. Email task: email_create, email_recipients_add (creator_id | platform+channel_id | email_address),
   email_recipient_filter_options + email_recipient_filter_update (hide contacted / in CRM / in other tasks),
   email_collaborators_list + email_collaborators_add, email_attachments_upload_preview/_apply,
   email_content_save (subject, body, product_collect_ids <= 5), email_sender_list + email_sender_update.
9. Approve and send: email_get, then email_send_preview (or email_schedule_preview, whole-hour offset).
   Record approvals for recipients, sender, content, attachments, schedule, then email_send_apply / email_schedule_apply.
10. Follow up: message_creator_filters / message_project_filters, message_list {project_ids: ["email_task:<task_id>"],
    needs_reply: true}; decide with needs_reply + last_message_direction (never unread counts); message_get,
    message_projects <thread_id> for sibling task threads; message_attachments_upload_preview/_apply;
    message_send_preview/_apply on the existing thread_id. Empty replies never clear pending state.
11. Metrics: email_report (reply_count, replied_creator_count, inbound_message_count differ), email_team_summary,
    email_team_breakdown.
12. Shareable file: export_create_preview/_apply (collection | crm | brand_monitor, with a reason), export_wait
    (progress), export_download_preview/_apply into the files root.
13. Feed back: campaign_context_record (reply_state, message_filters, ids, export_reasons); the journal records
    every applied change automatically.
`;

export const contextResources: NonNullable<Catalog['resources']> = () => [
  {
    name: 'campaign-workflow-guide',
    uri: GUIDE_URI,
    title: 'Campaign workflow guide',
    description: 'The campaign loop for agents, step by step, naming the tools of this server.',
    mimeType: 'text/markdown',
    read: () => CAMPAIGN_WORKFLOW_GUIDE,
  },
];

export const contextResourceTemplates: NonNullable<Catalog['resourceTemplates']> = (reader) => [
  {
    name: 'campaign-context',
    uriTemplate: 'nox://campaigns/{campaign_id}/context',
    title: 'Campaign context',
    description: 'One campaign\'s context as JSON: goal, market, decisions, approvals, ids, exports and journal.',
    mimeType: 'application/json',
    list: async () =>
      ((await reader.read('campaign.dropdown', {})).items as { campaign_id: string; name: string }[]).map((c) => ({
        uri: `nox://campaigns/${encodeURIComponent(c.campaign_id)}/context`,
        name: `Context: ${c.name}`,
      })),
    read: async (vars) => JSON.stringify(await reader.read('campaign.context_get', { campaign_id: decodeURIComponent(vars.campaign_id ?? ''), journal_limit: 50 }), null, 2),
  },
];

// ---------------------------------------------------------------------------------------------
// Prompts

async function campaignFacts(reader: CatalogReader, campaignId: string): Promise<string> {
  const c = await reader.read('campaign.get', { campaign_id: campaignId }).catch(() => undefined);
  if (!c) return `Campaign ${campaignId} (read it with campaign_get; if it is unknown, pick one with campaign_list).`;
  const cols = ((await reader.read('collection.list', { campaign_id: campaignId, page_size: 100 })).items as { collection_id: string }[]).map((x) => x.collection_id).sort();
  const tasks = await tasksOf(reader, campaignId);
  return `Campaign ${campaignId} "${c.name}" (${c.status}; markets ${(c.markets as string[]).join(', ') || 'none'}); objective: ${c.objective}
Linked collections: ${cols.join(', ') || 'none yet'}. Email tasks: ${tasks.join(', ') || 'none yet'}.`;
}

const tasksOf = async (reader: CatalogReader, campaignId: string): Promise<string[]> =>
  ((await reader.read('email.list', { campaign_id: campaignId, page_size: 100 })).items as { task_id: string }[]).map((t) => t.task_id).sort();

export const contextPrompts: NonNullable<Catalog['prompts']> = (reader): PromptDef[] => [
  {
    name: 'run_campaign_workflow',
    title: 'Run the campaign workflow',
    description: 'A step-by-step plan, naming the tools in order, to move one campaign toward a goal.',
    args: {
      campaign_id: z.string().describe('The campaign (from campaign_list).'),
      goal: z.string().optional().describe('What to achieve now; defaults to the recorded goal.'),
    },
    render: async (args) => {
      const cid = args.campaign_id ?? '';
      return `Run the NoxInfluencer campaign workflow for campaign ${cid}.
${await campaignFacts(reader, cid)}
Goal for this session: ${args.goal ?? 'the goal recorded in the campaign context'}.

Plan (show every *_preview summary to the person and apply only after they approve):
1. campaign_context_get {campaign_id: "${cid}"}: read goal, market, kept creators, approvals, ids and the journal.
${args.goal ? `   Then campaign_context_record {campaign_id: "${cid}", goal: ${JSON.stringify(args.goal)}}.\n` : ''}2. creator_search for candidates in the campaign markets; creator_get to review; record decisions with
   campaign_context_record {creators: [{creator_id, decision, reason}]}.
3. collection_add_creators_preview -> collection_add_creators_apply into the campaign collection (collection_create if none).
4. collection_refresh_validate -> _preview -> _apply (what: "email") so recipients have emails.
5. collection_add_to_crm_validate -> _preview -> _apply; crm_labels_list / crm_labels_create; crm_batch_update_preview -> _apply for labels.
6. product_list (product cards) and short_link_create (normal tracking links); affiliate links only via affiliation_* tools.
7. email_create; email_recipients_add; email_recipient_filter_update; email_collaborators_add; email_attachments_upload_preview -> _apply;
   email_content_save; email_sender_update.
8. email_get, email_send_preview (or email_schedule_preview); record approvals (recipients, sender, content, attachments, schedule)
   with campaign_context_record; then email_send_apply / email_schedule_apply.
9. Later: follow up with the follow_up_replies prompt, read email_report.
10. export_create_preview -> _apply with a reason when a shareable file is needed; export_wait; export_download_preview -> _apply.
11. campaign_context_record with every id used (ids, links, export_reasons) so the next session starts from here.`;
    },
  },
  {
    name: 'follow_up_replies',
    title: 'Follow up on replies',
    description: 'A plan, naming the tools in order, to answer the threads that need a reply for a campaign or an email task.',
    args: {
      campaign_id: z.string().optional().describe('Campaign whose email tasks to follow up.'),
      task_id: z.string().optional().describe('One email task (from email_list).'),
    },
    render: async (args) => {
      const tasks = args.task_id ? [args.task_id] : args.campaign_id ? await tasksOf(reader, args.campaign_id) : [];
      const projects = tasks.map((t) => `"email_task:${t}"`).join(', ');
      const scope = args.task_id ? `email task ${args.task_id}` : args.campaign_id ? `campaign ${args.campaign_id}` : 'no campaign or task given';
      const find = projects
        ? `message_list {project_ids: [${projects}], needs_reply: true}`
        : args.campaign_id
          ? `email_list to find the email tasks of campaign ${args.campaign_id}, then message_list {project_ids: ["email_task:<task_id>"], needs_reply: true}`
          : 'ask which campaign (campaign_list) or email task (email_list); then message_list {project_ids: ["email_task:<task_id>"], needs_reply: true}';
      return `Follow up on replies for ${scope}.

Plan:
1. ${args.campaign_id ? `campaign_context_get {campaign_id: "${args.campaign_id}"} for approvals, reply_state and message_filters recorded before.` : 'If the task belongs to a campaign, campaign_context_get for its recorded reply_state and filters.'}
2. ${find}.
   Narrow with message_creator_filters (user_uid of owners) / message_project_filters, label_id or coop_status when needed.
3. Decide from needs_reply and last_message_direction (inbound = the creator wrote last), never from unread counts;
   "deal" is not "unread".
4. For each thread: message_get {thread_id}; message_projects {thread_id} to see sibling task threads of the same creator.
5. Draft the reply (message_draft_save); attach files if needed (message_attachments_upload_preview -> _apply, at most 2).
6. message_send_preview (or message_schedule_preview, whole-hour offset) on the existing thread_id; show it; message_send_apply.
   An empty reply never clears pending state, and no tool starts a new thread or marks a task handled.
7. email_report {task_id} for reply_count, replied_creator_count and inbound_message_count.
8. campaign_context_record {reply_state: [{thread_id, needs_reply, last_message_direction, pending_reason}],
   message_filters: {project_ids: [${projects || '"email_task:<task_id>"'}]}, ids: {thread_ids, attachment_ids}}.`;
    },
  },
];
