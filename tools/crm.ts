// CRM: NoxInfluencer's own creator CRM (channels, labels, groups, batch updates, imports).
// Rule of the real system: a coop-status or label change auto-creates a missing channel for a
// valid creator (label-only changes give it the default status); owner-, email-, remark-, url-,
// group- and archive-only changes need an existing channel, and a missing one is a listed failure.
import { z } from 'zod';
import type { CallInfo, Problem } from '../src/catalog.js';
import { defineOperation } from '../workspace/legacy.js';
import type { Workspace } from '../workspace/workspace.js';
import { invalid, notFound, ToolError } from '../src/errors.js';
import { buildXlsx } from '../src/spreadsheet.js';
import { COOP_STATUSES, DEFAULT_COOP_STATUS, type CoopStatus } from './vocabulary.js';
import { actingUser, escapeLike, fileFields, fingerprint, getRow, id, ids, inJson, pageInput, pageQuery, paged, platform, sample, unknownLabels, Where, searchText } from './shared.js';
import { creatorResolver, EMAIL_RE, matchCreators, readSheet, urlCell, type ParsedCreatorUrl } from '../workspace/creator-import.js';
import { failedItem, templateOutput, templatePathField, type FailedItem } from './imports.js';

const HINT_CHANNEL = 'CRM channels are listed by crm_list; creator ids come from creator_search or collection_items.';
const HINT_LABEL = 'Label ids come from crm_labels_list.';
const HINT_GROUP = 'Group ids come from crm_groups_list.';
const HINT_TASK = 'Email task ids come from email_list.';

const coopStatus = z.enum(COOP_STATUSES).describe(`Cooperation status: ${COOP_STATUSES.join(', ')}.`);
const creatorId = id(`The creator's id. ${HINT_CHANNEL}`);
const labelIdList = (d: string) => z.array(z.string().min(1).max(128)).max(50).describe(d);

// ---------------------------------------------------------------------------------------------
// Channels

const channel = z.object({
  creator_id: z.string(),
  platform: z.string(),
  nickname: z.string(),
  channel_id: z.string(),
  channel_url: z.string(),
  coop_status: z.string(),
  label_ids: z.array(z.string()),
  group_ids: z.array(z.string()),
  owner_uid: z.string().nullable(),
  email: z.string().nullable(),
  url: z.string().nullable(),
  remark: z.string(),
  archived: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
});

interface ChannelRow {
  creator_id: string;
  platform: string;
  nickname: string;
  channel_id: string;
  channel_url: string;
  coop_status: string;
  labels: string;
  groups: string;
  owner_uid: string | null;
  email: string | null;
  url: string | null;
  remark: string;
  archived: number;
  created_at: string;
  updated_at: string;
}

const CHANNEL_SELECT = `ch.creator_id, ch.platform, c.nickname, c.channel_id, c.channel_url, ch.coop_status, ch.owner_uid, ch.email, ch.url, ch.remark,
  ch.archived, ch.created_at, ch.updated_at,
  (SELECT json_group_array(label_id) FROM (SELECT label_id FROM crm_channel_labels l WHERE l.creator_id = ch.creator_id ORDER BY label_id)) AS labels,
  (SELECT json_group_array(group_id) FROM (SELECT group_id FROM crm_channel_groups g WHERE g.creator_id = ch.creator_id ORDER BY group_id)) AS groups`;
const CHANNEL_FROM = 'FROM crm_channels ch JOIN creators c ON c.creator_id = ch.creator_id';

const toChannel = (r: ChannelRow): z.input<typeof channel> => ({
  creator_id: r.creator_id,
  platform: r.platform,
  nickname: r.nickname,
  channel_id: r.channel_id,
  channel_url: r.channel_url,
  coop_status: r.coop_status,
  label_ids: JSON.parse(r.labels) as string[],
  group_ids: JSON.parse(r.groups) as string[],
  owner_uid: r.owner_uid,
  email: r.email,
  url: r.url,
  remark: r.remark,
  archived: r.archived === 1,
  created_at: r.created_at,
  updated_at: r.updated_at,
});

function findChannel(ws: Workspace, cid: string): z.input<typeof channel> | undefined {
  const row = ws.db.prepare(`SELECT ${CHANNEL_SELECT} ${CHANNEL_FROM} WHERE ch.creator_id = ?`).get(cid) as ChannelRow | undefined;
  return row && toChannel(row);
}

function loadChannel(ws: Workspace, cid: string): z.input<typeof channel> {
  const ch = findChannel(ws, cid);
  if (!ch) throw notFound('CRM channel for creator', cid, `${HINT_CHANNEL} A coop_status or label change (crm_update, crm_batch_update) creates the channel.`);
  return ch;
}

function checkOwner(ws: Workspace, uid: string | null | undefined): void {
  if (uid && !ws.db.prepare('SELECT 1 FROM team_members WHERE user_uid = ?').get(uid)) throw notFound('team member', uid, 'Team member user_uid values come from email_collaborators_list (without a task).');
}

function checkLabels(ws: Workspace, labelIds: string[] | undefined): void {
  const unknown = labelIds ? unknownLabels(ws, labelIds) : [];
  if (unknown.length) throw new ToolError('NOT_FOUND', `Unknown label id(s): ${unknown.join(', ')}.`, { hint: `${HINT_LABEL} Create one with crm_labels_create.`, actionType: 'look_up_id' });
}

function checkGroups(ws: Workspace, groupIds: string[] | undefined): void {
  if (!groupIds?.length) return;
  const known = new Set(ws.db.prepare(`SELECT group_id FROM crm_groups WHERE ${inJson('group_id')}`).pluck().all(JSON.stringify(groupIds)) as string[]);
  const unknown = [...new Set(groupIds)].filter((g) => !known.has(g));
  if (unknown.length) throw new ToolError('NOT_FOUND', `Unknown group id(s): ${unknown.join(', ')}.`, { hint: HINT_GROUP, actionType: 'look_up_id' });
}

/** Creates channels for valid creators (set-based): the platform and channel URL come from the creator. */
function createChannels(ws: Workspace, creatorIds: string[], v: { coop_status: string; owner_uid: string | null; archived?: boolean; email?: string | null; remark?: string }): number {
  if (!creatorIds.length) return 0;
  const at = ws.now().toISOString();
  return ws.db
    .prepare(
      `INSERT OR IGNORE INTO crm_channels (creator_id, platform, coop_status, owner_uid, email, url, remark, archived, created_at, updated_at)
       SELECT c.creator_id, c.platform, ?, ?, ?, c.channel_url, ?, ?, ?, ? FROM creators c WHERE ${inJson('c.creator_id')}`,
    )
    .run(v.coop_status, v.owner_uid, v.email ?? null, v.remark ?? '', v.archived ? 1 : 0, at, at, JSON.stringify(creatorIds)).changes;
}

function setLabels(ws: Workspace, creatorIds: string[], labelIds: string[], operation: 'add' | 'remove' | 'replace'): void {
  if (!creatorIds.length) return;
  const cids = JSON.stringify(creatorIds);
  if (operation === 'replace') ws.db.prepare(`DELETE FROM crm_channel_labels WHERE ${inJson('creator_id')}`).run(cids);
  if (operation === 'remove') ws.db.prepare(`DELETE FROM crm_channel_labels WHERE ${inJson('creator_id')} AND label_id IN (SELECT value FROM json_each(?))`).run(cids, JSON.stringify(labelIds));
  else ws.db.prepare(`INSERT OR IGNORE INTO crm_channel_labels (creator_id, label_id) SELECT c.value, l.value FROM json_each(?) c, json_each(?) l`).run(cids, JSON.stringify(labelIds));
}

/** Marks channels changed, so previews that read them go stale. */
function touchChannels(ws: Workspace, creatorIds: string[]): void {
  ws.db.prepare(`UPDATE crm_channels SET updated_at = ? WHERE ${inJson('creator_id')}`).run(ws.now().toISOString(), JSON.stringify(creatorIds));
}

// ---------------------------------------------------------------------------------------------
// Batch changes on many creators: shared by crm_batch_update and crm_archive

interface BatchChanges {
  coop_status?: CoopStatus | undefined;
  labels?: { operation: 'add' | 'remove'; label_ids: string[] } | undefined;
  owner_uid?: string | null | undefined;
  archived?: boolean | undefined;
}

const failure = z.object({ creator_id: z.string(), reason: z.string().describe('creator_not_found or no_crm_channel.') });
type Failure = z.infer<typeof failure>;

interface BatchPlan {
  requested: string[];
  existing: { creator_id: string; archived: number; updated_at: string }[];
  create: string[];
  failed: Failure[];
}

function planChannels(ws: Workspace, creatorIds: string[], changes: BatchChanges): BatchPlan {
  const requested = [...new Set(creatorIds)];
  const json = JSON.stringify(requested);
  const known = new Set(ws.db.prepare(`SELECT creator_id FROM creators WHERE ${inJson('creator_id')}`).pluck().all(json) as string[]);
  const existing = ws.db.prepare(`SELECT creator_id, archived, updated_at FROM crm_channels WHERE ${inJson('creator_id')} ORDER BY creator_id`).all(json) as BatchPlan['existing'];
  const has = new Set(existing.map((e) => e.creator_id));
  const autoCreate = changes.coop_status !== undefined || changes.labels !== undefined;
  const create: string[] = [];
  const failed: Failure[] = [];
  for (const cid of requested) {
    if (!known.has(cid)) failed.push({ creator_id: cid, reason: 'creator_not_found' });
    else if (has.has(cid)) continue;
    else if (autoCreate) create.push(cid);
    else failed.push({ creator_id: cid, reason: 'no_crm_channel' });
  }
  create.sort();
  return { requested, existing, create, failed };
}

function checkChanges(ws: Workspace, changes: BatchChanges): void {
  if (changes.coop_status === undefined && changes.labels === undefined && changes.owner_uid === undefined && changes.archived === undefined) {
    throw invalid('No change given.', 'Set at least one of coop_status, labels, owner_uid or archived.');
  }
  checkOwner(ws, changes.owner_uid);
  checkLabels(ws, changes.labels?.label_ids);
}

function batchState(plan: BatchPlan, changes: BatchChanges) {
  return {
    channels: fingerprint(plan.existing.map((e) => [e.creator_id, e.updated_at])),
    create: fingerprint(plan.create.map((c) => [c])),
    failed: fingerprint(plan.failed.map((f) => [f.creator_id, f.reason])),
    labels: changes.labels ? [...changes.labels.label_ids].sort() : [],
  };
}

function nicknames(ws: Workspace, creatorIds: string[]): Map<string, string> {
  const rows = ws.db.prepare(`SELECT creator_id, nickname FROM creators WHERE ${inJson('creator_id')}`).all(JSON.stringify(creatorIds)) as { creator_id: string; nickname: string }[];
  return new Map(rows.map((r) => [r.creator_id, r.nickname]));
}

function batchSample(ws: Workspace, plan: BatchPlan, existingOutcome: (e: BatchPlan['existing'][number]) => string) {
  const rows = [
    ...plan.create.slice(0, 10).map((c) => ({ creator_id: c, outcome: 'will_create' })),
    ...plan.existing.slice(0, 10).map((e) => ({ creator_id: e.creator_id, outcome: existingOutcome(e) })),
    ...plan.failed.slice(0, 10).map((f) => ({ creator_id: f.creator_id, outcome: f.reason })),
  ];
  const names = nicknames(ws, rows.map((r) => r.creator_id));
  return sample(rows).map((r) => ({ ...r, nickname: names.get(r.creator_id) ?? null }));
}

/** Applies the changes set-based, in the caller's transaction. */
function applyChanges(ws: Workspace, call: CallInfo, plan: BatchPlan, changes: BatchChanges): { created: number; updated: number } {
  const existingIds = plan.existing.map((e) => e.creator_id);
  const created = createChannels(ws, plan.create, {
    coop_status: changes.coop_status ?? DEFAULT_COOP_STATUS,
    owner_uid: changes.owner_uid !== undefined ? changes.owner_uid : actingUser(ws, call),
    archived: changes.archived ?? false,
  });
  const sets: string[] = ['updated_at = ?'];
  const params: unknown[] = [ws.now().toISOString()];
  if (changes.coop_status !== undefined) sets.push('coop_status = ?'), params.push(changes.coop_status);
  if (changes.owner_uid !== undefined) sets.push('owner_uid = ?'), params.push(changes.owner_uid);
  if (changes.archived !== undefined) sets.push('archived = ?'), params.push(changes.archived ? 1 : 0);
  const updated = existingIds.length ? ws.db.prepare(`UPDATE crm_channels SET ${sets.join(', ')} WHERE ${inJson('creator_id')}`).run(...params, JSON.stringify(existingIds)).changes : 0;
  if (changes.labels) setLabels(ws, [...existingIds, ...plan.create], changes.labels.label_ids, changes.labels.operation);
  return { created, updated };
}

const batchSampleRow = z.object({ creator_id: z.string(), nickname: z.string().nullable(), outcome: z.string() });
const batchEffect = z.object({
  requested_count: z.int(),
  matched_count: z.int().describe('Requested ids that are creators of the workspace.'),
  existing_count: z.int().describe('Creators that already have a CRM channel.'),
  will_create_count: z.int().describe('Missing channels the change creates (coop-status or label changes only).'),
  failed_count: z.int(),
  failed: z.array(failure).describe('Per-creator failures, at most 50 shown.'),
  sample: z.array(batchSampleRow),
});

function batchEffectOf(ws: Workspace, plan: BatchPlan, existingOutcome: (e: BatchPlan['existing'][number]) => string): z.input<typeof batchEffect> {
  return {
    requested_count: plan.requested.length,
    matched_count: plan.existing.length + plan.create.length + plan.failed.filter((f) => f.reason === 'no_crm_channel').length,
    existing_count: plan.existing.length,
    will_create_count: plan.create.length,
    failed_count: plan.failed.length,
    failed: plan.failed.slice(0, 50),
    sample: batchSample(ws, plan, existingOutcome),
  };
}

const selector = z.strictObject({ creator_ids: ids('Creator ids (from crm_list, creator_search or collection_items).', 50_000) }).describe('Which creators: selector.creator_ids.');

const batchUpdateInput = z.strictObject({
  selector,
  coop_status: coopStatus.optional(),
  labels: z
    .strictObject({ operation: z.enum(['add', 'remove']).describe('add or remove the labels.'), label_ids: ids(HINT_LABEL, 50) })
    .optional()
    .describe('Label change for every selected channel.'),
  owner_uid: id('Team member user_uid to own the channels; null clears.').nullable().optional(),
  archived: z.boolean().optional().describe('true archives, false restores.'),
});

const archiveInput = z.strictObject({ creator_ids: ids(`Creators whose CRM channels to archive. ${HINT_CHANNEL}`) });

// ---------------------------------------------------------------------------------------------
// Add to email

const addToEmailInput = z.strictObject({ task_id: id(`The email task to add recipients to. ${HINT_TASK}`), selector });

interface TaskRow {
  task_id: string;
  name: string;
  status: string;
  campaign_id: string | null;
  updated_at: string;
}

function emailProblems(ws: Workspace, input: z.output<typeof addToEmailInput>): { task?: TaskRow; problems: Problem[] } {
  const task = ws.db.prepare('SELECT task_id, name, status, campaign_id, updated_at FROM email_tasks WHERE task_id = ?').get(input.task_id) as TaskRow | undefined;
  if (!task) return { problems: [{ field: 'task_id', code: 'NOT_FOUND', message: `No email task with id ${JSON.stringify(input.task_id)}. ${HINT_TASK}` }] };
  if (task.status !== 'draft') return { task, problems: [{ field: 'task_id', code: 'CONFLICT', message: `Task ${task.task_id} is ${task.status}: recipients can only be added before the send flow starts (draft).` }] };
  return { task, problems: [] };
}

interface EmailPlan {
  task: TaskRow;
  add: string[];
  already: string[];
  failed: Failure[];
}

function planEmail(ws: Workspace, input: z.output<typeof addToEmailInput>): EmailPlan {
  const { task, problems } = emailProblems(ws, input);
  const p = problems[0];
  if (p) throw new ToolError(p.code, p.message, { hint: p.code === 'NOT_FOUND' ? HINT_TASK : 'Choose a draft task (email_list), or cancel the scheduled send first.' });
  const requested = [...new Set(input.selector.creator_ids)];
  const json = JSON.stringify(requested);
  const known = new Set(ws.db.prepare(`SELECT creator_id FROM creators WHERE ${inJson('creator_id')}`).pluck().all(json) as string[]);
  const channels = new Map((ws.db.prepare(`SELECT creator_id, archived FROM crm_channels WHERE ${inJson('creator_id')}`).all(json) as { creator_id: string; archived: number }[]).map((r) => [r.creator_id, r.archived]));
  const present = new Set(ws.db.prepare(`SELECT creator_id FROM email_recipients WHERE task_id = ? AND ${inJson('creator_id')}`).pluck().all(task!.task_id, json) as string[]);
  const plan: EmailPlan = { task: task!, add: [], already: [], failed: [] };
  for (const cid of requested) {
    const archived = channels.get(cid);
    if (!known.has(cid)) plan.failed.push({ creator_id: cid, reason: 'creator_not_found' });
    else if (archived === undefined) plan.failed.push({ creator_id: cid, reason: 'no_crm_channel' });
    else if (archived) plan.failed.push({ creator_id: cid, reason: 'archived' });
    else if (present.has(cid)) plan.already.push(cid);
    else plan.add.push(cid);
  }
  plan.add.sort();
  return plan;
}

// ---------------------------------------------------------------------------------------------
// Labels and groups

const label = z.object({ label_id: z.string(), name: z.string(), color: z.string(), channel_count: z.int().describe('CRM channels carrying it.'), created_at: z.string() });
interface LabelRow {
  label_id: string;
  name: string;
  color: string;
  channel_count: number;
  created_at: string;
}
const LABEL_SELECT = `l.label_id, l.name, l.color, l.created_at, (SELECT COUNT(*) FROM crm_channel_labels x WHERE x.label_id = l.label_id) AS channel_count`;
const labelName = z.string().trim().min(1).max(50).describe('Label name, unique (case-insensitive).');
const labelColor = z.string().regex(/^#[0-9A-Fa-f]{6}$/, 'a #RRGGBB color').describe('Color as #RRGGBB.');

function loadLabel(ws: Workspace, labelId: string): LabelRow {
  const row = ws.db.prepare(`SELECT ${LABEL_SELECT} FROM crm_labels l WHERE l.label_id = ?`).get(labelId) as LabelRow | undefined;
  if (!row) throw notFound('CRM label', labelId, HINT_LABEL);
  return row;
}

const group = z.object({ group_id: z.string(), name: z.string(), description: z.string(), channel_count: z.int(), created_at: z.string() });
interface GroupRow {
  group_id: string;
  name: string;
  description: string;
  channel_count: number;
  created_at: string;
}
const GROUP_SELECT = `g.group_id, g.name, g.description, g.created_at, (SELECT COUNT(*) FROM crm_channel_groups x WHERE x.group_id = g.group_id) AS channel_count`;
const groupName = z.string().trim().min(1).max(100).describe('Group name, unique (case-insensitive).');
const groupDescription = z.string().max(2000).describe('What the group is for.');

function loadGroup(ws: Workspace, groupId: string): GroupRow {
  const row = ws.db.prepare(`SELECT ${GROUP_SELECT} FROM crm_groups g WHERE g.group_id = ?`).get(groupId) as GroupRow | undefined;
  if (!row) throw notFound('CRM group', groupId, HINT_GROUP);
  return row;
}

/** Inserts or renames a label/group row, turning a name clash into DUPLICATE_DATA. */
function uniqueName<T>(what: string, name: string, write: () => T): T {
  try {
    return write();
  } catch (e) {
    if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
      throw new ToolError('DUPLICATE_DATA', `A CRM ${what} named ${JSON.stringify(name)} already exists.`, { hint: `Use the existing ${what} (crm_${what}s_list) or choose another name.` });
    }
    throw e;
  }
}

/** Deletes a label or group after marking its channels changed; returns how many channels carried it. */
function deleteTag(ws: Workspace, kind: 'label' | 'group', tagId: string): number {
  const link = kind === 'label' ? 'crm_channel_labels' : 'crm_channel_groups';
  const carriers = ws.db.prepare(`SELECT creator_id FROM ${link} WHERE ${kind}_id = ?`).pluck().all(tagId) as string[];
  touchChannels(ws, carriers);
  ws.db.prepare(`DELETE FROM crm_${kind}s WHERE ${kind}_id = ?`).run(tagId);
  return carriers.length;
}

// ---------------------------------------------------------------------------------------------
// Import

const CRM_IMPORT_LIMITS = { maxBytes: 10 * 1024 * 1024, maxRows: 500 };
const CRM_TEMPLATE_HEADER = ['Creator URL (YouTube, TikTok or Instagram)', 'Email', `Coop status (${COOP_STATUSES.join('/')})`, 'Labels (names, comma-separated)', 'Remark'];
const CRM_TEMPLATE_ROWS = [
  ['https://www.youtube.com/@examplechannel', 'hello@example.com', 'contacted', 'VIP, Needs brief', 'Met at the spring launch event.'],
  ['https://www.instagram.com/examplecreator/', '', 'pending', '', ''],
];

const crmImportInput = z.strictObject({
  ...fileFields(CRM_IMPORT_LIMITS.maxBytes, 'A .xlsx or .csv file'),
  overwrite_existing: z.boolean().default(false).describe('true: rows of creators already in the CRM overwrite their channel; false: they are reported as repeated.'),
});

interface CrmImportRow {
  row: number;
  parsed: ParsedCreatorUrl;
  email: string | null;
  coop_status: CoopStatus | null;
  label_names: string[];
  remark: string | null;
}

interface ParsedCrmImport {
  file_name: string;
  sha256: string;
  row_count: number;
  rows: CrmImportRow[];
  failed: FailedItem[];
  duplicates: { row: number; duplicate_of_row: number }[];
}

async function loadCrmImport(ws: Workspace, input: z.output<typeof crmImportInput>): Promise<ParsedCrmImport> {
  const sheet = await readSheet(ws, input, CRM_IMPORT_LIMITS);
  const out: ParsedCrmImport = { file_name: sheet.name, sha256: sheet.sha256, row_count: sheet.rows.length, rows: [], failed: [], duplicates: [] };
  const seen = new Map<string, number>();
  for (const r of sheet.rows) {
    const u = urlCell(r);
    if ('failed' in u) {
      out.failed.push(u.failed);
      continue;
    }
    const [, email = '', status = '', labels = '', remark = ''] = r.cells;
    const bad = (column: string, value: string, reason: string) => out.failed.push({ row: r.row, column, value, reason });
    if (email && !EMAIL_RE.test(email)) {
      bad('B', email, 'Not an email address.');
      continue;
    }
    const coop = status.toLowerCase();
    if (coop && !(COOP_STATUSES as readonly string[]).includes(coop)) {
      bad('C', status, `Unknown coop status; use one of ${COOP_STATUSES.join(', ')}.`);
      continue;
    }
    if (remark.length > 2000) {
      bad('E', remark.slice(0, 40), 'Remark longer than 2000 characters.');
      continue;
    }
    const key = `${u.parsed.platform}:${u.parsed.channel_id}`;
    const first = seen.get(key);
    if (first !== undefined) {
      out.duplicates.push({ row: r.row, duplicate_of_row: first });
      continue;
    }
    seen.set(key, r.row);
    out.rows.push({
      row: r.row,
      parsed: u.parsed,
      email: email ? email.toLowerCase() : null,
      coop_status: coop ? (coop as CoopStatus) : null,
      label_names: labels.split(/[,;]/).map((l) => l.trim()).filter(Boolean),
      remark: remark || null,
    });
  }
  return out;
}

interface CrmImportPlan {
  create: CrmImportRow[];
  overwrite: CrmImportRow[];
  failed: FailedItem[];
  repeated: { row: number; creator_id: string | null; reason: string }[];
  matched: Map<string, string>;
  channels: Map<string, string>;
  labelIds: Map<string, string>;
}

function planCrmImport(ws: Workspace, input: z.output<typeof crmImportInput>, parsed: ParsedCrmImport): CrmImportPlan {
  const labelIds = new Map((ws.db.prepare('SELECT label_id, name FROM crm_labels').all() as { label_id: string; name: string }[]).map((l) => [l.name.toLowerCase(), l.label_id]));
  const matched = matchCreators(ws, parsed.rows.map((r) => r.parsed));
  const channels = new Map(
    (ws.db.prepare(`SELECT creator_id, updated_at FROM crm_channels WHERE ${inJson('creator_id')}`).all(JSON.stringify([...matched.values()])) as { creator_id: string; updated_at: string }[]).map((r) => [r.creator_id, r.updated_at]),
  );
  const plan: CrmImportPlan = { create: [], overwrite: [], failed: [...parsed.failed], repeated: [], matched, channels, labelIds };
  for (const r of parsed.rows) {
    const unknown = r.label_names.filter((n) => !labelIds.has(n.toLowerCase()));
    if (unknown.length) {
      plan.failed.push({ row: r.row, column: 'D', value: unknown.join(', '), reason: 'Unknown label name(s); create them with crm_labels_create first.' });
      continue;
    }
    const cid = matched.get(`${r.parsed.platform}:${r.parsed.channel_id}`) ?? null;
    if (cid && channels.has(cid)) {
      plan.repeated.push({ row: r.row, creator_id: cid, reason: 'already_in_crm' });
      if (input.overwrite_existing) plan.overwrite.push(r);
    } else plan.create.push(r);
  }
  for (const d of parsed.duplicates) plan.repeated.push({ row: d.row, creator_id: null, reason: `duplicate_of_row_${d.duplicate_of_row}` });
  plan.failed.sort((a, b) => a.row - b.row);
  plan.repeated.sort((a, b) => a.row - b.row);
  if (plan.create.length + plan.overwrite.length === 0 && plan.repeated.length === 0) {
    const first = plan.failed.slice(0, 3).map((f) => `row ${f.row}, column ${f.column}: ${f.reason}`).join('; ');
    throw new ToolError('INVALID_REQUEST', `${parsed.file_name}: none of its ${parsed.row_count} row(s) can be imported (${first}).`, {
      hint: 'Fix the rows named in details.failed_items (crm_import_template shows the columns), then preview again.',
      details: { failed_items: plan.failed.slice(0, 50) },
    });
  }
  return plan;
}

const repeatedItem = z.object({ row: z.int(), creator_id: z.string().nullable(), reason: z.string().describe('already_in_crm or duplicate_of_row_<n>.') });

// ---------------------------------------------------------------------------------------------

const listInput = z.strictObject({
  label_ids: labelIdList(`Channels carrying any of these labels. ${HINT_LABEL}`).optional(),
  coop_status: coopStatus.optional(),
  owner_uid: id('Channels owned by this team member user_uid.').optional(),
  group_id: id(`Channels in this group. ${HINT_GROUP}`).optional(),
  platform: platform.optional(),
  archived: z.boolean().default(false).describe('false (default): active channels; true: archived ones.'),
  keyword: searchText(200).optional().describe('Matches nickname, channel id, email or remark.'),
  ...pageInput,
});

export const crmOperations = [
  defineOperation({
    name: 'crm.list',
    toolset: 'crm',
    title: 'List CRM channels',
    description: 'Lists CRM channels (newest change first) with coop status, labels, groups and owner; filter by labels, status, owner, group, archived or keyword.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/crm' },
    input: listInput,
    output: paged(channel),
    run: (ws, input) => {
      const like = `%${escapeLike(input.keyword ?? '')}%`;
      const w = new Where()
        .add('ch.archived = ?', input.archived ? 1 : 0)
        .maybe(input.coop_status, 'ch.coop_status = ?', input.coop_status)
        .maybe(input.owner_uid, 'ch.owner_uid = ?', input.owner_uid)
        .maybe(input.platform, 'ch.platform = ?', input.platform)
        .maybe(input.group_id, 'EXISTS (SELECT 1 FROM crm_channel_groups g WHERE g.creator_id = ch.creator_id AND g.group_id = ?)', input.group_id)
        .maybe(input.label_ids?.length ? true : undefined, `EXISTS (SELECT 1 FROM crm_channel_labels l WHERE l.creator_id = ch.creator_id AND ${inJson('l.label_id')})`, JSON.stringify(input.label_ids ?? []))
        .maybe(input.keyword, `(c.nickname LIKE ? ESCAPE '\\' OR c.channel_id LIKE ? ESCAPE '\\' OR ch.email LIKE ? ESCAPE '\\' OR ch.remark LIKE ? ESCAPE '\\')`, like, like, like, like);
      return pageQuery<ChannelRow, z.input<typeof channel>>(ws, { select: CHANNEL_SELECT, from: `${CHANNEL_FROM} ${w.sql}`, order: 'ch.updated_at DESC, ch.creator_id', params: w.params }, input, toChannel);
    },
  }),
  defineOperation({
    name: 'crm.get',
    toolset: 'crm',
    title: 'Get a CRM channel',
    description: 'One CRM channel by creator_id: coop status, labels, groups, owner, email, url, remark, archived.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/crm/:creator_id' },
    input: z.strictObject({ creator_id: creatorId }),
    output: channel,
    run: (ws, input) => loadChannel(ws, input.creator_id),
  }),
  defineOperation({
    name: 'crm.update',
    toolset: 'crm',
    title: 'Update a CRM channel',
    description:
      'Updates one creator\'s CRM channel. coop_status or label_ids (replaces the set) create a missing channel; owner_uid, email, url, remark or group_ids alone need an existing one.',
    kind: 'write',
    risk: 'low',
    hints: { idempotent: true },
    route: { method: 'PATCH', path: '/crm/:creator_id' },
    input: z.strictObject({
      creator_id: creatorId,
      coop_status: coopStatus.optional(),
      label_ids: labelIdList(`The channel's whole label set. ${HINT_LABEL}`).optional(),
      group_ids: labelIdList(`The channel's whole group set. ${HINT_GROUP}`).optional(),
      owner_uid: id('Team member user_uid; null clears.').nullable().optional(),
      email: z.string().regex(EMAIL_RE, 'an email address').max(320).nullable().optional().describe('Contact email; null clears.'),
      url: z.url({ protocol: /^https?$/ }).max(2000).nullable().optional().describe('Channel or contact URL; null clears.'),
      remark: z.string().max(2000).optional().describe('Free-text note.'),
    }),
    output: channel.extend({ created: z.boolean().describe('True when this change created the channel.'), summary: z.string() }),
    idsOf: (i) => [i.creator_id],
    run: (ws, input, call) => {
      const { creator_id: cid, ...changes } = input;
      if (Object.values(changes).every((v) => v === undefined)) throw invalid('No change given.', 'Set at least one of coop_status, label_ids, group_ids, owner_uid, email, url or remark.');
      getRow(ws, 'creators', 'creator_id', cid, 'creator', 'Creator ids come from creator_search or collection_items.');
      checkOwner(ws, input.owner_uid);
      checkLabels(ws, input.label_ids);
      checkGroups(ws, input.group_ids);
      let created = false;
      if (!findChannel(ws, cid)) {
        if (input.coop_status === undefined && input.label_ids === undefined) {
          throw new ToolError('NOT_FOUND', `Creator ${cid} has no CRM channel; owner, email, url, remark and group changes need an existing one.`, {
            hint: 'Create the channel first with a coop_status or label_ids change (crm_update or crm_batch_update), or add its collection with collection_add_to_crm.',
            actionType: 'look_up_id',
          });
        }
        createChannels(ws, [cid], { coop_status: input.coop_status ?? DEFAULT_COOP_STATUS, owner_uid: input.owner_uid !== undefined ? input.owner_uid : actingUser(ws, call) });
        created = true;
      }
      const sets: string[] = ['updated_at = ?'];
      const params: unknown[] = [ws.now().toISOString()];
      for (const k of ['coop_status', 'owner_uid', 'email', 'url', 'remark'] as const) {
        if (input[k] !== undefined) sets.push(`${k} = ?`), params.push(input[k]);
      }
      ws.db.prepare(`UPDATE crm_channels SET ${sets.join(', ')} WHERE creator_id = ?`).run(...params, cid);
      if (input.label_ids) setLabels(ws, [cid], input.label_ids, 'replace');
      if (input.group_ids) {
        ws.db.prepare('DELETE FROM crm_channel_groups WHERE creator_id = ?').run(cid);
        ws.db.prepare('INSERT OR IGNORE INTO crm_channel_groups (creator_id, group_id) SELECT ?, value FROM json_each(?)').run(cid, JSON.stringify(input.group_ids));
      }
      return { ...loadChannel(ws, cid), created, summary: `${created ? 'Created' : 'Updated'} the CRM channel of ${cid}.` };
    },
  }),
  defineOperation({
    name: 'crm.batch_update',
    toolset: 'crm',
    title: 'Batch-update CRM channels',
    description:
      'Changes coop_status, labels (add/remove) and/or owner_uid or archived of many creators (selector.creator_ids). Coop-status or label changes create missing channels; owner/archive-only changes fail for creators without one and list them.',
    kind: 'write',
    risk: 'high',
    hints: { destructive: false },
    route: { method: 'POST', path: '/crm/batch-update' },
    input: batchUpdateInput,
    output: z.object({ created_count: z.int(), updated_count: z.int(), failed_count: z.int(), failed: z.array(failure).describe('At most 100 shown.'), summary: z.string() }),
    idsOf: (i) => i.selector.creator_ids.slice(0, 200),
    preview: {
      effect: batchEffect,
      read: (ws, input) => {
        checkChanges(ws, input);
        const plan = planChannels(ws, input.selector.creator_ids, input);
        return {
          effect: batchEffectOf(ws, plan, () => 'will_update'),
          state: batchState(plan, input),
          summary: `Update ${plan.existing.length} CRM channel(s) and create ${plan.create.length}; ${plan.failed.length} creator(s) fail.`,
        };
      },
    },
    run: (ws, input, call) => {
      checkChanges(ws, input);
      const plan = planChannels(ws, input.selector.creator_ids, input);
      const { created, updated } = applyChanges(ws, call, plan, input);
      return { created_count: created, updated_count: updated, failed_count: plan.failed.length, failed: plan.failed.slice(0, 100), summary: `Created ${created} and updated ${updated} CRM channel(s); ${plan.failed.length} failed.` };
    },
  }),
  defineOperation({
    name: 'crm.archive',
    toolset: 'crm',
    title: 'Archive CRM channels',
    description: 'Archives the CRM channels of the given creators (crm_restore brings one back). Creators without a channel fail and are listed.',
    kind: 'write',
    risk: 'high',
    hints: { destructive: false, idempotent: true },
    route: { method: 'POST', path: '/crm/archive' },
    input: archiveInput,
    output: z.object({ archived_count: z.int(), already_archived_count: z.int(), failed_count: z.int(), failed: z.array(failure).describe('At most 100 shown.'), summary: z.string() }),
    idsOf: (i) => i.creator_ids.slice(0, 200),
    preview: {
      effect: batchEffect.omit({ will_create_count: true }).extend({ will_archive_count: z.int(), already_archived_count: z.int() }),
      read: (ws, input) => {
        const plan = planChannels(ws, input.creator_ids, { archived: true });
        const { will_create_count: _none, ...effect } = batchEffectOf(ws, plan, (e) => (e.archived ? 'already_archived' : 'will_archive'));
        const already = plan.existing.filter((e) => e.archived).length;
        return {
          effect: { ...effect, will_archive_count: plan.existing.length - already, already_archived_count: already },
          state: batchState(plan, {}),
          summary: `Archive ${plan.existing.length - already} CRM channel(s); ${already} already archived, ${plan.failed.length} creator(s) without a channel.`,
        };
      },
    },
    run: (ws, input, call) => {
      const plan = planChannels(ws, input.creator_ids, { archived: true });
      const already = plan.existing.filter((e) => e.archived);
      const active = { ...plan, existing: plan.existing.filter((e) => !e.archived) };
      const { updated } = applyChanges(ws, call, active, { archived: true });
      return { archived_count: updated, already_archived_count: already.length, failed_count: plan.failed.length, failed: plan.failed.slice(0, 100), summary: `Archived ${updated} CRM channel(s); ${plan.failed.length} failed.` };
    },
  }),
  defineOperation({
    name: 'crm.restore',
    toolset: 'crm',
    title: 'Restore an archived CRM channel',
    description: 'Brings one archived CRM channel back to the active list (crm_list with archived: true shows archived ones).',
    kind: 'write',
    risk: 'low',
    hints: { idempotent: true },
    route: { method: 'POST', path: '/crm/:creator_id/restore' },
    input: z.strictObject({ creator_id: creatorId }),
    output: channel.extend({ restored: z.boolean().describe('False when it was not archived.'), summary: z.string() }),
    idsOf: (i) => [i.creator_id],
    run: (ws, input) => {
      const ch = loadChannel(ws, input.creator_id);
      if (ch.archived) ws.db.prepare('UPDATE crm_channels SET archived = 0, updated_at = ? WHERE creator_id = ?').run(ws.now().toISOString(), input.creator_id);
      return { ...loadChannel(ws, input.creator_id), restored: ch.archived, summary: ch.archived ? `Restored the CRM channel of ${input.creator_id}.` : `The CRM channel of ${input.creator_id} was not archived.` };
    },
  }),
  defineOperation({
    name: 'crm.add_to_email',
    toolset: 'crm',
    title: 'Add CRM channels to an email task',
    description:
      'Adds existing, active CRM channels (selector.creator_ids) to a draft email task as recipients; refuses tasks already in their send flow. Task ids from email_list.',
    kind: 'staged',
    risk: 'high',
    hints: { destructive: false },
    route: { method: 'POST', path: '/crm/add-to-email' },
    input: addToEmailInput,
    output: z.object({
      task_id: z.string(),
      campaign_id: z.string().nullable(),
      added_count: z.int(),
      already_recipient_count: z.int(),
      failed_count: z.int(),
      failed: z.array(failure.extend({ reason: z.string().describe('creator_not_found, no_crm_channel or archived.') })).describe('At most 100 shown.'),
      summary: z.string(),
    }),
    idsOf: (i) => [i.task_id],
    validate: (ws, input) => emailProblems(ws, input).problems,
    preview: {
      effect: z.object({
        task_id: z.string(),
        task_name: z.string(),
        requested_count: z.int(),
        will_add_count: z.int(),
        already_recipient_count: z.int(),
        failed_count: z.int(),
        failed: z.array(failure).describe('At most 50 shown.'),
        sample: z.array(batchSampleRow),
      }),
      read: (ws, input) => {
        const plan = planEmail(ws, input);
        const rows = [...plan.add.map((c) => ({ creator_id: c, outcome: 'will_add' })), ...plan.already.map((c) => ({ creator_id: c, outcome: 'already_recipient' }))].slice(0, 10);
        const names = nicknames(ws, rows.map((r) => r.creator_id));
        return {
          effect: {
            task_id: plan.task.task_id,
            task_name: plan.task.name,
            requested_count: plan.add.length + plan.already.length + plan.failed.length,
            will_add_count: plan.add.length,
            already_recipient_count: plan.already.length,
            failed_count: plan.failed.length,
            failed: plan.failed.slice(0, 50),
            sample: rows.map((r) => ({ ...r, nickname: names.get(r.creator_id) ?? null })),
          },
          state: { task: { status: plan.task.status, updated_at: plan.task.updated_at }, add: plan.add, already: plan.already.sort(), failed: plan.failed.map((f) => `${f.creator_id}:${f.reason}`) },
          summary: `Add ${plan.add.length} CRM channel(s) to email task "${plan.task.name}" (${plan.task.task_id}); ${plan.already.length} already recipients, ${plan.failed.length} fail.`,
        };
      },
    },
    run: (ws, input) => {
      const plan = planEmail(ws, input);
      const at = ws.now().toISOString();
      const added = ws.db
        .prepare(
          `INSERT INTO email_recipients (recipient_id, task_id, creator_id, platform, channel_id, email_address, status, added_at)
           SELECT 'rcp_' || lower(hex(randomblob(8))), ?, c.creator_id, c.platform, c.channel_id, NULL, 'pending', ? FROM creators c WHERE ${inJson('c.creator_id')}`,
        )
        .run(plan.task.task_id, at, JSON.stringify(plan.add)).changes;
      if (added) ws.db.prepare('UPDATE email_tasks SET updated_at = ? WHERE task_id = ?').run(at, plan.task.task_id);
      return {
        task_id: plan.task.task_id,
        campaign_id: plan.task.campaign_id,
        added_count: added,
        already_recipient_count: plan.already.length,
        failed_count: plan.failed.length,
        failed: plan.failed.slice(0, 100),
        summary: `Added ${added} recipient(s) to email task ${plan.task.task_id}; ${plan.already.length} already there, ${plan.failed.length} failed.`,
      };
    },
  }),
  defineOperation({
    name: 'crm.labels_list',
    toolset: 'crm',
    title: 'List CRM labels',
    description: 'Lists CRM labels with how many channels carry each; label_id values are used by crm_batch_update, crm_list and collection_batch.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/crm/labels' },
    input: z.strictObject({ keyword: searchText(100).optional().describe('Matches the name.'), ...pageInput }),
    output: paged(label),
    run: (ws, input) => {
      const w = new Where().maybe(input.keyword, `l.name LIKE ? ESCAPE '\\'`, `%${escapeLike(input.keyword ?? '')}%`);
      return pageQuery<LabelRow, z.input<typeof label>>(ws, { select: LABEL_SELECT, from: `FROM crm_labels l ${w.sql}`, order: 'l.name COLLATE NOCASE, l.label_id', params: w.params }, input, (r) => r);
    },
  }),
  defineOperation({
    name: 'crm.labels_create',
    toolset: 'crm',
    title: 'Create a CRM label',
    description: 'Creates a CRM label and returns its label_id; names are unique (case-insensitive).',
    kind: 'write',
    risk: 'low',
    route: { method: 'POST', path: '/crm/labels' },
    input: z.strictObject({ name: labelName, color: labelColor.default('#6B7280') }),
    output: label.extend({ summary: z.string() }),
    idsOf: (_i, o) => [o.label_id],
    run: (ws, input) => {
      const lid = ws.newId('lbl');
      uniqueName('label', input.name, () => ws.db.prepare('INSERT INTO crm_labels (label_id, name, color, created_at) VALUES (?, ?, ?, ?)').run(lid, input.name, input.color, ws.now().toISOString()));
      return { ...loadLabel(ws, lid), summary: `Created label "${input.name}" (${lid}).` };
    },
  }),
  defineOperation({
    name: 'crm.labels_update',
    toolset: 'crm',
    title: 'Update a CRM label',
    description: 'Renames or recolors a CRM label; its channels keep it.',
    kind: 'write',
    risk: 'low',
    hints: { idempotent: true },
    route: { method: 'PATCH', path: '/crm/labels/:label_id' },
    input: z.strictObject({ label_id: id(`The label's id. ${HINT_LABEL}`), name: labelName.optional(), color: labelColor.optional() }),
    output: label.extend({ summary: z.string() }),
    idsOf: (i) => [i.label_id],
    run: (ws, input) => {
      const row = loadLabel(ws, input.label_id);
      const name = input.name ?? row.name;
      uniqueName('label', name, () => ws.db.prepare('UPDATE crm_labels SET name = ?, color = ? WHERE label_id = ?').run(name, input.color ?? row.color, row.label_id));
      return { ...loadLabel(ws, row.label_id), summary: `Updated label ${row.label_id}.` };
    },
  }),
  defineOperation({
    name: 'crm.labels_delete',
    toolset: 'crm',
    title: 'Delete a CRM label',
    description: 'Deletes a CRM label and removes it from every channel, collection item and message thread carrying it.',
    kind: 'write',
    risk: 'high',
    confirm: true,
    route: { method: 'DELETE', path: '/crm/labels/:label_id' },
    input: z.strictObject({ label_id: id(`The label's id. ${HINT_LABEL}`) }),
    output: z.object({ deleted: z.boolean(), label_id: z.string(), removed_from_channels: z.int(), removed_from_items: z.int(), summary: z.string() }),
    idsOf: (i) => [i.label_id],
    preview: {
      effect: z.object({ label, collection_item_count: z.int().describe('Collection items carrying it.'), thread_count: z.int().describe('Message threads carrying it.') }),
      read: (ws, input) => {
        const row = loadLabel(ws, input.label_id);
        const items = ws.db.prepare(`SELECT COUNT(*) FROM collection_items WHERE EXISTS (SELECT 1 FROM json_each(label_ids_json) WHERE value = ?)`).pluck().get(row.label_id) as number;
        const threads = ws.db.prepare('SELECT COUNT(*) FROM message_thread_labels WHERE label_id = ?').pluck().get(row.label_id) as number;
        return {
          effect: { label: row, collection_item_count: items, thread_count: threads },
          state: { label: { name: row.name, channels: row.channel_count, items, threads } },
          summary: `Delete label "${row.name}" (${row.label_id}), carried by ${row.channel_count} channel(s), ${items} collection item(s) and ${threads} thread(s).`,
        };
      },
    },
    run: (ws, input) => {
      const row = loadLabel(ws, input.label_id);
      const items = ws.db
        .prepare(
          `UPDATE collection_items SET label_ids_json = (SELECT json_group_array(value) FROM json_each(collection_items.label_ids_json) WHERE value <> @label)
           WHERE EXISTS (SELECT 1 FROM json_each(collection_items.label_ids_json) WHERE value = @label)`,
        )
        .run({ label: row.label_id }).changes;
      const channels = deleteTag(ws, 'label', row.label_id);
      return { deleted: true, label_id: row.label_id, removed_from_channels: channels, removed_from_items: items, summary: `Deleted label "${row.name}" from ${channels} channel(s) and ${items} collection item(s).` };
    },
  }),
  defineOperation({
    name: 'crm.groups_list',
    toolset: 'crm',
    title: 'List CRM groups',
    description: 'Lists CRM groups with their channel counts; crm_list with group_id lists a group\'s channels.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/crm/groups' },
    input: z.strictObject({ keyword: searchText(100).optional().describe('Matches the name.'), ...pageInput }),
    output: paged(group),
    run: (ws, input) => {
      const w = new Where().maybe(input.keyword, `g.name LIKE ? ESCAPE '\\'`, `%${escapeLike(input.keyword ?? '')}%`);
      return pageQuery<GroupRow, z.input<typeof group>>(ws, { select: GROUP_SELECT, from: `FROM crm_groups g ${w.sql}`, order: 'g.name COLLATE NOCASE, g.group_id', params: w.params }, input, (r) => r);
    },
  }),
  defineOperation({
    name: 'crm.groups_get',
    toolset: 'crm',
    title: 'Get a CRM group',
    description: 'One CRM group with its channel count and up to 50 member creator ids.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/crm/groups/:group_id' },
    input: z.strictObject({ group_id: id(`The group's id. ${HINT_GROUP}`) }),
    output: group.extend({ creator_ids: z.array(z.string()).describe('Members, at most 50 (crm_list with group_id pages all).') }),
    run: (ws, input) => {
      const row = loadGroup(ws, input.group_id);
      const members = ws.db.prepare('SELECT creator_id FROM crm_channel_groups WHERE group_id = ? ORDER BY creator_id LIMIT 50').pluck().all(row.group_id) as string[];
      return { ...row, creator_ids: members };
    },
  }),
  defineOperation({
    name: 'crm.groups_create',
    toolset: 'crm',
    title: 'Create a CRM group',
    description: 'Creates a CRM group and returns its group_id; put channels in it with crm_update group_ids.',
    kind: 'write',
    risk: 'low',
    route: { method: 'POST', path: '/crm/groups' },
    input: z.strictObject({ name: groupName, description: groupDescription.default('') }),
    output: group.extend({ summary: z.string() }),
    idsOf: (_i, o) => [o.group_id],
    run: (ws, input) => {
      const gid = ws.newId('grp');
      uniqueName('group', input.name, () => ws.db.prepare('INSERT INTO crm_groups (group_id, name, description, created_at) VALUES (?, ?, ?, ?)').run(gid, input.name, input.description, ws.now().toISOString()));
      return { ...loadGroup(ws, gid), summary: `Created group "${input.name}" (${gid}).` };
    },
  }),
  defineOperation({
    name: 'crm.groups_update',
    toolset: 'crm',
    title: 'Update a CRM group',
    description: 'Renames a CRM group or changes its description.',
    kind: 'write',
    risk: 'low',
    hints: { idempotent: true },
    route: { method: 'PATCH', path: '/crm/groups/:group_id' },
    input: z.strictObject({ group_id: id(`The group's id. ${HINT_GROUP}`), name: groupName.optional(), description: groupDescription.optional() }),
    output: group.extend({ summary: z.string() }),
    idsOf: (i) => [i.group_id],
    run: (ws, input) => {
      const row = loadGroup(ws, input.group_id);
      const name = input.name ?? row.name;
      uniqueName('group', name, () => ws.db.prepare('UPDATE crm_groups SET name = ?, description = ? WHERE group_id = ?').run(name, input.description ?? row.description, row.group_id));
      return { ...loadGroup(ws, row.group_id), summary: `Updated group ${row.group_id}.` };
    },
  }),
  defineOperation({
    name: 'crm.groups_delete',
    toolset: 'crm',
    title: 'Delete a CRM group',
    description: 'Deletes a CRM group; its channels stay in the CRM, only the grouping goes.',
    kind: 'write',
    risk: 'high',
    confirm: true,
    route: { method: 'DELETE', path: '/crm/groups/:group_id' },
    input: z.strictObject({ group_id: id(`The group's id. ${HINT_GROUP}`) }),
    output: z.object({ deleted: z.boolean(), group_id: z.string(), removed_from_channels: z.int(), summary: z.string() }),
    idsOf: (i) => [i.group_id],
    preview: {
      effect: z.object({ group }),
      read: (ws, input) => {
        const row = loadGroup(ws, input.group_id);
        return { effect: { group: row }, state: { group: { name: row.name, channels: row.channel_count } }, summary: `Delete group "${row.name}" (${row.group_id}) holding ${row.channel_count} channel(s).` };
      },
    },
    run: (ws, input) => {
      const row = loadGroup(ws, input.group_id);
      const n = deleteTag(ws, 'group', row.group_id);
      return { deleted: true, group_id: row.group_id, removed_from_channels: n, summary: `Deleted group "${row.name}"; ${n} channel(s) left it.` };
    },
  }),
  defineOperation({
    name: 'crm.import_template',
    toolset: 'crm',
    title: 'Write the CRM import template',
    description: 'Writes the .xlsx template for crm_import_file into the files root: creator URL, email, coop status, label names, remark.',
    kind: 'write',
    risk: 'low',
    route: { method: 'POST', path: '/crm/import-template' },
    input: z.strictObject({ output_path: templatePathField('templates/crm-import-template.xlsx') }),
    output: templateOutput,
    load: () => buildXlsx('CRM', CRM_TEMPLATE_HEADER, CRM_TEMPLATE_ROWS),
    run: (ws, input, _call, xlsx) => {
      const written = ws.files.writeOutput(input.output_path, xlsx, false);
      return { ...written, columns: CRM_TEMPLATE_HEADER, summary: `Wrote the CRM import template to ${written.path}.` };
    },
  }),
  defineOperation({
    name: 'crm.import_file',
    toolset: 'crm',
    title: 'Import CRM channels from a spreadsheet',
    description:
      'Imports a .xlsx/.csv (≤10 MB, ≤500 rows; columns as in crm_import_template) into the CRM. Valid new rows are written; failed_items and repeated_items are returned; repeated rows overwrite only with overwrite_existing: true.',
    kind: 'write',
    risk: 'high',
    route: { method: 'POST', path: '/crm/import' },
    input: crmImportInput,
    output: z.object({
      created_count: z.int().describe('New CRM channels.'),
      created_creators_count: z.int().describe('Unknown channels created as new creators.'),
      overwritten_count: z.int(),
      failed_items: z.array(failedItem),
      repeated_items: z.array(repeatedItem),
      summary: z.string(),
    }),
    load: (ws, input) => loadCrmImport(ws, input),
    preview: {
      effect: z.object({
        file_name: z.string(),
        row_count: z.int(),
        will_create_count: z.int(),
        new_creator_count: z.int().describe('Rows whose channel is not a creator yet.'),
        will_overwrite_count: z.int(),
        repeated_count: z.int(),
        repeated_items: z.array(repeatedItem).describe('At most 50 shown.'),
        failed_count: z.int(),
        failed_items: z.array(failedItem).describe('At most 50 shown.'),
        sample: z.array(z.object({ row: z.int(), platform: z.string(), channel_id: z.string(), outcome: z.string() })),
      }),
      read: (ws, input, _call, parsed) => {
        const plan = planCrmImport(ws, input, parsed);
        const key = (r: CrmImportRow) => `${r.parsed.platform}:${r.parsed.channel_id}`;
        const outcome = (r: CrmImportRow) => (plan.overwrite.includes(r) ? 'will_overwrite' : plan.matched.has(key(r)) ? 'will_create' : 'will_create_with_new_creator');
        return {
          effect: {
            file_name: parsed.file_name,
            row_count: parsed.row_count,
            will_create_count: plan.create.length,
            new_creator_count: plan.create.filter((r) => !plan.matched.has(key(r))).length,
            will_overwrite_count: plan.overwrite.length,
            repeated_count: plan.repeated.length,
            repeated_items: plan.repeated.slice(0, 50),
            failed_count: plan.failed.length,
            failed_items: plan.failed.slice(0, 50),
            sample: sample([...plan.create, ...plan.overwrite]).map((r) => ({ row: r.row, platform: r.parsed.platform, channel_id: r.parsed.channel_id, outcome: outcome(r) })),
          },
          state: { file: parsed.sha256, matched: Object.fromEntries([...plan.matched].sort()), channels: Object.fromEntries([...plan.channels].sort()), labels: Object.fromEntries([...plan.labelIds].sort()) },
          summary: `Import ${parsed.file_name}: create ${plan.create.length} CRM channel(s), overwrite ${plan.overwrite.length}; ${plan.repeated.length} repeated, ${plan.failed.length} failed row(s).`,
        };
      },
    },
    run: (ws, input, call, parsed) => {
      const plan = planCrmImport(ws, input, parsed);
      const resolve = creatorResolver(ws);
      const at = ws.now().toISOString();
      const labelsOf = (r: CrmImportRow) => r.label_names.map((n) => plan.labelIds.get(n.toLowerCase())!);
      let createdCreators = 0;
      // Rows become JSON for set-based statements: one INSERT for the channels, one for their labels.
      const fresh = plan.create.map((r) => {
        const c = resolve(r.parsed, r.email);
        if (c.created) createdCreators++;
        return { cid: c.creator_id, coop: r.coop_status ?? DEFAULT_COOP_STATUS, email: r.email, remark: r.remark ?? '', labels: labelsOf(r) };
      });
      ws.db
        .prepare(
          `INSERT INTO crm_channels (creator_id, platform, coop_status, owner_uid, email, url, remark, archived, created_at, updated_at)
           SELECT c.creator_id, c.platform, json_extract(j.value, '$.coop'), ?, json_extract(j.value, '$.email'), c.channel_url, json_extract(j.value, '$.remark'), 0, ?, ?
           FROM json_each(?) j JOIN creators c ON c.creator_id = json_extract(j.value, '$.cid')`,
        )
        .run(actingUser(ws, call), at, at, JSON.stringify(fresh));
      const olds = plan.overwrite.map((r) => ({ cid: plan.matched.get(`${r.parsed.platform}:${r.parsed.channel_id}`)!, coop: r.coop_status, email: r.email, remark: r.remark, labels: labelsOf(r) }));
      ws.db
        .prepare(
          `UPDATE crm_channels SET
             email = COALESCE((SELECT json_extract(j.value, '$.email') FROM json_each(@rows) j WHERE json_extract(j.value, '$.cid') = crm_channels.creator_id), email),
             coop_status = COALESCE((SELECT json_extract(j.value, '$.coop') FROM json_each(@rows) j WHERE json_extract(j.value, '$.cid') = crm_channels.creator_id), coop_status),
             remark = COALESCE((SELECT json_extract(j.value, '$.remark') FROM json_each(@rows) j WHERE json_extract(j.value, '$.cid') = crm_channels.creator_id), remark),
             updated_at = @at
           WHERE creator_id IN (SELECT json_extract(value, '$.cid') FROM json_each(@rows))`,
        )
        .run({ rows: JSON.stringify(olds), at });
      // Overwritten rows that name labels replace the channel's label set.
      const relabel = olds.filter((o) => o.labels.length).map((o) => o.cid);
      ws.db.prepare(`DELETE FROM crm_channel_labels WHERE ${inJson('creator_id')}`).run(JSON.stringify(relabel));
      const pairs = [...fresh, ...olds].flatMap((r) => r.labels.map((l) => [r.cid, l]));
      ws.db.prepare(`INSERT OR IGNORE INTO crm_channel_labels (creator_id, label_id) SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?)`).run(JSON.stringify(pairs));
      return {
        created_count: plan.create.length,
        created_creators_count: createdCreators,
        overwritten_count: plan.overwrite.length,
        failed_items: plan.failed,
        repeated_items: plan.repeated,
        summary: `Imported ${plan.create.length} new CRM channel(s)${plan.overwrite.length ? `, overwrote ${plan.overwrite.length}` : ''}; ${plan.repeated.length} repeated, ${plan.failed.length} failed row(s).`,
      };
    },
  }),
];
