// Email tasks: recipients, filters, collaborators, attachments, content, sender, send and reports.
//
// The send flow is draft → scheduled → sending → sent. email_cancel takes a scheduled task out of
// it (status cancelled); a draft or cancelled task is "before the send flow": editable, importable,
// and can be sent or scheduled. Uploading or deleting an attachment on a scheduled task puts it
// back to draft (the schedule is cancelled and must be previewed again).
import { z } from 'zod';
import type { Catalog } from '../src/catalog.js';
import { defineOperation } from '../workspace/legacy.js';
import type { Workspace, WorkspaceJobs } from '../workspace/workspace.js';
import { invalid, notFound, ToolError } from '../src/errors.js';
import { type InputRules, type LoadedFile } from '../src/files.js';
import { readTable, SPREADSHEET_EXTENSIONS } from '../src/spreadsheet.js';
import { COLLABORATOR_PERMISSIONS, EMAIL_TASK_STATUSES, RECIPIENT_STATUSES } from './vocabulary.js';
import { actingUser, escapeLike, fileFields, getRow, id, inJson, loadFile, pageInput, pageQuery, paged, platform, sample, sha256, Where, searchText } from './shared.js';
import { resolveShortLink } from './short-link.js';
import { EMAIL_TASK_KIND, openThread, outcomeOf, REPLY_DELAY_MS, simulateReplies } from '../workspace/simulator.js';

const HINT_TASK = 'Task ids come from email_list.';
const HINT_SENDER = 'Sender ids come from email_sender_list.';
const HINT_MEMBER = 'user_uid values come from email_collaborators_list without a task_id.';
const JOB_SCHEDULED_SEND = 'email.scheduled_send';
const JOB_REPLIES = 'email.replies';
const MAX_RECIPIENTS = 5000;
const MAX_PRODUCT_CARDS = 5;
const ATTACHMENT_RULES: InputRules = { maxBytes: 10 * 1024 * 1024 };
const IMPORT_RULES: InputRules = { maxBytes: 8 * 1024 * 1024, extensions: [...SPREADSHEET_EXTENSIONS, '.xls'] };

// ---------------------------------------------------------------------------------------------
// Rows and loading

interface TaskRow {
  task_id: string;
  type: number;
  name: string;
  status: (typeof EMAIL_TASK_STATUSES)[number];
  owner_uid: string;
  campaign_id: string | null;
  sender_auth_id: string | null;
  subject: string;
  html_body: string;
  text_body: string;
  plan_send_at: string | null;
  recipient_filter_json: string;
  created_at: string;
  updated_at: string;
  sent_at: string | null;
}

interface RecipientRow {
  recipient_id: string;
  task_id: string;
  creator_id: string | null;
  platform: string | null;
  channel_id: string | null;
  email_address: string | null;
  status: (typeof RECIPIENT_STATUSES)[number];
  filtered_reason: string | null;
  opened: number;
  clicked: number;
  reply_count: number;
  sent_at: string | null;
  added_at: string;
}

interface AttachmentRow {
  attachment_id: string;
  task_id: string;
  file_name: string;
  size: number;
  sha256: string;
  created_at: string;
}

const loadTask = (ws: Workspace, taskId: string): TaskRow => getRow<TaskRow>(ws, 'email_tasks', 'task_id', taskId, 'email task', HINT_TASK);

const taskId = id(`The email task's id. ${HINT_TASK}`);

/** Draft and cancelled tasks are outside the send flow; everything else refuses edits. */
function requireEditable(t: TaskRow, what: string): void {
  if (t.status === 'draft' || t.status === 'cancelled') return;
  const hint =
    t.status === 'scheduled'
      ? `Cancel the schedule with email_cancel, change the task, then preview the schedule again.`
      : 'This task was already sent; create a new task with email_create for another send.';
  throw new ToolError('CONFLICT', `Cannot ${what}: email task ${t.task_id} is ${t.status}${t.plan_send_at && t.status === 'scheduled' ? ` for ${t.plan_send_at}` : ''}.`, { hint });
}

function touch(ws: Workspace, tid: string): void {
  ws.db.prepare('UPDATE email_tasks SET updated_at = ? WHERE task_id = ?').run(ws.now().toISOString(), tid);
}

function checkCampaign(ws: Workspace, campaignId: string | null | undefined): void {
  if (campaignId && !ws.db.prepare('SELECT 1 FROM campaigns WHERE campaign_id = ?').get(campaignId)) throw notFound('campaign', campaignId, 'Campaign ids come from campaign_list.');
}

// ---------------------------------------------------------------------------------------------
// Recipient filter

const FILTER_REASONS = ['no_email', 'already_contacted', 'in_crm', 'in_collection', 'in_other_task'] as const;

const FILTER_DIMENSIONS = [
  { key: 'hide_contacted', type: 'boolean', description: 'Hide creators who already received an email from another task.' },
  { key: 'hide_in_crm', type: 'boolean', description: 'Hide creators already in the CRM (grouped or not).' },
  { key: 'hide_in_collection', type: 'collection_id', description: 'Hide creators in this collection (from collection_list).' },
  { key: 'hide_in_other_task', type: 'task_id[]', description: 'Hide recipients listed in these email tasks (from email_recipient_filter_tasks).' },
];
const dim = (key: string): string => FILTER_DIMENSIONS.find((d) => d.key === key)!.description;

const filterSchema = z.strictObject({
  hide_contacted: z.boolean().optional().describe(dim('hide_contacted')),
  hide_in_crm: z.boolean().optional().describe(dim('hide_in_crm')),
  hide_in_collection: id(dim('hide_in_collection')).optional(),
  hide_in_other_task: z.array(z.string().min(1).max(128)).min(1).max(20).optional().describe(dim('hide_in_other_task')),
});
type Filter = z.output<typeof filterSchema>;

/** The stored filter; `hide_grouped` (older tasks) means the same as hide_in_crm. */
function readFilter(json: string): Filter {
  const raw = JSON.parse(json || '{}') as Record<string, unknown>;
  const f: Filter = {};
  if (raw.hide_contacted === true) f.hide_contacted = true;
  if (raw.hide_in_crm === true || raw.hide_grouped === true) f.hide_in_crm = true;
  if (typeof raw.hide_in_collection === 'string') f.hide_in_collection = raw.hide_in_collection;
  if (Array.isArray(raw.hide_in_other_task) && raw.hide_in_other_task.length) f.hide_in_other_task = raw.hide_in_other_task as string[];
  return f;
}

interface Evaluated extends RecipientRow {
  nickname: string | null;
  hide_reason: (typeof FILTER_REASONS)[number] | null;
}

interface Evaluation {
  send: Evaluated[];
  hidden: Evaluated[];
  byReason: Record<string, number>;
}

/** Decides, for the pending recipients of a task, who is sent to and who the filter hides (first matching reason). */
function evaluate(ws: Workspace, tid: string, filter: Filter): Evaluation {
  const same = `((r.creator_id IS NOT NULL AND o.creator_id = r.creator_id) OR (r.email_address IS NOT NULL AND o.email_address = r.email_address))`;
  const rows = ws.db
    .prepare(
      `SELECT r.*, c.nickname, CASE
         WHEN r.creator_id IS NOT NULL AND c.has_email = 0 THEN 'no_email'
         WHEN @contacted = 1 AND EXISTS (SELECT 1 FROM email_recipients o WHERE o.task_id <> r.task_id AND o.status IN ('sent','replied') AND ${same}) THEN 'already_contacted'
         WHEN @crm = 1 AND r.creator_id IS NOT NULL AND EXISTS (SELECT 1 FROM crm_channels k WHERE k.creator_id = r.creator_id) THEN 'in_crm'
         WHEN @col IS NOT NULL AND EXISTS (SELECT 1 FROM collection_items i WHERE i.collection_id = @col AND i.creator_id = r.creator_id) THEN 'in_collection'
         WHEN @other IS NOT NULL AND EXISTS (SELECT 1 FROM email_recipients o WHERE o.task_id IN (SELECT value FROM json_each(@other)) AND o.task_id <> r.task_id AND ${same}) THEN 'in_other_task'
       END AS hide_reason
       FROM email_recipients r LEFT JOIN creators c ON c.creator_id = r.creator_id
       WHERE r.task_id = @task AND r.status = 'pending' ORDER BY r.added_at, r.rowid`,
    )
    .all({
      task: tid,
      contacted: filter.hide_contacted ? 1 : 0,
      crm: filter.hide_in_crm ? 1 : 0,
      col: filter.hide_in_collection ?? null,
      other: filter.hide_in_other_task ? JSON.stringify(filter.hide_in_other_task) : null,
    }) as Evaluated[];
  const byReason: Record<string, number> = {};
  for (const r of rows) if (r.hide_reason) byReason[r.hide_reason] = (byReason[r.hide_reason] ?? 0) + 1;
  return { send: rows.filter((r) => !r.hide_reason), hidden: rows.filter((r) => r.hide_reason), byReason };
}

function checkFilter(ws: Workspace, tid: string, f: Filter): void {
  if (f.hide_in_collection && !ws.db.prepare('SELECT 1 FROM collections WHERE collection_id = ?').get(f.hide_in_collection)) {
    throw notFound('collection', f.hide_in_collection, 'Collection ids come from collection_list or email_recipient_filter_options.');
  }
  for (const other of f.hide_in_other_task ?? []) {
    if (other === tid) throw invalid('hide_in_other_task names this task itself.', 'List other tasks (from email_recipient_filter_tasks).');
    if (!ws.db.prepare('SELECT 1 FROM email_tasks WHERE task_id = ?').get(other)) throw notFound('email task', other, 'Task ids for hide_in_other_task come from email_recipient_filter_tasks.');
  }
}

const filterEffect = z.object({
  pending_count: z.int().describe('Recipients not sent yet.'),
  will_send_count: z.int(),
  hidden_count: z.int(),
  hidden_by_reason: z.record(z.string(), z.int()).describe('no_email, already_contacted, in_crm, in_collection, in_other_task.'),
});

function filterSummary(ev: Evaluation): z.input<typeof filterEffect> {
  return { pending_count: ev.send.length + ev.hidden.length, will_send_count: ev.send.length, hidden_count: ev.hidden.length, hidden_by_reason: ev.byReason };
}

// ---------------------------------------------------------------------------------------------
// Recipients: resolution of {creator_id} | {platform, channel_id} | {email_address}

const recipientInput = z
  .strictObject({
    creator_id: z.string().min(1).max(300).optional().describe('Creator id (from creator_search or collection_items).'),
    platform: platform.optional(),
    channel_id: z.string().min(1).max(300).optional().describe('Raw platform channel id, with platform.'),
    email_address: z.string().min(3).max(254).optional().describe('A known external email address.'),
  })
  .describe('Exactly one of {creator_id}, {platform, channel_id} or {email_address}.');
type RecipientInput = z.output<typeof recipientInput>;

interface Resolved {
  key: string;
  creator_id: string | null;
  platform: string | null;
  channel_id: string | null;
  email_address: string | null;
}

interface RecipientProblem {
  index: number;
  value: string;
  code: string;
  message: string;
}

const EMAIL_RE = /^[^\s@/]+@[^\s@/]+\.[^\s@/]+$/;
const looksLikeUrlOrHandle = (v: string): boolean => /^[a-z][a-z0-9+.-]*:\/\//i.test(v) || /^www\./i.test(v) || v.includes('/') || v.startsWith('@') || /\.(com|net|org|tv|me)\b/i.test(v);

const keyOf = (r: { creator_id: string | null; email_address: string | null }): string => (r.creator_id ? `c:${r.creator_id}` : `e:${r.email_address!.toLowerCase()}`);

function resolveRecipients(ws: Workspace, items: RecipientInput[]): { rows: Resolved[]; problems: RecipientProblem[] } {
  const rows: Resolved[] = [];
  const problems: RecipientProblem[] = [];
  const byId = ws.db.prepare('SELECT creator_id, platform, channel_id FROM creators WHERE creator_id = ?');
  const byChannel = ws.db.prepare('SELECT creator_id, platform, channel_id FROM creators WHERE platform = ? AND channel_id = ?');
  items.forEach((it, index) => {
    const value = it.creator_id ?? it.channel_id ?? it.email_address ?? '';
    const bad = (code: string, message: string) => problems.push({ index, value, code, message });
    const forms = (it.creator_id !== undefined ? 1 : 0) + (it.channel_id !== undefined || it.platform !== undefined ? 1 : 0) + (it.email_address !== undefined ? 1 : 0);
    if (forms !== 1) return bad('INVALID_REQUEST', 'Give exactly one of {creator_id}, {platform, channel_id} or {email_address}.');
    if (it.creator_id !== undefined || it.channel_id !== undefined) {
      const v = (it.creator_id ?? it.channel_id)!;
      if (looksLikeUrlOrHandle(v)) return bad('NEEDS_RESOLUTION', `"${v}" is a URL or handle, not an id; resolve it to a creator_id with creator_search first.`);
    }
    if (it.creator_id !== undefined) {
      const c = byId.get(it.creator_id) as { creator_id: string; platform: string; channel_id: string } | undefined;
      if (!c) return bad('NOT_FOUND', `No creator with id "${it.creator_id}"; creator ids come from creator_search.`);
      rows.push({ key: `c:${c.creator_id}`, creator_id: c.creator_id, platform: c.platform, channel_id: c.channel_id, email_address: null });
    } else if (it.channel_id !== undefined || it.platform !== undefined) {
      if (!it.platform || !it.channel_id) return bad('INVALID_REQUEST', 'A channel recipient needs both platform and channel_id.');
      const c = byChannel.get(it.platform, it.channel_id) as { creator_id: string; platform: string; channel_id: string } | undefined;
      if (!c) return bad('NOT_FOUND', `No ${it.platform} creator with channel_id "${it.channel_id}"; find it with creator_search.`);
      rows.push({ key: `c:${c.creator_id}`, creator_id: c.creator_id, platform: c.platform, channel_id: c.channel_id, email_address: null });
    } else {
      const e = it.email_address!.trim();
      if (!EMAIL_RE.test(e)) return bad(looksLikeUrlOrHandle(e) ? 'NEEDS_RESOLUTION' : 'INVALID_REQUEST', `"${e}" is not an email address${looksLikeUrlOrHandle(e) ? '; a URL or handle must be resolved to a creator_id with creator_search first' : ''}.`);
      rows.push({ key: `e:${e.toLowerCase()}`, creator_id: null, platform: null, channel_id: null, email_address: e });
    }
  });
  // Later duplicates of the same recipient are dropped.
  const seen = new Set<string>();
  return { rows: rows.filter((r) => (seen.has(r.key) ? false : (seen.add(r.key), true))), problems };
}

function refuseProblems(problems: RecipientProblem[]): void {
  if (!problems.length) return;
  const needsResolution = problems.some((p) => p.code === 'NEEDS_RESOLUTION');
  const allMissing = problems.every((p) => p.code === 'NOT_FOUND');
  throw new ToolError(allMissing ? 'NOT_FOUND' : 'INVALID_REQUEST', `${problems.length} recipient(s) are not usable: ${problems.slice(0, 3).map((p) => `#${p.index} ${p.message}`).join(' ')}`, {
    hint: needsResolution
      ? 'Resolve URLs and handles to a creator_id with creator_search (platform + keywords), then pass {creator_id}.'
      : 'Fix or drop the recipients listed in details.problems; creator ids come from creator_search or collection_items.',
    details: { problems: problems.slice(0, 50) },
  });
}

function existingKeys(ws: Workspace, tid: string): Map<string, string> {
  const rows = ws.db.prepare('SELECT recipient_id, creator_id, email_address FROM email_recipients WHERE task_id = ?').all(tid) as { recipient_id: string; creator_id: string | null; email_address: string | null }[];
  return new Map(rows.map((r) => [keyOf(r), r.recipient_id]));
}

function checkCapacity(ws: Workspace, tid: string, adding: number): void {
  const n = ws.db.prepare('SELECT COUNT(*) FROM email_recipients WHERE task_id = ?').pluck().get(tid) as number;
  if (n + adding > MAX_RECIPIENTS) throw new ToolError('LIMIT_EXCEEDED', `An email task holds at most ${MAX_RECIPIENTS} recipients; this would make ${n + adding}.`, { hint: 'Split the recipients over several tasks.' });
}

function insertRecipients(ws: Workspace, tid: string, rows: Resolved[]): void {
  const at = ws.now().toISOString();
  const stmt = ws.db.prepare(`INSERT INTO email_recipients (recipient_id, task_id, creator_id, platform, channel_id, email_address, status, added_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?)`);
  for (const r of rows) stmt.run(ws.newId('rcp'), tid, r.creator_id, r.platform, r.channel_id, r.email_address, at);
}

const recipientCount = (ws: Workspace, tid: string): number => ws.db.prepare('SELECT COUNT(*) FROM email_recipients WHERE task_id = ?').pluck().get(tid) as number;

/** Recipients to add (new keys only) and those already present. */
function planAdd(ws: Workspace, tid: string, rows: Resolved[]): { add: Resolved[]; present: Resolved[] } {
  const have = existingKeys(ws, tid);
  return { add: rows.filter((r) => !have.has(r.key)), present: rows.filter((r) => have.has(r.key)) };
}

const recipientBrief = z.object({ creator_id: z.string().nullable(), platform: z.string().nullable(), channel_id: z.string().nullable(), email_address: z.string().nullable() });
const brief = (r: Resolved): z.input<typeof recipientBrief> => ({ creator_id: r.creator_id, platform: r.platform, channel_id: r.channel_id, email_address: r.email_address });

// Recipients import: a header row naming creator_id / platform / channel_id / email columns; without
// a known header, the first column holds a creator_id or an email address.
interface ImportRow {
  row: number;
  item: RecipientInput;
}
interface Imported {
  file: LoadedFile;
  rows: ImportRow[];
}

async function loadImport(ws: Workspace, input: { path?: string | undefined; content_base64?: string | undefined; filename?: string | undefined }): Promise<Imported> {
  const file = loadFile(ws, input, IMPORT_RULES);
  const table = await readTable(file, { maxRows: MAX_RECIPIENTS });
  const header = table.header.map((h) => h.trim().toLowerCase().replace(/\s+/g, '_'));
  const col = (...names: string[]) => header.findIndex((h) => names.includes(h));
  const ci = col('creator_id');
  const pi = col('platform');
  const chi = col('channel_id');
  const ei = col('email', 'email_address');
  const known = [ci, pi, chi, ei].some((i) => i >= 0);
  const data = known ? table.rows : [table.header, ...table.rows];
  const rows: ImportRow[] = data.map((cells, i) => {
    const cell = (k: number) => (k >= 0 ? (cells[k] ?? '').trim() : '');
    const row = i + (known ? 2 : 1);
    if (!known) {
      const v = cell(0);
      return { row, item: EMAIL_RE.test(v) ? { email_address: v } : { creator_id: v } };
    }
    if (cell(ci)) return { row, item: { creator_id: cell(ci) } };
    if (cell(chi) || cell(pi)) return { row, item: { platform: cell(pi) as RecipientInput['platform'], channel_id: cell(chi) } };
    return { row, item: { email_address: cell(ei) } };
  });
  return { file, rows };
}

function planImport(ws: Workspace, tid: string, imp: Imported) {
  const failed: { row: number; value: string; reason: string }[] = [];
  const good: RecipientInput[] = [];
  for (const r of imp.rows) {
    const platformOk = r.item.platform === undefined || ['youtube', 'tiktok', 'instagram'].includes(r.item.platform);
    const { problems } = platformOk ? resolveRecipients(ws, [r.item]) : { problems: [{ message: `Unknown platform "${r.item.platform}".` }] };
    if (problems.length) failed.push({ row: r.row, value: r.item.creator_id ?? r.item.channel_id ?? r.item.email_address ?? '', reason: problems[0]!.message });
    else good.push(r.item);
  }
  const { rows } = resolveRecipients(ws, good);
  return { ...planAdd(ws, tid, rows), failed };
}

// ---------------------------------------------------------------------------------------------
// Task view (what email_get shows: everything the approval needs)

const sender = z.object({ sender_auth_id: z.string(), email: z.string(), name: z.string(), provider: z.string(), owner_uid: z.string() });
type SenderRow = z.input<typeof sender>;
const productCard = z.object({ product_collect_id: z.string(), title: z.string(), position: z.int() });
/** A card as the recipient sees it: what the approval sheet shows and binds. */
const productCardDetail = productCard.extend({ link: z.string().nullable(), price: z.number().nullable(), currency: z.string(), thumbnail_url: z.string().nullable() });
const attachment = z.object({ attachment_id: z.string(), task_id: z.string(), file_name: z.string(), size: z.int(), sha256: z.string(), created_at: z.string() });
const collaborator = z.object({ user_uid: z.string(), name: z.string(), permission: z.enum(COLLABORATOR_PERMISSIONS) });
const statusCounts = z.object(Object.fromEntries(RECIPIENT_STATUSES.map((s) => [s, z.int()])) as Record<(typeof RECIPIENT_STATUSES)[number], z.ZodInt>).extend({ total: z.int() });

const taskView = z.object({
  task_id: z.string(),
  type: z.int().describe('3 = standalone email task.'),
  name: z.string(),
  status: z.enum(EMAIL_TASK_STATUSES),
  owner_uid: z.string(),
  campaign_id: z.string().nullable().describe('Campaign kept as context only.'),
  sender: sender.nullable(),
  subject: z.string(),
  html_body: z.string(),
  text_body: z.string(),
  product_cards: z.array(productCard),
  short_links: z.array(z.object({ short_link_id: z.string(), short_url: z.string() })).describe('Short links embedded in the body.'),
  attachment: attachment.nullable(),
  plan_send_at: z.string().nullable(),
  filter: filterSchema,
  collaborators: z.array(collaborator),
  recipients: statusCounts,
  created_at: z.string(),
  updated_at: z.string(),
  sent_at: z.string().nullable(),
});

const senderOf = (ws: Workspace, sid: string | null): SenderRow | null => (sid ? ((ws.db.prepare('SELECT * FROM senders WHERE sender_auth_id = ?').get(sid) as SenderRow | undefined) ?? null) : null);
const cardDetailsOf = (ws: Workspace, tid: string) =>
  ws.db
    .prepare('SELECT p.product_collect_id, p.title, tp.position, p.link, p.price, p.currency, p.thumbnail_url FROM email_task_products tp JOIN products p ON p.product_collect_id = tp.product_collect_id WHERE tp.task_id = ? ORDER BY tp.position')
    .all(tid) as z.input<typeof productCardDetail>[];

const cardsOf = (ws: Workspace, tid: string) =>
  ws.db.prepare('SELECT p.product_collect_id, p.title, tp.position FROM email_task_products tp JOIN products p ON p.product_collect_id = tp.product_collect_id WHERE tp.task_id = ? ORDER BY tp.position').all(tid) as z.input<typeof productCard>[];
const attachmentOf = (ws: Workspace, tid: string) =>
  (ws.db.prepare('SELECT attachment_id, task_id, file_name, size, sha256, created_at FROM email_attachments WHERE task_id = ? ORDER BY created_at, attachment_id LIMIT 1').get(tid) as AttachmentRow | undefined) ?? null;
const collaboratorsOf = (ws: Workspace, tid: string) =>
  ws.db
    .prepare(`SELECT c.user_uid, m.name, c.permission FROM email_task_collaborators c JOIN team_members m ON m.user_uid = c.user_uid WHERE c.task_id = ? ORDER BY CASE c.permission WHEN 'owner' THEN 0 ELSE 1 END, c.user_uid`)
    .all(tid) as z.input<typeof collaborator>[];

function embeddedLinks(ws: Workspace, t: TaskRow) {
  const links = ws.db.prepare('SELECT short_link_id, short_url, title, web_url, ios_url, android_url FROM short_links').all() as {
    short_link_id: string;
    short_url: string;
    title: string;
    web_url: string | null;
    ios_url: string | null;
    android_url: string | null;
  }[];
  return links.filter((l) => t.html_body.includes(l.short_url) || t.text_body.includes(l.short_url));
}

function statusCountsOf(ws: Workspace, tid: string): z.input<typeof statusCounts> {
  const out = Object.fromEntries([...RECIPIENT_STATUSES, 'total'].map((s) => [s, 0])) as z.input<typeof statusCounts>;
  for (const r of ws.db.prepare('SELECT status, COUNT(*) AS n FROM email_recipients WHERE task_id = ? GROUP BY status').all(tid) as { status: (typeof RECIPIENT_STATUSES)[number]; n: number }[]) {
    out[r.status] = r.n;
    out.total += r.n;
  }
  return out;
}

function viewTask(ws: Workspace, tid: string): z.input<typeof taskView> {
  const t = loadTask(ws, tid);
  return {
    task_id: t.task_id,
    type: t.type,
    name: t.name,
    status: t.status,
    owner_uid: t.owner_uid,
    campaign_id: t.campaign_id,
    sender: senderOf(ws, t.sender_auth_id),
    subject: t.subject,
    html_body: t.html_body,
    text_body: t.text_body,
    product_cards: cardsOf(ws, tid),
    short_links: embeddedLinks(ws, t),
    attachment: attachmentOf(ws, tid),
    plan_send_at: t.plan_send_at,
    filter: readFilter(t.recipient_filter_json),
    collaborators: collaboratorsOf(ws, tid),
    recipients: statusCountsOf(ws, tid),
    created_at: t.created_at,
    updated_at: t.updated_at,
    sent_at: t.sent_at,
  };
}

// ---------------------------------------------------------------------------------------------
// Schedules

/** ISO 8601 with Z or a whole-hour offset; returns the instant in UTC. */
function parsePlanSendAt(value: string, now: Date): string {
  const m = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(Z|([+-])(\d{2}):(\d{2}))$/.exec(value);
  const example = 'e.g. 2026-05-01T09:00:00+08:00 or 2026-05-01T01:00:00Z';
  if (!m) throw invalid(`plan_send_at "${value}" is not ISO 8601 with an offset.`, `Give date, time and offset, ${example}.`);
  if (m[1] !== 'Z' && (m[4] !== '00' || Number(m[3]) > 14)) {
    throw invalid(`plan_send_at "${value}" has offset ${m[1]}; only Z or whole-hour offsets (such as +08:00, -05:00) are accepted.`, `Convert the time to a whole-hour offset or to UTC (Z), ${example}.`);
  }
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw invalid(`plan_send_at "${value}" is not a valid date and time.`, `Give a real calendar time, ${example}.`);
  if (t <= now.getTime()) throw invalid(`plan_send_at ${value} is not in the future (now is ${now.toISOString()}).`, 'Choose a later time, or send now with email_send_preview.');
  if (t > now.getTime() + 366 * 86_400_000) throw invalid(`plan_send_at ${value} is more than a year ahead.`, 'Schedule within the next 12 months.');
  return new Date(t).toISOString();
}

function cancelScheduleJobs(ws: Workspace, tid: string): void {
  const jobIds = ws.db.prepare(`SELECT job_id FROM jobs WHERE kind = ? AND status = 'queued' AND json_extract(params_json, '$.task_id') = ?`).pluck().all(JOB_SCHEDULED_SEND, tid) as string[];
  for (const j of jobIds) ws.jobs.cancel(j);
}

/** An attachment change on a scheduled task: the schedule is cancelled and the task is a draft again. */
function unschedule(ws: Workspace, t: TaskRow): boolean {
  if (t.status !== 'scheduled') return false;
  cancelScheduleJobs(ws, t.task_id);
  ws.db.prepare(`UPDATE email_tasks SET status = 'draft', plan_send_at = NULL WHERE task_id = ?`).run(t.task_id);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Send: the approval sheet and the simulated send

const visibleText = (html: string): string =>
  html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;|&#160;/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

const recipientSample = z.object({ recipient_id: z.string(), creator_id: z.string().nullable(), nickname: z.string().nullable(), email_address: z.string().nullable() });
const approvalEffect = z.object({
  task: z.object({ task_id: z.string(), name: z.string(), status: z.string(), type: z.int() }),
  recipients: z.object({
    total_count: z.int().describe('Pending recipients before the filter.'),
    will_send_count: z.int().describe('Final count after the filter.'),
    filtered_out_count: z.int(),
    filtered_by_reason: z.record(z.string(), z.int()),
    sample: z.array(recipientSample),
    filtered_sample: z.array(recipientSample.extend({ reason: z.string() })),
  }),
  filter: filterSchema,
  sender: sender,
  subject: z.string(),
  body_digest: z.string().describe('sha256 of html_body + text_body.'),
  body_excerpt: z.string(),
  product_cards: z.array(productCardDetail),
  short_links: z.array(z.string()),
  attachment: attachment.nullable(),
  plan_send_at: z.string().nullable().describe('null: sent on apply.'),
});

function approval(ws: Workspace, tid: string, planSendAt: string | null, mode: 'send' | 'schedule') {
  const t = loadTask(ws, tid);
  if (mode === 'send' && t.status === 'scheduled') {
    throw new ToolError('CONFLICT', `Email task ${tid} is scheduled for ${t.plan_send_at}.`, { hint: 'Cancel the schedule with email_cancel first to send now, or let the schedule fire.' });
  }
  if (t.status !== 'scheduled') requireEditable(t, mode === 'send' ? 'send' : 'schedule');
  const filter = readFilter(t.recipient_filter_json);
  const ev = evaluate(ws, tid, filter);
  const snd = senderOf(ws, t.sender_auth_id);
  const problems: string[] = [];
  if (!snd) problems.push(`no sender (set one with email_sender_update; ${HINT_SENDER})`);
  if (!t.subject.trim()) problems.push('no subject (email_content_save)');
  if (!visibleText(t.html_body)) problems.push('the html_body has no visible text (email_content_save)');
  if (ev.send.length === 0) problems.push(ev.hidden.length ? `all ${ev.hidden.length} pending recipient(s) are hidden by the filter or have no email` : 'no pending recipients (email_recipients_add)');
  if (problems.length) throw invalid(`Email task ${tid} is not ready to ${mode}: ${problems.join('; ')}.`, 'Fix each item, read the task back with email_get, then preview again.', { problems });
  const cards = cardDetailsOf(ws, tid);
  const att = attachmentOf(ws, tid);
  const embedded = embeddedLinks(ws, t);
  const links = embedded.map((l) => l.short_url);
  const bodyDigest = sha256(Buffer.from(`${t.html_body}\u0000${t.text_body}`));
  const asSample = (r: Evaluated) => ({ recipient_id: r.recipient_id, creator_id: r.creator_id, nickname: r.nickname, email_address: r.email_address });
  const effect: z.input<typeof approvalEffect> = {
    task: { task_id: t.task_id, name: t.name, status: t.status, type: t.type },
    recipients: {
      total_count: ev.send.length + ev.hidden.length,
      will_send_count: ev.send.length,
      filtered_out_count: ev.hidden.length,
      filtered_by_reason: ev.byReason,
      sample: sample(ev.send).map(asSample),
      filtered_sample: sample(ev.hidden).map((r) => ({ ...asSample(r), reason: r.hide_reason! })),
    },
    filter,
    sender: snd!,
    subject: t.subject,
    body_digest: bodyDigest,
    body_excerpt: visibleText(t.html_body).slice(0, 240),
    product_cards: cards,
    short_links: links,
    attachment: att,
    plan_send_at: planSendAt,
  };
  const state = {
    task: t.task_id,
    status: t.status,
    plan_send_at: t.plan_send_at,
    send: ev.send.map((r) => r.recipient_id),
    hidden: ev.hidden.map((r) => [r.recipient_id, r.hide_reason]),
    filter,
    // Everything the sheet shows is bound by content, not only by id: a card, link or sender
    // edited after the preview makes the apply PREVIEW_STALE.
    sender: snd ? [snd.sender_auth_id, snd.email, snd.name] : null,
    subject: t.subject,
    body: bodyDigest,
    products: cards.map((c) => [c.product_collect_id, c.title, c.link, c.price, c.currency, c.thumbnail_url]),
    short_links: embedded.map((l) => [l.short_link_id, l.short_url, l.title, l.web_url, l.ios_url, l.android_url]),
    attachment: att ? [att.attachment_id, att.sha256, att.file_name] : null,
  };
  const parts = [
    `${ev.send.length} recipient(s)${ev.hidden.length ? ` (${ev.hidden.length} hidden by the filter)` : ''}`,
    `from ${snd!.email}`,
    `subject "${t.subject}"`,
    `${cards.length} product card(s)`,
    att ? `attachment ${att.file_name}` : 'no attachment',
  ];
  const when = planSendAt ? `Schedule email task "${t.name}" (${tid}) for ${planSendAt}` : `Send email task "${t.name}" (${tid}) now`;
  return { effect, state, summary: `${when}: ${parts.join(', ')}.` };
}

const sendResult = z.object({
  task_id: z.string(),
  status: z.enum(EMAIL_TASK_STATUSES),
  sent_count: z.int(),
  bounced_count: z.int(),
  filtered_out_count: z.int(),
  threads_opened: z.int(),
  replies_expected_after: z.string().describe('When simulated replies start to arrive.'),
  summary: z.string(),
});

/** The send itself (apply of email_send and the scheduled job): filter, deliver, open threads, queue replies. */
function performSend(ws: Workspace, tid: string): z.input<typeof sendResult> {
  const t = loadTask(ws, tid);
  const now = ws.now();
  const at = now.toISOString();
  ws.db.prepare(`UPDATE email_tasks SET status = 'sending', updated_at = ? WHERE task_id = ?`).run(at, tid);
  const ev = evaluate(ws, tid, readFilter(t.recipient_filter_json));
  const hide = ws.db.prepare(`UPDATE email_recipients SET status = 'filtered_out', filtered_reason = ? WHERE recipient_id = ?`);
  for (const r of ev.hidden) hide.run(r.hide_reason, r.recipient_id);
  const deliver = ws.db.prepare(`UPDATE email_recipients SET status = ?, sent_at = ? WHERE recipient_id = ?`);
  let bounced = 0;
  let threads = 0;
  for (const r of ev.send) {
    const bounce = outcomeOf(tid, r.recipient_id).kind === 'bounce';
    if (bounce) bounced++;
    deliver.run(bounce ? 'bounced' : 'sent', at, r.recipient_id);
    if (r.creator_id) {
      openThread(ws, { taskId: tid, creatorId: r.creator_id, ownerUid: t.owner_uid, senderAuthId: t.sender_auth_id, subject: t.subject, html: t.html_body, at });
      threads++;
    }
  }
  ws.db.prepare(`UPDATE email_tasks SET status = 'sent', sent_at = ?, updated_at = ? WHERE task_id = ?`).run(at, at, tid);
  const repliesAt = new Date(now.getTime() + REPLY_DELAY_MS);
  ws.jobs.enqueue(JOB_REPLIES, { task_id: tid }, repliesAt);
  return {
    task_id: tid,
    status: 'sent',
    sent_count: ev.send.length,
    bounced_count: bounced,
    filtered_out_count: ev.hidden.length,
    threads_opened: threads,
    replies_expected_after: repliesAt.toISOString(),
    summary: `Sent email task ${tid} to ${ev.send.length} recipient(s) (${bounced} bounced, ${ev.hidden.length} filtered out); ${threads} thread(s) opened.`,
  };
}

// ---------------------------------------------------------------------------------------------
// Reports

const metrics = z.object({
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

function metricsOf(ws: Workspace, taskIds: string[]): z.input<typeof metrics> {
  const list = JSON.stringify(taskIds);
  const r = ws.db
    .prepare(
      `SELECT COUNT(*) AS recipient_count,
              COALESCE(SUM(status IN ('sent','replied','bounced')), 0) AS sent_count,
              COALESCE(SUM(status = 'bounced'), 0) AS bounced_count,
              COALESCE(SUM(status = 'filtered_out'), 0) AS filtered_out_count,
              COALESCE(SUM(opened), 0) AS opened_count, COALESCE(SUM(clicked), 0) AS clicked_count,
              COALESCE(SUM(reply_count), 0) AS reply_count,
              COUNT(DISTINCT CASE WHEN reply_count > 0 THEN COALESCE(creator_id, 'e:' || lower(email_address)) END) AS replied_creator_count
       FROM email_recipients WHERE ${inJson('task_id')}`,
    )
    .get(list) as Omit<z.input<typeof metrics>, 'task_count' | 'open_rate' | 'inbound_message_count' | 'threads_needing_reply'>;
  const inbound = ws.db
    .prepare(`SELECT COUNT(*) FROM messages m JOIN message_threads t ON t.thread_id = m.thread_id WHERE t.business_kind = ? AND ${inJson('t.business_id')} AND m.direction = 'inbound'`)
    .pluck()
    .get(EMAIL_TASK_KIND, list) as number;
  const pending = ws.db.prepare(`SELECT COUNT(*) FROM message_threads WHERE business_kind = ? AND ${inJson('business_id')} AND needs_reply = 1`).pluck().get(EMAIL_TASK_KIND, list) as number;
  const delivered = r.sent_count - r.bounced_count;
  return { task_count: taskIds.length, ...r, open_rate: delivered ? Math.round((r.opened_count / delivered) * 1000) / 1000 : 0, inbound_message_count: inbound, threads_needing_reply: pending };
}

const reportScope = {
  task_ids: z.array(z.string().min(1).max(128)).min(1).max(200).optional().describe(`Tasks to include (default: every sent task). ${HINT_TASK}`),
  sent_from: z.string().max(40).optional().describe('Only tasks sent at or after this ISO time.'),
  sent_to: z.string().max(40).optional().describe('Only tasks sent before this ISO time.'),
};

function scopeTasks(ws: Workspace, input: { task_ids?: string[] | undefined; sent_from?: string | undefined; sent_to?: string | undefined; uids?: string[] | undefined }): TaskRow[] {
  for (const k of ['sent_from', 'sent_to'] as const) if (input[k] && Number.isNaN(Date.parse(input[k]!))) throw invalid(`${k} is not an ISO 8601 time.`, 'Use e.g. 2026-04-01T00:00:00Z.');
  if (input.task_ids) for (const tid of input.task_ids) loadTask(ws, tid);
  const w = new Where()
    .add(input.task_ids ? inJson('task_id') : 'sent_at IS NOT NULL', ...(input.task_ids ? [JSON.stringify([...new Set(input.task_ids)])] : []))
    .maybe(input.sent_from, 'sent_at >= ?', input.sent_from && new Date(input.sent_from).toISOString())
    .maybe(input.sent_to, 'sent_at < ?', input.sent_to && new Date(input.sent_to).toISOString())
    .maybe(input.uids, inJson('owner_uid'), JSON.stringify(input.uids ?? []));
  return ws.db.prepare(`SELECT * FROM email_tasks ${w.sql} ORDER BY sent_at DESC, task_id`).all(...w.params) as TaskRow[];
}

// ---------------------------------------------------------------------------------------------
// Collaborators

const grantable = z.enum(['edit', 'view', 'manage_members']).describe('edit, view or manage_members.');

function checkMember(ws: Workspace, uid: string): void {
  if (!ws.db.prepare('SELECT 1 FROM team_members WHERE user_uid = ?').get(uid)) throw notFound('team member', uid, HINT_MEMBER);
}

function planCollaborators(ws: Workspace, t: TaskRow, wanted: { user_uid: string; permission: string }[]) {
  const seen = new Set<string>();
  for (const c of wanted) {
    if (c.user_uid === t.owner_uid) throw invalid(`${c.user_uid} owns task ${t.task_id}; the owner always stays and is not part of the list.`, 'Leave the owner out of collaborators.');
    if (seen.has(c.user_uid)) throw invalid(`${c.user_uid} appears twice.`, 'List each team member once.');
    seen.add(c.user_uid);
    checkMember(ws, c.user_uid);
  }
  const current = new Map(collaboratorsOf(ws, t.task_id).filter((c) => c.permission !== 'owner').map((c) => [c.user_uid, c.permission]));
  const next = new Map(wanted.map((c) => [c.user_uid, c.permission]));
  return {
    current,
    add: [...next].filter(([u]) => !current.has(u)).map(([user_uid, permission]) => ({ user_uid, permission })),
    remove: [...current.keys()].filter((u) => !next.has(u)),
    change: [...next].filter(([u, p]) => current.has(u) && current.get(u) !== p).map(([user_uid, permission]) => ({ user_uid, permission })),
  };
}

// ---------------------------------------------------------------------------------------------

const listRow = z.object({
  task_id: z.string(),
  type: z.int(),
  name: z.string(),
  status: z.enum(EMAIL_TASK_STATUSES),
  owner_uid: z.string(),
  campaign_id: z.string().nullable(),
  recipient_count: z.int(),
  plan_send_at: z.string().nullable(),
  sent_at: z.string().nullable(),
  updated_at: z.string(),
});

const taskName = z.string().trim().min(1).max(200).describe('Task name.');
const refusedTaskType = z.unknown().optional().describe('Not accepted: standalone tasks are always type 3.');

/** A page of task rows with their recipient counts, newest change first. */
function listTasks(ws: Workspace, w: Where, page: { page: number; page_size: number }) {
  return pageQuery<z.input<typeof listRow>, z.input<typeof listRow>>(
    ws,
    {
      select: 't.task_id, t.type, t.name, t.status, t.owner_uid, t.campaign_id, (SELECT COUNT(*) FROM email_recipients r WHERE r.task_id = t.task_id) AS recipient_count, t.plan_send_at, t.sent_at, t.updated_at',
      from: `FROM email_tasks t ${w.sql}`,
      order: 't.updated_at DESC, t.task_id',
      params: w.params,
    },
    page,
    (r) => r,
  );
}

export const emailOperations = [
  defineOperation({
    name: 'email.list',
    toolset: 'email',
    title: 'List email tasks',
    description: 'Lists email tasks (status draft → scheduled → sending → sent, or cancelled) with recipient counts, newest change first.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/email/tasks' },
    input: z.strictObject({
      status: z.enum(EMAIL_TASK_STATUSES).optional().describe('Only tasks in this status (draft lists drafts).'),
      campaign_id: id('Only tasks kept under this campaign.').optional(),
      owner_uid: id('Only tasks owned by this team member.').optional(),
      keyword: searchText(200).optional().describe('Matches the name or subject.'),
      ...pageInput,
    }),
    output: paged(listRow),
    run: (ws, input) => {
      const like = `%${escapeLike(input.keyword ?? '')}%`;
      const w = new Where()
        .maybe(input.status, 't.status = ?', input.status)
        .maybe(input.campaign_id, 't.campaign_id = ?', input.campaign_id)
        .maybe(input.owner_uid, 't.owner_uid = ?', input.owner_uid)
        .maybe(input.keyword, `(t.name LIKE ? ESCAPE '\\' OR t.subject LIKE ? ESCAPE '\\')`, like, like);
      return listTasks(ws, w, input);
    },
  }),
  defineOperation({
    name: 'email.get',
    toolset: 'email',
    title: 'Get an email task',
    description: 'Everything the approval needs: status, recipient counts, sender, subject, body, product cards, short links, attachment, schedule, filter and collaborators.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/email/tasks/:task_id' },
    input: z.strictObject({ task_id: taskId }),
    output: taskView,
    run: (ws, input) => viewTask(ws, input.task_id),
  }),
  defineOperation({
    name: 'email.create',
    toolset: 'email',
    title: 'Create an email task',
    description: 'Creates a standalone email task (type 3, draft) owned by the acting team member; campaign_id is kept as context only. Returns task_id.',
    kind: 'write',
    risk: 'low',
    route: { method: 'POST', path: '/email/tasks' },
    input: z.strictObject({
      name: taskName,
      campaign_id: id('Campaign to keep the task under, as context (from campaign_list).').optional(),
      task_type: refusedTaskType,
    }),
    output: taskView,
    idsOf: (_i, o) => [o.task_id],
    run: (ws, input, call) => {
      if (input.task_type !== undefined) {
        throw invalid('task_type is not accepted: a standalone email task is always type 3, set by the server.', 'Call email_create again without task_type (a task type is never a task id).');
      }
      checkCampaign(ws, input.campaign_id);
      const tid = ws.newId('task');
      const at = ws.now().toISOString();
      const owner = actingUser(ws, call);
      ws.db.prepare(`INSERT INTO email_tasks (task_id, type, name, status, owner_uid, campaign_id, created_at, updated_at) VALUES (?, 3, ?, 'draft', ?, ?, ?, ?)`).run(tid, input.name, owner, input.campaign_id ?? null, at, at);
      ws.db.prepare(`INSERT INTO email_task_collaborators (task_id, user_uid, permission) VALUES (?, ?, 'owner')`).run(tid, owner);
      return viewTask(ws, tid);
    },
  }),
  defineOperation({
    name: 'email.update',
    toolset: 'email',
    title: 'Update an email task',
    description: 'Renames a task or changes its campaign context (null removes it). Content, sender and recipients have their own tools.',
    kind: 'write',
    risk: 'low',
    hints: { idempotent: true },
    route: { method: 'PATCH', path: '/email/tasks/:task_id' },
    input: z.strictObject({
      task_id: taskId,
      name: taskName.optional(),
      campaign_id: id('Campaign context (from campaign_list); null removes it.').nullable().optional(),
      task_type: refusedTaskType,
    }),
    output: taskView,
    idsOf: (i) => [i.task_id],
    run: (ws, input) => {
      if (input.task_type !== undefined) throw invalid('task_type cannot be set: standalone email tasks are always type 3.', 'Leave task_type out.');
      const t = loadTask(ws, input.task_id);
      checkCampaign(ws, input.campaign_id);
      ws.db
        .prepare('UPDATE email_tasks SET name = ?, campaign_id = ?, updated_at = ? WHERE task_id = ?')
        .run(input.name ?? t.name, input.campaign_id === undefined ? t.campaign_id : input.campaign_id, ws.now().toISOString(), t.task_id);
      return viewTask(ws, t.task_id);
    },
  }),
  defineOperation({
    name: 'email.delete',
    toolset: 'email',
    title: 'Delete an email task',
    description: 'Deletes an email task with its recipients, cards, collaborators and attachment; a schedule is cancelled. Message threads it opened stay.',
    kind: 'write',
    risk: 'high',
    confirm: true,
    route: { method: 'DELETE', path: '/email/tasks/:task_id' },
    input: z.strictObject({ task_id: taskId }),
    output: z.object({ deleted: z.boolean(), task_id: z.string(), removed_recipients: z.int(), summary: z.string() }),
    idsOf: (i) => [i.task_id],
    preview: {
      effect: z.object({ task: listRow, will_remove_recipients: z.int(), will_cancel_schedule: z.boolean(), threads_kept: z.int() }),
      read: (ws, input) => {
        const t = loadTask(ws, input.task_id);
        if (t.status === 'sending') throw new ToolError('CONFLICT', `Email task ${t.task_id} is sending now.`, { hint: 'Wait until it is sent, then delete it.' });
        const n = recipientCount(ws, t.task_id);
        const threads = ws.db.prepare('SELECT COUNT(*) FROM message_threads WHERE business_kind = ? AND business_id = ?').pluck().get(EMAIL_TASK_KIND, t.task_id) as number;
        return {
          effect: {
            task: { task_id: t.task_id, type: t.type, name: t.name, status: t.status, owner_uid: t.owner_uid, campaign_id: t.campaign_id, recipient_count: n, plan_send_at: t.plan_send_at, sent_at: t.sent_at, updated_at: t.updated_at },
            will_remove_recipients: n,
            will_cancel_schedule: t.status === 'scheduled',
            threads_kept: threads,
          },
          state: { task: t.task_id, status: t.status, updated_at: t.updated_at, recipients: n },
          summary: `Delete email task "${t.name}" (${t.task_id}, ${t.status}) with ${n} recipient(s)${t.status === 'scheduled' ? `; cancels the send scheduled for ${t.plan_send_at}` : ''}.`,
        };
      },
    },
    run: (ws, input) => {
      const n = recipientCount(ws, input.task_id);
      cancelScheduleJobs(ws, input.task_id);
      ws.db.prepare('DELETE FROM email_tasks WHERE task_id = ?').run(input.task_id);
      return { deleted: true, task_id: input.task_id, removed_recipients: n, summary: `Deleted email task ${input.task_id} and its ${n} recipient(s).` };
    },
  }),

  // --- recipients ------------------------------------------------------------------------------
  defineOperation({
    name: 'email.recipients_list',
    toolset: 'email',
    title: 'List email recipients',
    description: 'Recipients of one task with status (pending, filtered_out + reason, sent, bounced, replied), reply counts, and for pending ones the reason the current filter would hide them.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/email/tasks/:task_id/recipients' },
    input: z.strictObject({ task_id: taskId, status: z.enum(RECIPIENT_STATUSES).optional().describe('Only recipients in this status.'), ...pageInput }),
    output: paged(
      z.object({
        recipient_id: z.string(),
        creator_id: z.string().nullable(),
        nickname: z.string().nullable(),
        platform: z.string().nullable(),
        channel_id: z.string().nullable(),
        email_address: z.string().nullable(),
        status: z.enum(RECIPIENT_STATUSES),
        filtered_reason: z.string().nullable(),
        would_be_hidden_by: z.string().nullable().describe('Pending only: why the current filter would hide it.'),
        opened: z.boolean(),
        clicked: z.boolean(),
        reply_count: z.int(),
        sent_at: z.string().nullable(),
        added_at: z.string(),
      }),
    ).extend({ task_id: z.string() }),
    run: (ws, input) => {
      const t = loadTask(ws, input.task_id);
      const ev = evaluate(ws, t.task_id, readFilter(t.recipient_filter_json));
      const hiddenBy = new Map(ev.hidden.map((r) => [r.recipient_id, r.hide_reason]));
      const w = new Where().add('r.task_id = ?', t.task_id).maybe(input.status, 'r.status = ?', input.status);
      const page = pageQuery<RecipientRow & { nickname: string | null }, unknown>(
        ws,
        { select: 'r.*, c.nickname', from: `FROM email_recipients r LEFT JOIN creators c ON c.creator_id = r.creator_id ${w.sql}`, order: 'r.added_at, r.rowid', params: w.params },
        input,
        (r) => ({
          recipient_id: r.recipient_id,
          creator_id: r.creator_id,
          nickname: r.nickname,
          platform: r.platform,
          channel_id: r.channel_id,
          email_address: r.email_address,
          status: r.status,
          filtered_reason: r.filtered_reason,
          would_be_hidden_by: hiddenBy.get(r.recipient_id) ?? null,
          opened: r.opened === 1,
          clicked: r.clicked === 1,
          reply_count: r.reply_count,
          sent_at: r.sent_at,
          added_at: r.added_at,
        }),
      );
      return { ...page, task_id: t.task_id } as never;
    },
  }),
  defineOperation({
    name: 'email.recipients_add',
    toolset: 'email',
    title: 'Add email recipients',
    description:
      'Adds recipients to a draft task: each {creator_id} or {platform, channel_id} or {email_address}. URLs and @handles are refused: resolve them with creator_search first. Present ones are reported, not duplicated.',
    kind: 'write',
    risk: 'low',
    route: { method: 'POST', path: '/email/tasks/:task_id/recipients' },
    input: z.strictObject({ task_id: taskId, recipients: z.array(recipientInput).min(1).max(1000).describe('Recipients to add.') }),
    output: z.object({ task_id: z.string(), added_count: z.int(), already_present_count: z.int(), recipient_count: z.int(), summary: z.string() }),
    idsOf: (i) => [i.task_id],
    run: (ws, input) => {
      const t = loadTask(ws, input.task_id);
      requireEditable(t, 'change recipients');
      const { rows, problems } = resolveRecipients(ws, input.recipients);
      refuseProblems(problems);
      const plan = planAdd(ws, t.task_id, rows);
      checkCapacity(ws, t.task_id, plan.add.length);
      insertRecipients(ws, t.task_id, plan.add);
      touch(ws, t.task_id);
      const n = recipientCount(ws, t.task_id);
      return { task_id: t.task_id, added_count: plan.add.length, already_present_count: plan.present.length, recipient_count: n, summary: `Added ${plan.add.length} recipient(s) to ${t.task_id}; ${plan.present.length} already present; ${n} in total.` };
    },
  }),
  defineOperation({
    name: 'email.recipients_delete',
    toolset: 'email',
    title: 'Remove email recipients',
    description: 'Removes recipients (recipient_id from email_recipients_list) from a draft task.',
    kind: 'write',
    risk: 'low',
    hints: { destructive: true, idempotent: true },
    route: { method: 'POST', path: '/email/tasks/:task_id/recipients/delete' },
    input: z.strictObject({ task_id: taskId, recipient_ids: z.array(z.string().min(1).max(128)).min(1).max(1000).describe('recipient_id values from email_recipients_list.') }),
    output: z.object({ task_id: z.string(), deleted_count: z.int(), not_found: z.array(z.string()), recipient_count: z.int(), summary: z.string() }),
    idsOf: (i) => [i.task_id],
    run: (ws, input) => {
      const t = loadTask(ws, input.task_id);
      requireEditable(t, 'change recipients');
      const wanted = [...new Set(input.recipient_ids)];
      const present = new Set(ws.db.prepare(`SELECT recipient_id FROM email_recipients WHERE task_id = ? AND ${inJson('recipient_id')}`).pluck().all(t.task_id, JSON.stringify(wanted)) as string[]);
      ws.db.prepare(`DELETE FROM email_recipients WHERE task_id = ? AND ${inJson('recipient_id')}`).run(t.task_id, JSON.stringify([...present]));
      if (present.size) touch(ws, t.task_id);
      const n = recipientCount(ws, t.task_id);
      return { task_id: t.task_id, deleted_count: present.size, not_found: wanted.filter((r) => !present.has(r)), recipient_count: n, summary: `Removed ${present.size} recipient(s) from ${t.task_id}; ${n} left.` };
    },
  }),
  defineOperation({
    name: 'email.recipients_replace',
    toolset: 'email',
    title: 'Replace email recipients',
    description: 'Sets the whole recipient list of a draft task (same recipient forms as email_recipients_add); recipients not in the new list are removed.',
    kind: 'write',
    risk: 'high',
    route: { method: 'PUT', path: '/email/tasks/:task_id/recipients' },
    input: z.strictObject({ task_id: taskId, recipients: z.array(recipientInput).min(1).max(MAX_RECIPIENTS).describe('The complete new recipient list.') }),
    output: z.object({ task_id: z.string(), added_count: z.int(), removed_count: z.int(), kept_count: z.int(), recipient_count: z.int(), summary: z.string() }),
    idsOf: (i) => [i.task_id],
    preview: {
      effect: z.object({ will_add_count: z.int(), will_remove_count: z.int(), will_keep_count: z.int(), sample_add: z.array(recipientBrief), sample_remove: z.array(recipientBrief) }),
      read: (ws, input) => {
        const p = planReplace(ws, input.task_id, input.recipients);
        return {
          effect: { will_add_count: p.add.length, will_remove_count: p.remove.length, will_keep_count: p.keep, sample_add: sample(p.add).map(brief), sample_remove: sample(p.removeRows).map(brief) },
          state: { status: p.task.status, current: [...p.have.keys()].sort() },
          summary: `Replace the recipients of ${p.task.task_id}: add ${p.add.length}, remove ${p.remove.length}, keep ${p.keep}.`,
        };
      },
    },
    run: (ws, input) => {
      const p = planReplace(ws, input.task_id, input.recipients);
      ws.db.prepare(`DELETE FROM email_recipients WHERE ${inJson('recipient_id')}`).run(JSON.stringify(p.remove));
      insertRecipients(ws, p.task.task_id, p.add);
      touch(ws, p.task.task_id);
      const n = recipientCount(ws, p.task.task_id);
      return { task_id: p.task.task_id, added_count: p.add.length, removed_count: p.remove.length, kept_count: p.keep, recipient_count: n, summary: `Replaced recipients of ${p.task.task_id}: ${p.add.length} added, ${p.remove.length} removed, ${p.keep} kept.` };
    },
  }),
  defineOperation({
    name: 'email.recipients_import',
    toolset: 'email',
    title: 'Import email recipients',
    description:
      'Adds recipients from a .xlsx/.csv (≤8 MB) with columns creator_id, platform + channel_id, or email (no header: first column creator_id or email). Only before the send flow; unusable rows are listed.',
    kind: 'write',
    risk: 'high',
    hints: { destructive: false },
    route: { method: 'POST', path: '/email/tasks/:task_id/recipients/import' },
    input: z.strictObject({ task_id: taskId, ...fileFields(IMPORT_RULES.maxBytes, 'A .xlsx or .csv file') }),
    output: z.object({ task_id: z.string(), added_count: z.int(), already_present_count: z.int(), failed_count: z.int(), failed_items: z.array(z.object({ row: z.int(), value: z.string(), reason: z.string() })), recipient_count: z.int(), summary: z.string() }),
    idsOf: (i) => [i.task_id],
    load: (ws, input) => loadImport(ws, input),
    preview: {
      effect: z.object({
        file_name: z.string(),
        row_count: z.int(),
        will_add_count: z.int(),
        already_present_count: z.int(),
        failed_count: z.int(),
        failed_items: z.array(z.object({ row: z.int(), value: z.string(), reason: z.string() })).describe('Up to 20 rows that will not be imported.'),
        sample_add: z.array(recipientBrief),
      }),
      read: (ws, input, _call, imp) => {
        const t = loadTask(ws, input.task_id);
        requireEditable(t, 'import recipients');
        const p = planImport(ws, t.task_id, imp);
        checkCapacity(ws, t.task_id, p.add.length);
        return {
          effect: { file_name: imp.file.name, row_count: imp.rows.length, will_add_count: p.add.length, already_present_count: p.present.length, failed_count: p.failed.length, failed_items: p.failed.slice(0, 20), sample_add: sample(p.add).map(brief) },
          state: { status: t.status, file: sha256(imp.file.bytes), current: [...existingKeys(ws, t.task_id).keys()].sort() },
          summary: `Import ${p.add.length} recipient(s) from ${imp.file.name} into ${t.task_id}; ${p.present.length} already present, ${p.failed.length} row(s) unusable.`,
        };
      },
    },
    run: (ws, input, _call, imp) => {
      const t = loadTask(ws, input.task_id);
      requireEditable(t, 'import recipients');
      const p = planImport(ws, t.task_id, imp);
      checkCapacity(ws, t.task_id, p.add.length);
      insertRecipients(ws, t.task_id, p.add);
      touch(ws, t.task_id);
      return {
        task_id: t.task_id,
        added_count: p.add.length,
        already_present_count: p.present.length,
        failed_count: p.failed.length,
        failed_items: p.failed.slice(0, 100),
        recipient_count: recipientCount(ws, t.task_id),
        summary: `Imported ${p.add.length} recipient(s) from ${imp.file.name}; ${p.failed.length} row(s) failed.`,
      };
    },
  }),

  // --- filters ---------------------------------------------------------------------------------
  defineOperation({
    name: 'email.recipient_filter_options',
    toolset: 'email',
    title: 'Recipient filter options',
    description: 'The recipient filter dimensions and the collections and other tasks they can name.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/email/recipient-filter/options' },
    input: z.strictObject({ task_id: taskId.optional() }),
    output: z.object({
      dimensions: z.array(z.object({ key: z.string(), type: z.string(), description: z.string() })),
      collections: z.array(z.object({ collection_id: z.string(), name: z.string() })),
      tasks: z.array(z.object({ task_id: z.string(), name: z.string(), status: z.string() })),
    }),
    run: (ws, input) => {
      if (input.task_id) loadTask(ws, input.task_id);
      return {
        dimensions: FILTER_DIMENSIONS,
        collections: ws.db.prepare('SELECT collection_id, name FROM collections ORDER BY updated_at DESC, collection_id LIMIT 50').all() as { collection_id: string; name: string }[],
        tasks: ws.db.prepare('SELECT task_id, name, status FROM email_tasks WHERE task_id IS NOT ? ORDER BY updated_at DESC, task_id LIMIT 50').all(input.task_id ?? null) as { task_id: string; name: string; status: string }[],
      };
    },
  }),
  defineOperation({
    name: 'email.recipient_filter_get',
    toolset: 'email',
    title: 'Get a recipient filter',
    description: "A task's recipient filter and what it does now: how many pending recipients it hides, and why.",
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/email/tasks/:task_id/recipient-filter' },
    input: z.strictObject({ task_id: taskId }),
    output: z.object({ task_id: z.string(), filter: filterSchema, effect: filterEffect }),
    run: (ws, input) => {
      const t = loadTask(ws, input.task_id);
      const f = readFilter(t.recipient_filter_json);
      return { task_id: t.task_id, filter: f, effect: filterSummary(evaluate(ws, t.task_id, f)) };
    },
  }),
  defineOperation({
    name: 'email.recipient_filter_update',
    toolset: 'email',
    title: 'Set a recipient filter',
    description: 'Replaces the recipient filter of a draft task ({} clears it); the filter decides who is actually sent to. Returns how many it hides and why.',
    kind: 'write',
    risk: 'low',
    hints: { idempotent: true },
    route: { method: 'PUT', path: '/email/tasks/:task_id/recipient-filter' },
    input: z.strictObject({ task_id: taskId, filter: filterSchema.describe('The whole filter; {} clears it.') }),
    output: z.object({ task_id: z.string(), filter: filterSchema, effect: filterEffect, summary: z.string() }),
    idsOf: (i) => [i.task_id],
    run: (ws, input) => {
      const t = loadTask(ws, input.task_id);
      requireEditable(t, 'change the recipient filter');
      checkFilter(ws, t.task_id, input.filter);
      const f = readFilter(JSON.stringify(input.filter));
      ws.db.prepare('UPDATE email_tasks SET recipient_filter_json = ?, updated_at = ? WHERE task_id = ?').run(JSON.stringify(f), ws.now().toISOString(), t.task_id);
      const e = filterSummary(evaluate(ws, t.task_id, f));
      const why = Object.entries(e.hidden_by_reason).map(([k, v]) => `${v} ${k}`).join(', ');
      return { task_id: t.task_id, filter: f, effect: e, summary: `Filter saved: ${e.will_send_count} of ${e.pending_count} pending recipient(s) will be sent to${e.hidden_count ? `; hidden: ${why}` : ''}.` };
    },
  }),
  defineOperation({
    name: 'email.recipient_filter_tasks',
    toolset: 'email',
    title: 'Tasks for the recipient filter',
    description: 'Other email tasks a filter can name in hide_in_other_task, with their recipient counts.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/email/recipient-filter/tasks' },
    input: z.strictObject({ task_id: taskId.optional().describe('The task being filtered (left out of the list).'), keyword: searchText(200).optional().describe('Matches the name.'), ...pageInput }),
    output: paged(listRow),
    run: (ws, input) => {
      const w = new Where().maybe(input.task_id, 't.task_id <> ?', input.task_id).maybe(input.keyword, `t.name LIKE ? ESCAPE '\\'`, `%${escapeLike(input.keyword ?? '')}%`);
      return listTasks(ws, w, input);
    },
  }),

  // --- collaborators -----------------------------------------------------------------------------
  defineOperation({
    name: 'email.collaborators_list',
    toolset: 'email',
    title: 'List collaborators',
    description: 'Without task_id: the team members (user_uid, name, role). With task_id: that task\'s collaborators and permissions.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/email/collaborators' },
    input: z.strictObject({ task_id: taskId.optional() }),
    output: z.object({
      task_id: z.string().nullable(),
      team_members: z.array(z.object({ user_uid: z.string(), name: z.string(), email: z.string(), role: z.string() })),
      collaborators: z.array(collaborator),
    }),
    run: (ws, input) => {
      if (!input.task_id) return { task_id: null, team_members: ws.db.prepare('SELECT user_uid, name, email, role FROM team_members ORDER BY user_uid').all() as never, collaborators: [] };
      const t = loadTask(ws, input.task_id);
      return { task_id: t.task_id, team_members: [], collaborators: collaboratorsOf(ws, t.task_id) };
    },
  }),
  defineOperation({
    name: 'email.collaborators_add',
    toolset: 'email',
    title: 'Add a collaborator',
    description: 'Gives a team member (user_uid) edit, view or manage_members access to a task; an existing collaborator gets the new permission.',
    kind: 'write',
    risk: 'low',
    hints: { idempotent: true },
    route: { method: 'POST', path: '/email/tasks/:task_id/collaborators' },
    input: z.strictObject({ task_id: taskId, user_uid: id(`Team member. ${HINT_MEMBER}`), permission: grantable }),
    output: z.object({ task_id: z.string(), user_uid: z.string(), permission: z.string(), previous_permission: z.string().nullable(), collaborators: z.array(collaborator), summary: z.string() }),
    idsOf: (i) => [i.task_id, i.user_uid],
    run: (ws, input) => {
      const t = loadTask(ws, input.task_id);
      if (input.user_uid === t.owner_uid) throw new ToolError('CONFLICT', `${input.user_uid} owns task ${t.task_id}; the owner's access cannot change.`, { hint: 'Add another team member.' });
      checkMember(ws, input.user_uid);
      const prev = (ws.db.prepare('SELECT permission FROM email_task_collaborators WHERE task_id = ? AND user_uid = ?').pluck().get(t.task_id, input.user_uid) as string | undefined) ?? null;
      ws.db.prepare('INSERT INTO email_task_collaborators (task_id, user_uid, permission) VALUES (?, ?, ?) ON CONFLICT (task_id, user_uid) DO UPDATE SET permission = excluded.permission').run(t.task_id, input.user_uid, input.permission);
      return { task_id: t.task_id, user_uid: input.user_uid, permission: input.permission, previous_permission: prev, collaborators: collaboratorsOf(ws, t.task_id), summary: `${input.user_uid} has ${input.permission} access to ${t.task_id}${prev ? ` (was ${prev})` : ''}.` };
    },
  }),
  defineOperation({
    name: 'email.collaborators_remove',
    toolset: 'email',
    title: 'Remove a collaborator',
    description: "Removes a team member's access to a task; the owner always stays.",
    kind: 'write',
    risk: 'low',
    hints: { destructive: true, idempotent: true },
    route: { method: 'DELETE', path: '/email/tasks/:task_id/collaborators/:user_uid' },
    input: z.strictObject({ task_id: taskId, user_uid: id(`Collaborator to remove (from email_collaborators_list with task_id).`) }),
    output: z.object({ task_id: z.string(), removed: z.boolean(), collaborators: z.array(collaborator), summary: z.string() }),
    idsOf: (i) => [i.task_id, i.user_uid],
    run: (ws, input) => {
      const t = loadTask(ws, input.task_id);
      if (input.user_uid === t.owner_uid) throw new ToolError('CONFLICT', `${input.user_uid} owns task ${t.task_id} and always stays.`, { hint: 'Only collaborators other than the owner can be removed.' });
      const res = ws.db.prepare('DELETE FROM email_task_collaborators WHERE task_id = ? AND user_uid = ?').run(t.task_id, input.user_uid);
      if (res.changes === 0) throw notFound('collaborator', input.user_uid, `Collaborators of this task come from email_collaborators_list with task_id ${t.task_id}.`);
      return { task_id: t.task_id, removed: true, collaborators: collaboratorsOf(ws, t.task_id), summary: `Removed ${input.user_uid} from ${t.task_id}.` };
    },
  }),
  defineOperation({
    name: 'email.collaborators_replace',
    toolset: 'email',
    title: 'Replace collaborators',
    description: 'Resets the whole collaborator set of a task (the owner stays and is left out of the list); [] leaves only the owner.',
    kind: 'write',
    risk: 'high',
    confirm: true,
    route: { method: 'PUT', path: '/email/tasks/:task_id/collaborators' },
    input: z.strictObject({
      task_id: taskId,
      collaborators: z.array(z.strictObject({ user_uid: id(`Team member. ${HINT_MEMBER}`), permission: grantable })).max(50).describe('The complete new set, without the owner.'),
    }),
    output: z.object({ task_id: z.string(), added: z.int(), removed: z.int(), changed: z.int(), collaborators: z.array(collaborator), summary: z.string() }),
    idsOf: (i) => [i.task_id],
    preview: {
      effect: z.object({
        owner_uid: z.string(),
        will_add: z.array(z.object({ user_uid: z.string(), permission: z.string() })),
        will_remove: z.array(z.string()),
        will_change: z.array(z.object({ user_uid: z.string(), permission: z.string() })),
      }),
      read: (ws, input) => {
        const t = loadTask(ws, input.task_id);
        const p = planCollaborators(ws, t, input.collaborators);
        return {
          effect: { owner_uid: t.owner_uid, will_add: p.add, will_remove: p.remove, will_change: p.change },
          state: { current: [...p.current].sort() },
          summary: `Replace collaborators of ${t.task_id}: add ${p.add.length}, remove ${p.remove.length}, change ${p.change.length}; owner ${t.owner_uid} stays.`,
        };
      },
    },
    run: (ws, input) => {
      const t = loadTask(ws, input.task_id);
      const p = planCollaborators(ws, t, input.collaborators);
      ws.db.prepare(`DELETE FROM email_task_collaborators WHERE task_id = ? AND permission <> 'owner'`).run(t.task_id);
      const ins = ws.db.prepare('INSERT INTO email_task_collaborators (task_id, user_uid, permission) VALUES (?, ?, ?)');
      for (const c of input.collaborators) ins.run(t.task_id, c.user_uid, c.permission);
      return { task_id: t.task_id, added: p.add.length, removed: p.remove.length, changed: p.change.length, collaborators: collaboratorsOf(ws, t.task_id), summary: `Collaborators of ${t.task_id} replaced: ${p.add.length} added, ${p.remove.length} removed, ${p.change.length} changed.` };
    },
  }),

  // --- attachments -------------------------------------------------------------------------------
  defineOperation({
    name: 'email.attachments_list',
    toolset: 'email',
    title: 'List email attachments',
    description: 'The attachment of a task (at most one) with attachment_id, name, size and sha256.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/email/tasks/:task_id/attachments' },
    input: z.strictObject({ task_id: taskId }),
    output: z.object({ task_id: z.string(), items: z.array(attachment) }),
    run: (ws, input) => {
      loadTask(ws, input.task_id);
      return { task_id: input.task_id, items: ws.db.prepare('SELECT attachment_id, task_id, file_name, size, sha256, created_at FROM email_attachments WHERE task_id = ? ORDER BY created_at').all(input.task_id) as AttachmentRow[] };
    },
  }),
  defineOperation({
    name: 'email.attachments_upload',
    toolset: 'email',
    title: 'Upload an email attachment',
    description: 'Attaches one file (≤10 MB, no executables or scripts; at most one per task) from the files root or base64. On a scheduled task this cancels the schedule.',
    kind: 'write',
    risk: 'high',
    hints: { destructive: false },
    route: { method: 'POST', path: '/email/tasks/:task_id/attachments' },
    input: z.strictObject({ task_id: taskId, ...fileFields(ATTACHMENT_RULES.maxBytes) }),
    output: z.object({ attachment, schedule_cancelled: z.boolean(), status: z.string(), summary: z.string() }),
    idsOf: (i, o) => [i.task_id, o.attachment.attachment_id],
    load: async (ws, input) => loadFile(ws, input, ATTACHMENT_RULES),
    preview: {
      effect: z.object({ task_id: z.string(), file_name: z.string(), size: z.int(), sha256: z.string(), will_cancel_schedule: z.boolean(), plan_send_at: z.string().nullable() }),
      read: (ws, input, _call, file) => {
        const t = attachableTask(ws, input.task_id);
        const existing = attachmentOf(ws, t.task_id);
        if (existing) {
          throw new ToolError('LIMIT_EXCEEDED', `Task ${t.task_id} already has an attachment (${existing.file_name}, ${existing.attachment_id}); at most 1 per task.`, { hint: 'Delete it with email_attachments_delete_preview/_apply first, then upload.' });
        }
        const digest = sha256(file.bytes);
        const cancels = t.status === 'scheduled';
        return {
          effect: { task_id: t.task_id, file_name: file.name, size: file.bytes.length, sha256: digest, will_cancel_schedule: cancels, plan_send_at: t.plan_send_at },
          state: { status: t.status, plan_send_at: t.plan_send_at, attachment: null, file: digest },
          summary: `Attach ${file.name} (${file.bytes.length} bytes) to ${t.task_id}.${cancels ? ` This CANCELS the send scheduled for ${t.plan_send_at}: the task returns to draft and must be scheduled again.` : ''}`,
        };
      },
    },
    run: (ws, input, _call, file) => {
      const t = attachableTask(ws, input.task_id);
      const aid = ws.newId('eatt');
      ws.db.prepare('INSERT INTO email_attachments (attachment_id, task_id, file_name, size, sha256, content, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(aid, t.task_id, file.name, file.bytes.length, sha256(file.bytes), file.bytes, ws.now().toISOString());
      const cancelled = unschedule(ws, t);
      touch(ws, t.task_id);
      return {
        attachment: attachmentOf(ws, t.task_id)!,
        schedule_cancelled: cancelled,
        status: loadTask(ws, t.task_id).status,
        summary: `Attached ${file.name} to ${t.task_id}.${cancelled ? ' The schedule was cancelled: read the task back and schedule it again.' : ''}`,
      };
    },
  }),
  defineOperation({
    name: 'email.attachments_download',
    toolset: 'email',
    title: 'Download an email attachment',
    description: 'Writes an attachment (attachment_id from email_attachments_list) to a new file in the files root; never overwrites.',
    kind: 'write',
    risk: 'low',
    route: { method: 'GET', path: '/email/attachments/:attachment_id' },
    input: z.strictObject({ attachment_id: id('From email_attachments_list.'), output_path: z.string().min(1).max(1024).describe('New file path inside the files root.') }),
    output: z.object({ attachment_id: z.string(), file_name: z.string(), path: z.string(), bytes: z.int(), sha256: z.string() }),
    idsOf: (i) => [i.attachment_id],
    run: (ws, input) => {
      const a = getRow<AttachmentRow & { content: Buffer }>(ws, 'email_attachments', 'attachment_id', input.attachment_id, 'email attachment', 'Attachment ids come from email_attachments_list.');
      const out = ws.files.writeOutput(input.output_path, a.content, false);
      return { attachment_id: a.attachment_id, file_name: a.file_name, path: out.path, bytes: out.bytes, sha256: a.sha256 };
    },
  }),
  defineOperation({
    name: 'email.attachments_delete',
    toolset: 'email',
    title: 'Delete an email attachment',
    description: 'Removes the attachment from its task. On a scheduled task this cancels the schedule.',
    kind: 'write',
    risk: 'high',
    confirm: true,
    route: { method: 'DELETE', path: '/email/attachments/:attachment_id' },
    input: z.strictObject({ attachment_id: id('From email_attachments_list.') }),
    output: z.object({ deleted: z.boolean(), attachment_id: z.string(), task_id: z.string(), schedule_cancelled: z.boolean(), status: z.string(), summary: z.string() }),
    idsOf: (i) => [i.attachment_id],
    preview: {
      effect: z.object({ attachment, will_cancel_schedule: z.boolean(), plan_send_at: z.string().nullable() }),
      read: (ws, input) => {
        const a = getRow<AttachmentRow>(ws, 'email_attachments', 'attachment_id', input.attachment_id, 'email attachment', 'Attachment ids come from email_attachments_list.');
        const t = attachableTask(ws, a.task_id);
        const cancels = t.status === 'scheduled';
        return {
          effect: { attachment: { attachment_id: a.attachment_id, task_id: a.task_id, file_name: a.file_name, size: a.size, sha256: a.sha256, created_at: a.created_at }, will_cancel_schedule: cancels, plan_send_at: t.plan_send_at },
          state: { status: t.status, plan_send_at: t.plan_send_at, attachment: a.sha256 },
          summary: `Delete ${a.file_name} from ${t.task_id}.${cancels ? ` This CANCELS the send scheduled for ${t.plan_send_at}: the task returns to draft and must be scheduled again.` : ''}`,
        };
      },
    },
    run: (ws, input) => {
      const a = getRow<AttachmentRow>(ws, 'email_attachments', 'attachment_id', input.attachment_id, 'email attachment', 'Attachment ids come from email_attachments_list.');
      const t = attachableTask(ws, a.task_id);
      ws.db.prepare('DELETE FROM email_attachments WHERE attachment_id = ?').run(a.attachment_id);
      const cancelled = unschedule(ws, t);
      touch(ws, t.task_id);
      return {
        deleted: true,
        attachment_id: a.attachment_id,
        task_id: t.task_id,
        schedule_cancelled: cancelled,
        status: loadTask(ws, t.task_id).status,
        summary: `Deleted ${a.file_name} from ${t.task_id}.${cancelled ? ' The schedule was cancelled: read the task back and schedule it again.' : ''}`,
      };
    },
  }),

  // --- content and sender --------------------------------------------------------------------------
  defineOperation({
    name: 'email.content_save',
    toolset: 'email',
    title: 'Save email content',
    description:
      'Saves subject, html_body and text_body of a draft task (omitted fields kept); product_collect_ids sets the product cards (≤5, [] clears); short_links (ids or URLs from short_link_list) are embedded if the body lacks them.',
    kind: 'write',
    risk: 'low',
    hints: { idempotent: true },
    route: { method: 'PUT', path: '/email/tasks/:task_id/content' },
    input: z.strictObject({
      task_id: taskId,
      subject: z.string().trim().min(1).max(300).optional().describe('Email subject.'),
      html_body: z.string().max(200_000).optional().describe('HTML body with visible text.'),
      text_body: z.string().max(200_000).optional().describe('Plain-text body.'),
      product_collect_ids: z.array(z.string().min(1).max(128)).max(50).optional().describe('Product cards in order, at most 5 (from product_list).'),
      short_links: z.array(z.string().min(1).max(2048)).max(20).optional().describe('short_link_id or short_url values to embed.'),
    }),
    output: taskView.extend({ embedded_short_links: z.array(z.string()).describe('URLs appended to the body by this call.') }),
    idsOf: (i) => [i.task_id],
    run: (ws, input) => {
      const t = loadTask(ws, input.task_id);
      requireEditable(t, 'change the content');
      let html = input.html_body ?? t.html_body;
      let text = input.text_body ?? t.text_body;
      const appended: string[] = [];
      for (const v of input.short_links ?? []) {
        const l = resolveShortLink(ws, v);
        if (!html.includes(l.short_url)) {
          html += `<p><a href="${l.short_url}">${escapeHtml(l.title)}</a></p>`;
          appended.push(l.short_url);
        }
        if (!text.includes(l.short_url)) text += `${text ? '\n\n' : ''}${l.title}: ${l.short_url}`;
      }
      if (input.product_collect_ids) setCards(ws, t.task_id, input.product_collect_ids);
      ws.db.prepare('UPDATE email_tasks SET subject = ?, html_body = ?, text_body = ?, updated_at = ? WHERE task_id = ?').run(input.subject ?? t.subject, html, text, ws.now().toISOString(), t.task_id);
      return { ...viewTask(ws, t.task_id), embedded_short_links: appended };
    },
  }),
  defineOperation({
    name: 'email.products_list',
    toolset: 'email',
    title: 'List product cards',
    description: 'The product cards of a task, in order, with the product details.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/email/tasks/:task_id/products' },
    input: z.strictObject({ task_id: taskId }),
    output: z.object({ task_id: z.string(), items: z.array(productCardDetail) }),
    run: (ws, input) => {
      loadTask(ws, input.task_id);
      return { task_id: input.task_id, items: cardDetailsOf(ws, input.task_id) };
    },
  }),
  defineOperation({
    name: 'email.sender_list',
    toolset: 'email',
    title: 'List email senders',
    description: 'Authorized sender mailboxes (sender_auth_id); with task_id, marks the one the task uses.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/email/senders' },
    input: z.strictObject({ task_id: taskId.optional() }),
    output: z.object({ task_id: z.string().nullable(), items: z.array(sender.extend({ selected: z.boolean() })) }),
    run: (ws, input) => {
      const chosen = input.task_id ? loadTask(ws, input.task_id).sender_auth_id : null;
      const rows = ws.db.prepare('SELECT * FROM senders ORDER BY sender_auth_id').all() as SenderRow[];
      return { task_id: input.task_id ?? null, items: rows.map((r) => ({ ...r, selected: r.sender_auth_id === chosen })) };
    },
  }),
  defineOperation({
    name: 'email.sender_update',
    toolset: 'email',
    title: 'Set the sender',
    description: `Sets the sender mailbox of a draft task. ${HINT_SENDER}`,
    kind: 'write',
    risk: 'low',
    hints: { idempotent: true },
    route: { method: 'PUT', path: '/email/tasks/:task_id/sender' },
    input: z.strictObject({ task_id: taskId, sender_auth_id: id(`Sender mailbox. ${HINT_SENDER}`) }),
    output: z.object({ task_id: z.string(), sender, summary: z.string() }),
    idsOf: (i) => [i.task_id],
    run: (ws, input) => {
      const t = loadTask(ws, input.task_id);
      requireEditable(t, 'change the sender');
      const s = senderOf(ws, input.sender_auth_id);
      if (!s) throw notFound('sender', input.sender_auth_id, HINT_SENDER);
      ws.db.prepare('UPDATE email_tasks SET sender_auth_id = ?, updated_at = ? WHERE task_id = ?').run(s.sender_auth_id, ws.now().toISOString(), t.task_id);
      return { task_id: t.task_id, sender: s, summary: `${t.task_id} will be sent from ${s.name} <${s.email}>.` };
    },
  }),

  // --- send, schedule, cancel -----------------------------------------------------------------------
  defineOperation({
    name: 'email.send',
    toolset: 'email',
    title: 'Send an email task',
    description:
      'Sends a draft task now to the recipients that pass its filter. The preview is the approval sheet (final recipients, filtered ones and why, sender, subject, body digest, cards, attachment); any change after it makes apply PREVIEW_STALE.',
    kind: 'write',
    risk: 'high',
    confirm: true,
    hints: { destructive: true, openWorld: true },
    route: { method: 'POST', path: '/email/tasks/:task_id/send' },
    input: z.strictObject({ task_id: taskId }),
    output: sendResult,
    idsOf: (i) => [i.task_id],
    preview: { effect: approvalEffect, read: (ws, input) => approval(ws, input.task_id, null, 'send') },
    run: (ws, input) => performSend(ws, input.task_id),
  }),
  defineOperation({
    name: 'email.schedule',
    toolset: 'email',
    title: 'Schedule an email task',
    description:
      'Schedules a draft task for plan_send_at (ISO 8601 with Z or a whole-hour offset such as +08:00; +05:30 is refused). The preview is the approval sheet; a later change makes apply PREVIEW_STALE.',
    kind: 'write',
    risk: 'high',
    confirm: true,
    hints: { destructive: true, openWorld: true },
    route: { method: 'POST', path: '/email/tasks/:task_id/schedule' },
    input: z.strictObject({ task_id: taskId, plan_send_at: z.string().min(1).max(40).describe('Send time, e.g. 2026-05-01T09:00:00+08:00.') }),
    output: z.object({ task_id: z.string(), status: z.string(), plan_send_at: z.string(), recipient_count: z.int(), summary: z.string() }),
    idsOf: (i) => [i.task_id],
    preview: { effect: approvalEffect, read: (ws, input) => approval(ws, input.task_id, parsePlanSendAt(input.plan_send_at, ws.now()), 'schedule') },
    run: (ws, input) => {
      const at = parsePlanSendAt(input.plan_send_at, ws.now());
      const t = loadTask(ws, input.task_id);
      const n = evaluate(ws, t.task_id, readFilter(t.recipient_filter_json)).send.length;
      cancelScheduleJobs(ws, t.task_id);
      ws.db.prepare(`UPDATE email_tasks SET status = 'scheduled', plan_send_at = ?, updated_at = ? WHERE task_id = ?`).run(at, ws.now().toISOString(), t.task_id);
      ws.jobs.enqueue(JOB_SCHEDULED_SEND, { task_id: t.task_id, plan_send_at: at }, new Date(at));
      return { task_id: t.task_id, status: 'scheduled', plan_send_at: at, recipient_count: n, summary: `Scheduled ${t.task_id} for ${at} to ${n} recipient(s) (as the filter stands then).` };
    },
  }),
  defineOperation({
    name: 'email.cancel',
    toolset: 'email',
    title: 'Cancel a scheduled send',
    description: 'Cancels the schedule of a scheduled task (status cancelled); the task can then be edited and sent or scheduled again.',
    kind: 'write',
    risk: 'low',
    hints: { idempotent: true },
    route: { method: 'POST', path: '/email/tasks/:task_id/cancel' },
    input: z.strictObject({ task_id: taskId }),
    output: z.object({ task_id: z.string(), status: z.string(), cancelled_plan_send_at: z.string().nullable(), summary: z.string() }),
    idsOf: (i) => [i.task_id],
    run: (ws, input) => {
      const t = loadTask(ws, input.task_id);
      if (t.status === 'cancelled') return { task_id: t.task_id, status: t.status, cancelled_plan_send_at: null, summary: `${t.task_id} was already cancelled.` };
      if (t.status !== 'scheduled') throw new ToolError('CONFLICT', `Email task ${t.task_id} is ${t.status}; only a scheduled send can be cancelled.`, { hint: 'Read the task with email_get; a sent email cannot be recalled.' });
      cancelScheduleJobs(ws, t.task_id);
      ws.db.prepare(`UPDATE email_tasks SET status = 'cancelled', plan_send_at = NULL, updated_at = ? WHERE task_id = ?`).run(ws.now().toISOString(), t.task_id);
      return { task_id: t.task_id, status: 'cancelled', cancelled_plan_send_at: t.plan_send_at, summary: `Cancelled the send of ${t.task_id} scheduled for ${t.plan_send_at}.` };
    },
  }),

  // --- reports -----------------------------------------------------------------------------------
  defineOperation({
    name: 'email.report',
    toolset: 'email',
    title: 'Email task report',
    description: 'Send and reply metrics of one task: reply_count (tracked replies), replied_creator_count (distinct repliers) and inbound_message_count (thread messages) are different numbers.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/email/tasks/:task_id/report' },
    input: z.strictObject({ task_id: taskId }),
    output: metrics.extend({ task_id: z.string(), name: z.string(), status: z.string(), sent_at: z.string().nullable() }),
    run: (ws, input) => {
      const t = loadTask(ws, input.task_id);
      return { task_id: t.task_id, name: t.name, status: t.status, sent_at: t.sent_at, ...metricsOf(ws, [t.task_id]) };
    },
  }),
  defineOperation({
    name: 'email.team_summary',
    toolset: 'email',
    title: 'Email team summary',
    description: 'Metrics over several tasks (default every sent task); replied_creator_count counts each creator once across them. Per-task rows are included.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/email/reports/team-summary' },
    input: z.strictObject({ ...reportScope, uids: z.array(z.string().min(1).max(128)).min(1).max(50).optional().describe(`Only tasks owned by these team member uids. ${HINT_MEMBER}`) }),
    output: metrics.extend({
      tasks: z.array(z.object({ task_id: z.string(), name: z.string(), owner_uid: z.string(), status: z.string(), sent_at: z.string().nullable(), sent_count: z.int(), reply_count: z.int(), replied_creator_count: z.int(), inbound_message_count: z.int() })).describe('Up to 100 tasks.'),
    }),
    run: (ws, input) => {
      const tasks = scopeTasks(ws, input);
      return {
        ...metricsOf(ws, tasks.map((t) => t.task_id)),
        tasks: tasks.slice(0, 100).map((t) => {
          const m = metricsOf(ws, [t.task_id]);
          return { task_id: t.task_id, name: t.name, owner_uid: t.owner_uid, status: t.status, sent_at: t.sent_at, sent_count: m.sent_count, reply_count: m.reply_count, replied_creator_count: m.replied_creator_count, inbound_message_count: m.inbound_message_count };
        }),
      };
    },
  }),
  defineOperation({
    name: 'email.team_breakdown',
    toolset: 'email',
    title: 'Email team breakdown',
    description: 'The same metrics per team member uid (the task owner), over every sent task or the ones named.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/email/reports/team-breakdown' },
    input: z.strictObject({ ...reportScope, uids: z.array(z.string().min(1).max(128)).min(1).max(50).optional().describe(`Only these team member uids. ${HINT_MEMBER}`) }),
    output: z.object({ items: z.array(metrics.extend({ uid: z.string(), name: z.string() })) }),
    run: (ws, input) => {
      for (const u of input.uids ?? []) checkMember(ws, u);
      const tasks = scopeTasks(ws, input);
      const members = ws.db.prepare('SELECT user_uid, name FROM team_members ORDER BY user_uid').all() as { user_uid: string; name: string }[];
      const items = members
        .filter((m) => (input.uids ? input.uids.includes(m.user_uid) : tasks.some((t) => t.owner_uid === m.user_uid)))
        .map((m) => ({ uid: m.user_uid, name: m.name, ...metricsOf(ws, tasks.filter((t) => t.owner_uid === m.user_uid).map((t) => t.task_id)) }));
      return { items };
    },
  }),
];

function planReplace(ws: Workspace, tid: string, items: RecipientInput[]) {
  const task = loadTask(ws, tid);
  requireEditable(task, 'change recipients');
  const { rows, problems } = resolveRecipients(ws, items);
  refuseProblems(problems);
  const have = existingKeys(ws, tid);
  const next = new Set(rows.map((r) => r.key));
  const removeKeys = [...have.keys()].filter((k) => !next.has(k));
  const removeRows = ws.db
    .prepare(`SELECT creator_id, platform, channel_id, email_address FROM email_recipients WHERE ${inJson('recipient_id')} ORDER BY added_at, recipient_id`)
    .all(JSON.stringify(removeKeys.slice(0, 10).map((k) => have.get(k)))) as Resolved[];
  return { task, have, add: rows.filter((r) => !have.has(r.key)), remove: removeKeys.map((k) => have.get(k)!), removeRows, keep: rows.length - rows.filter((r) => !have.has(r.key)).length };
}

function attachableTask(ws: Workspace, tid: string): TaskRow {
  const t = loadTask(ws, tid);
  if (t.status === 'sending' || t.status === 'sent') throw new ToolError('CONFLICT', `Email task ${tid} is ${t.status}; its attachment can no longer change.`, { hint: 'Create a new task for another send.' });
  return t;
}

function setCards(ws: Workspace, tid: string, pids: string[]): void {
  if (pids.length > MAX_PRODUCT_CARDS) {
    throw new ToolError('LIMIT_EXCEEDED', `An email task holds at most ${MAX_PRODUCT_CARDS} product cards; ${pids.length} were given.`, { hint: `Keep the ${MAX_PRODUCT_CARDS} most relevant product_collect_ids.` });
  }
  if (new Set(pids).size !== pids.length) throw invalid('product_collect_ids lists a product twice.', 'List each product once, in card order.');
  for (const p of pids) if (!ws.db.prepare('SELECT 1 FROM products WHERE product_collect_id = ?').get(p)) throw notFound('product', p, 'product_collect_id values come from product_list.');
  ws.db.prepare('DELETE FROM email_task_products WHERE task_id = ?').run(tid);
  const ins = ws.db.prepare('INSERT INTO email_task_products (task_id, product_collect_id, position) VALUES (?, ?, ?)');
  pids.forEach((p, i) => ins.run(tid, p, i));
}

const escapeHtml = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** Scheduled sends fire from the job runner (they live in the jobs table, so they survive restarts); replies follow a send. */
export const emailJobs: WorkspaceJobs = {
  [JOB_SCHEDULED_SEND]: (ws) => async (params) => {
    const tid = String(params.task_id);
    return ws.db
      .transaction(() => {
        const t = ws.db.prepare('SELECT status, plan_send_at FROM email_tasks WHERE task_id = ?').get(tid) as { status: string; plan_send_at: string | null } | undefined;
        // A schedule that was cancelled, moved or deleted since it was queued does nothing.
        if (!t || t.status !== 'scheduled' || t.plan_send_at !== params.plan_send_at) return { skipped: true };
        return performSend(ws, tid);
      })
      .immediate();
  },
  [JOB_REPLIES]: (ws) => async (params) => ws.db.transaction(() => simulateReplies(ws, String(params.task_id), ws.now())).immediate(),
};
