// Collections: where reviewed creators are kept, per platform, for the staged grouped operations.
import { z } from 'zod';
import type { CallInfo, Catalog, Problem } from '../src/catalog.js';
import { defineOperation } from '../workspace/legacy.js';
import type { Workspace, WorkspaceJobs } from '../workspace/workspace.js';
import { invalid, notFound, ToolError } from '../src/errors.js';
import { buildXlsx } from '../src/spreadsheet.js';
import { DEFAULT_COOP_STATUS, type Platform } from './vocabulary.js';
import { actingUser, escapeLike, fileFields, fingerprint, getRow, id, ids, inJson, pageInput, pageQuery, paged, parseJsonList, platform, sample, unknownLabels, Where, searchText } from './shared.js';
import { creatorResolver, EMAIL_RE, matchCreators, readSheet, urlCell, type ParsedCreatorUrl } from '../workspace/creator-import.js';
import { failedItem, templateOutput, templatePathField, type FailedItem } from './imports.js';

const HINT_ID = 'Collection ids come from collection_list.';

interface CollectionRow {
  collection_id: string;
  name: string;
  owner_uid: string;
  campaign_id: string | null;
  description: string;
  created_at: string;
  updated_at: string;
}

const platformCounts = z.object({ youtube: z.int(), tiktok: z.int(), instagram: z.int(), total: z.int() });

export const collection = z.object({
  collection_id: z.string(),
  name: z.string(),
  description: z.string(),
  owner_uid: z.string().describe('user_uid of the team member who owns it.'),
  campaign_id: z.string().nullable(),
  item_counts: platformCounts,
  created_at: z.string(),
  updated_at: z.string(),
});

export function loadCollection(ws: Workspace, collectionId: string): CollectionRow {
  return getRow<CollectionRow>(ws, 'collections', 'collection_id', collectionId, 'collection', HINT_ID);
}

function itemCounts(ws: Workspace, collectionId: string): z.input<typeof platformCounts> {
  const rows = ws.db.prepare('SELECT platform, COUNT(*) AS n FROM collection_items WHERE collection_id = ? GROUP BY platform').all(collectionId) as { platform: string; n: number }[];
  const counts = { youtube: 0, tiktok: 0, instagram: 0, total: 0 };
  for (const r of rows) {
    counts[r.platform as keyof typeof counts] = r.n;
    counts.total += r.n;
  }
  return counts;
}

const toCollection = (ws: Workspace, r: CollectionRow): z.input<typeof collection> => ({
  collection_id: r.collection_id,
  name: r.name,
  description: r.description,
  owner_uid: r.owner_uid,
  campaign_id: r.campaign_id,
  item_counts: itemCounts(ws, r.collection_id),
  created_at: r.created_at,
  updated_at: r.updated_at,
});

const item = z.object({
  creator_id: z.string(),
  platform: z.string(),
  channel_id: z.string(),
  channel_url: z.string(),
  nickname: z.string(),
  followers: z.int(),
  country: z.string().nullable(),
  email: z.string().nullable().describe('Known after an email refresh.'),
  email_refreshed_at: z.string().nullable(),
  base_refreshed_at: z.string().nullable(),
  audience_unlocked: z.boolean(),
  label_ids: z.array(z.string()),
  added_at: z.string(),
  source: z.string().describe('added, imported, copied or moved.'),
});

interface ItemRow {
  creator_id: string;
  platform: string;
  channel_id: string;
  channel_url: string;
  nickname: string;
  followers: number;
  country: string | null;
  email: string | null;
  email_refreshed_at: string | null;
  base_refreshed_at: string | null;
  audience_unlocked: number;
  label_ids_json: string;
  added_at: string;
  source: string;
}

const toItem = (r: ItemRow): z.input<typeof item> => ({
  creator_id: r.creator_id,
  platform: r.platform,
  channel_id: r.channel_id,
  channel_url: r.channel_url,
  nickname: r.nickname,
  followers: r.followers,
  country: r.country,
  email: r.email,
  email_refreshed_at: r.email_refreshed_at,
  base_refreshed_at: r.base_refreshed_at,
  audience_unlocked: r.audience_unlocked === 1,
  label_ids: parseJsonList(r.label_ids_json),
  added_at: r.added_at,
  source: r.source,
});

const collectionId = id(`The collection's id. ${HINT_ID}`);
const collectionName = z.string().trim().min(1).max(200).describe('Collection name.');
const collectionDescription = z.string().max(2000).describe('What the collection is for.');

function touch(ws: Workspace, collectionIds: string[]): void {
  ws.db.prepare(`UPDATE collections SET updated_at = ? WHERE ${inJson('collection_id')}`).run(ws.now().toISOString(), JSON.stringify(collectionIds));
}

/** The campaign a change of several collections is journaled under: the first linked one. */
const firstCampaign = (cols: CollectionRow[]): string | null => cols.find((c) => c.campaign_id)?.campaign_id ?? null;

function checkCampaign(ws: Workspace, campaignId: string | null | undefined): void {
  if (campaignId && !ws.db.prepare('SELECT 1 FROM campaigns WHERE campaign_id = ?').get(campaignId)) {
    throw notFound('campaign', campaignId, 'Campaign ids come from campaign_list.');
  }
}

// ---------------------------------------------------------------------------------------------
// add-creators: resolution shared by preview and apply

const addInput = z.strictObject({
  collection_ids: ids('Collections to add to (from collection_list).', 20),
  platform,
  creator_ids: ids('Creator ids from creator_search or collection_items, all on the given platform.').optional(),
  channel_ids: ids('Raw platform channel ids of the given platform, when you hold no creator_id.').optional(),
});
type AddInput = z.output<typeof addInput>;

interface AddPlan {
  collections: CollectionRow[];
  creatorIds: string[];
  notFound: string[];
  wrongPlatform: string[];
  present: Map<string, Set<string>>;
}

function planAdd(ws: Workspace, input: AddInput): AddPlan {
  if ((input.creator_ids ? 1 : 0) + (input.channel_ids ? 1 : 0) !== 1) {
    throw invalid('Give exactly one of creator_ids or channel_ids.', 'Use creator_ids from search results; channel_ids only for raw same-platform ids.');
  }
  const collections = [...new Set(input.collection_ids)].map((cid) => loadCollection(ws, cid));
  const wanted = [...new Set(input.creator_ids ?? input.channel_ids ?? [])];
  const key = input.creator_ids ? 'creator_id' : 'channel_id';
  const rows = (
    input.creator_ids
      ? ws.db.prepare(`SELECT creator_id, channel_id, platform FROM creators WHERE ${inJson('creator_id')}`).all(JSON.stringify(wanted))
      : ws.db.prepare(`SELECT creator_id, channel_id, platform FROM creators WHERE platform = ? AND ${inJson('channel_id')}`).all(input.platform, JSON.stringify(wanted))
  ) as { creator_id: string; channel_id: string; platform: string }[];
  const found = new Map(rows.map((r) => [r[key], r]));
  const creatorIds: string[] = [];
  const notFoundIds: string[] = [];
  const wrongPlatform: string[] = [];
  for (const w of wanted) {
    const r = found.get(w);
    if (!r) notFoundIds.push(w);
    else if (r.platform !== input.platform) wrongPlatform.push(w);
    else creatorIds.push(r.creator_id);
  }
  creatorIds.sort();
  const present = new Map<string, Set<string>>();
  const presentStmt = ws.db.prepare(`SELECT creator_id FROM collection_items WHERE collection_id = ? AND ${inJson('creator_id')}`).pluck();
  for (const c of collections) present.set(c.collection_id, new Set(presentStmt.all(c.collection_id, JSON.stringify(creatorIds)) as string[]));
  return { collections, creatorIds, notFound: notFoundIds, wrongPlatform, present };
}

const perCollection = z.object({ collection_id: z.string(), name: z.string(), will_add_count: z.int(), already_present_count: z.int() });

function addSummary(plan: AddPlan) {
  const per = plan.collections.map((c) => {
    const present = plan.present.get(c.collection_id)!.size;
    return { collection_id: c.collection_id, name: c.name, will_add_count: plan.creatorIds.length - present, already_present_count: present };
  });
  return {
    per,
    willAdd: per.reduce((n, p) => n + p.will_add_count, 0),
    already: per.reduce((n, p) => n + p.already_present_count, 0),
  };
}

// ---------------------------------------------------------------------------------------------
// Staged grouped operations: one selector (explicit creator_ids, or the whole platform slice),
// resolved the same way by validate, preview and apply.

const selectorFields = {
  collection_id: collectionId,
  platform,
  creator_ids: ids('Only these creators of the collection (ids from collection_items); omit for the whole platform slice.').optional(),
};

interface SliceItem {
  creator_id: string;
  nickname: string;
  email: string | null;
  email_refreshed_at: string | null;
  base_refreshed_at: string | null;
  audience_unlocked: number;
  label_ids_json: string;
  creator_email: string | null;
  creator_updated_at: string;
}

interface Slice {
  collection: CollectionRow;
  items: SliceItem[];
  /** Explicit creator_ids that are not items of the slice. */
  missing: string[];
}

function readSlice(ws: Workspace, input: { collection_id: string; platform: string; creator_ids?: string[] | undefined }): Slice {
  const col = loadCollection(ws, input.collection_id);
  const wanted = input.creator_ids ? [...new Set(input.creator_ids)] : undefined;
  const items = ws.db
    .prepare(
      `SELECT i.creator_id, c.nickname, i.email, i.email_refreshed_at, i.base_refreshed_at, i.audience_unlocked, i.label_ids_json,
              c.email AS creator_email, c.updated_at AS creator_updated_at
       FROM collection_items i JOIN creators c ON c.creator_id = i.creator_id
       WHERE i.collection_id = ? AND i.platform = ? ${wanted ? `AND ${inJson('i.creator_id')}` : ''} ORDER BY i.added_at, i.creator_id`,
    )
    .all(col.collection_id, input.platform, ...(wanted ? [JSON.stringify(wanted)] : [])) as SliceItem[];
  const found = new Set(items.map((i) => i.creator_id));
  return { collection: col, items, missing: wanted ? wanted.filter((w) => !found.has(w)) : [] };
}


/** Problems common to every staged family: the collection exists and explicit ids are its items. */
function sliceProblems(ws: Workspace, input: { collection_id: string; platform: string; creator_ids?: string[] | undefined }): { slice?: Slice; problems: Problem[] } {
  let slice: Slice;
  try {
    slice = readSlice(ws, input);
  } catch (e) {
    if (e instanceof ToolError) return { problems: [{ field: 'collection_id', code: e.code, message: `${e.message} ${HINT_ID}` }] };
    throw e;
  }
  const problems: Problem[] = [];
  if (slice.missing.length) {
    problems.push({
      field: 'creator_ids',
      code: 'NOT_IN_COLLECTION',
      message: `${slice.missing.length} creator id(s) are not ${input.platform} items of this collection: ${slice.missing.slice(0, 20).join(', ')}${slice.missing.length > 20 ? ', ...' : ''}.`,
    });
  }
  return { slice, problems };
}

/** Preview and apply refuse what validate lists. */
function refuseProblems(problems: Problem[], base: string): void {
  if (!problems.length) return;
  const first = problems[0]!;
  const text = problems.map((p) => `${p.field}: ${p.message}`).join(' ');
  if (first.code === 'NOT_FOUND') throw new ToolError('NOT_FOUND', text, { hint: `Fix the ids (${base}_validate lists every problem), then preview again.`, actionType: 'look_up_id' });
  throw invalid(text, `Fix the body (${base}_validate lists every problem), then preview again. Item ids come from collection_items.`, { problems });
}

const outcomeCounts = z.record(z.string(), z.int()).describe('Matched items per outcome.');
const sampleRow = z.object({ creator_id: z.string(), nickname: z.string(), outcome: z.string() });
const stagedEffect = z.object({
  collection_id: z.string(),
  collection_name: z.string(),
  platform: z.string(),
  matched_count: z.int().describe('Items the selector matched.'),
  outcome_counts: outcomeCounts,
  sample: z.array(sampleRow).describe('Up to 10 matched items with their outcome.'),
});

interface Outcome {
  item: SliceItem;
  outcome: string;
}

function countOutcomes(outcomes: Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) counts[o.outcome] = (counts[o.outcome] ?? 0) + 1;
  return counts;
}

function effectOf(slice: Slice, platformName: string, outcomes: Outcome[]) {
  return {
    collection_id: slice.collection.collection_id,
    collection_name: slice.collection.name,
    platform: platformName,
    matched_count: outcomes.length,
    outcome_counts: countOutcomes(outcomes),
    sample: sample(outcomes).map((o) => ({ creator_id: o.item.creator_id, nickname: o.item.nickname, outcome: o.outcome })),
  };
}

const describeCounts = (counts: Record<string, number>): string =>
  Object.entries(counts)
    .map(([k, n]) => `${n} ${k.replace(/_/g, ' ')}`)
    .join(', ') || 'nothing matched';

const idsWith = (outcomes: Outcome[], ...names: string[]): string[] => outcomes.filter((o) => names.includes(o.outcome)).map((o) => o.item.creator_id);

// refresh ----------------------------------------------------------------------------------------

const refreshInput = z.strictObject({
  ...selectorFields,
  what: z.enum(['email', 'base', 'audience']).describe('email: look up emails; base: refresh base data; audience: unlock audience data.'),
});
type RefreshInput = z.output<typeof refreshInput>;

function planRefresh(ws: Workspace, input: RefreshInput): { slice: Slice; outcomes: Outcome[] } {
  const { slice, problems } = sliceProblems(ws, input);
  refuseProblems(problems, 'collection_refresh');
  const outcomes = slice!.items.map((item) => {
    if (input.what === 'email') return { item, outcome: item.creator_email ? 'email_found' : 'no_email_available' };
    if (input.what === 'base') return { item, outcome: item.base_refreshed_at ? 'will_refresh_again' : 'will_refresh' };
    return { item, outcome: item.audience_unlocked ? 'already_unlocked' : 'will_unlock' };
  });
  return { slice: slice!, outcomes };
}

function refreshState(plan: { slice: Slice }, what: RefreshInput['what']) {
  const cols = (i: SliceItem) => (what === 'email' ? [i.email, i.email_refreshed_at, i.creator_email] : what === 'base' ? [i.base_refreshed_at, i.creator_updated_at] : [i.audience_unlocked]);
  return {
    collection: { collection_id: plan.slice.collection.collection_id, updated_at: plan.slice.collection.updated_at },
    items: fingerprint(plan.slice.items.map((i) => [i.creator_id, ...cols(i)])),
  };
}

// batch ------------------------------------------------------------------------------------------

const batchInput = z.strictObject({
  ...selectorFields,
  action: z.enum(['move', 'copy', 'delete', 'label']).describe('move (removes from this collection), copy (keeps it), delete, or label the items.'),
  target_collection_id: id('move/copy only: the destination collection (from collection_list).').optional(),
  label_ids: ids('label only: CRM label ids (from crm_labels_list).', 50).optional(),
  label_operation: z.enum(['add', 'remove']).optional().describe('label only: add (default) or remove the labels.'),
});
type BatchInput = z.output<typeof batchInput>;

interface BatchPlan {
  slice: Slice;
  target: CollectionRow | null;
  inTarget: Set<string>;
  labels: string[];
  outcomes: Outcome[];
}

function batchProblems(ws: Workspace, input: BatchInput): { slice?: Slice; target?: CollectionRow; problems: Problem[] } {
  const { slice, problems } = sliceProblems(ws, input);
  let target: CollectionRow | undefined;
  const moving = input.action === 'move' || input.action === 'copy';
  if (moving && !input.target_collection_id) problems.push({ field: 'target_collection_id', code: 'REQUIRED', message: `${input.action} needs target_collection_id.` });
  if (!moving && input.target_collection_id) problems.push({ field: 'target_collection_id', code: 'NOT_ALLOWED', message: 'target_collection_id is only for move and copy.' });
  if (moving && input.target_collection_id) {
    target = ws.db.prepare('SELECT * FROM collections WHERE collection_id = ?').get(input.target_collection_id) as CollectionRow | undefined;
    if (!target) problems.push({ field: 'target_collection_id', code: 'NOT_FOUND', message: `No collection with id ${JSON.stringify(input.target_collection_id)}. ${HINT_ID}` });
    else if (target.collection_id === input.collection_id) problems.push({ field: 'target_collection_id', code: 'SAME_COLLECTION', message: 'The target is the source collection; choose another one.' });
  }
  if (input.action === 'label') {
    if (!input.label_ids) problems.push({ field: 'label_ids', code: 'REQUIRED', message: 'label needs label_ids (from crm_labels_list).' });
    else {
      const unknown = unknownLabels(ws, input.label_ids);
      if (unknown.length) problems.push({ field: 'label_ids', code: 'NOT_FOUND', message: `Unknown label id(s): ${unknown.join(', ')}. Label ids come from crm_labels_list.` });
    }
  } else {
    if (input.label_ids) problems.push({ field: 'label_ids', code: 'NOT_ALLOWED', message: 'label_ids are only for action label.' });
    if (input.label_operation) problems.push({ field: 'label_operation', code: 'NOT_ALLOWED', message: 'label_operation is only for action label.' });
  }
  return { ...(slice ? { slice } : {}), ...(target ? { target } : {}), problems };
}


function planBatch(ws: Workspace, input: BatchInput): BatchPlan {
  const { slice, target, problems } = batchProblems(ws, input);
  refuseProblems(problems, 'collection_batch');
  const s = slice!;
  const inTarget = new Set<string>(
    target ? (ws.db.prepare(`SELECT creator_id FROM collection_items WHERE collection_id = ? AND ${inJson('creator_id')}`).pluck().all(target.collection_id, JSON.stringify(s.items.map((i) => i.creator_id))) as string[]) : [],
  );
  const labels = [...new Set(input.label_ids ?? [])].sort();
  const remove = input.label_operation === 'remove';
  const outcomes = s.items.map((item): Outcome => {
    switch (input.action) {
      case 'move':
        return { item, outcome: inTarget.has(item.creator_id) ? 'already_in_target' : 'will_move' };
      case 'copy':
        return { item, outcome: inTarget.has(item.creator_id) ? 'already_in_target' : 'will_copy' };
      case 'delete':
        return { item, outcome: 'will_delete' };
      case 'label': {
        const has = new Set(parseJsonList(item.label_ids_json));
        if (remove) return { item, outcome: labels.some((l) => has.has(l)) ? 'will_unlabel' : 'not_labeled' };
        return { item, outcome: labels.every((l) => has.has(l)) ? 'already_labeled' : 'will_label' };
      }
    }
  });
  return { slice: s, target: target ?? null, inTarget, labels, outcomes };
}

function batchState(plan: BatchPlan) {
  return {
    collection: { collection_id: plan.slice.collection.collection_id, updated_at: plan.slice.collection.updated_at },
    items: fingerprint(plan.slice.items.map((i) => [i.creator_id, i.label_ids_json])),
    target: plan.target ? { collection_id: plan.target.collection_id, updated_at: plan.target.updated_at, present: [...plan.inTarget].sort() } : null,
    labels: plan.labels,
  };
}

/** Copies items to another collection (carrying their refresh state and labels); returns how many were inserted. */
function copyItems(ws: Workspace, from: string, to: string, creatorIds: string[], source: 'copied' | 'moved'): number {
  return ws.db
    .prepare(
      `INSERT OR IGNORE INTO collection_items (collection_id, creator_id, platform, email, email_refreshed_at, base_refreshed_at, audience_unlocked, label_ids_json, added_at, source)
       SELECT ?, creator_id, platform, email, email_refreshed_at, base_refreshed_at, audience_unlocked, label_ids_json, ?, ? FROM collection_items
       WHERE collection_id = ? AND ${inJson('creator_id')}`,
    )
    .run(to, ws.now().toISOString(), source, from, JSON.stringify(creatorIds)).changes;
}

function deleteItems(ws: Workspace, from: string, creatorIds: string[]): number {
  return ws.db.prepare(`DELETE FROM collection_items WHERE collection_id = ? AND ${inJson('creator_id')}`).run(from, JSON.stringify(creatorIds)).changes;
}

function labelItems(ws: Workspace, from: string, creatorIds: string[], labels: string[], remove: boolean): number {
  const merged = remove
    ? `SELECT value FROM json_each(collection_items.label_ids_json) WHERE value NOT IN (SELECT value FROM json_each(@labels))`
    : `SELECT value FROM json_each(collection_items.label_ids_json) UNION SELECT value FROM json_each(@labels)`;
  return ws.db
    .prepare(`UPDATE collection_items SET label_ids_json = (SELECT json_group_array(value) FROM (${merged} ORDER BY 1)) WHERE collection_id = @from AND creator_id IN (SELECT value FROM json_each(@ids))`)
    .run({ from, labels: JSON.stringify(labels), ids: JSON.stringify(creatorIds) }).changes;
}

// add to CRM -------------------------------------------------------------------------------------

const addToCrmInput = z.strictObject({ collection_id: collectionId, platform });

interface CrmOutcome extends Outcome {
  crm_updated_at: string | null;
}

function planAddToCrm(ws: Workspace, input: z.output<typeof addToCrmInput>): { slice: Slice; outcomes: CrmOutcome[] } {
  const { slice, problems } = sliceProblems(ws, input);
  refuseProblems(problems, 'collection_add_to_crm');
  const s = slice!;
  const crm = new Map(
    (ws.db.prepare(`SELECT creator_id, archived, updated_at FROM crm_channels WHERE ${inJson('creator_id')}`).all(JSON.stringify(s.items.map((i) => i.creator_id))) as { creator_id: string; archived: number; updated_at: string }[]).map((r) => [r.creator_id, r]),
  );
  const outcomes = s.items.map((item) => {
    const ch = crm.get(item.creator_id);
    return { item, outcome: !ch ? 'will_create' : ch.archived ? 'archived_in_crm' : 'already_in_crm', crm_updated_at: ch?.updated_at ?? null };
  });
  return { slice: s, outcomes };
}


const COLLECTION_IMPORT_LIMITS = { maxBytes: 10 * 1024 * 1024, maxRows: 5000 };
export const IMPORT_JOB = 'collection.import';


const importInput = z.strictObject({ collection_id: collectionId, ...fileFields(COLLECTION_IMPORT_LIMITS.maxBytes, 'A .xlsx or .csv file') });

interface ImportRow {
  row: number;
  platform: Platform;
  channel_id: string;
  handle: string;
  channel_url: string;
  email: string | null;
}

interface ParsedImport {
  file_name: string;
  sha256: string;
  row_count: number;
  rows: ImportRow[];
  failed: FailedItem[];
  duplicates: { row: number; duplicate_of_row: number }[];
}

async function loadImport(ws: Workspace, input: z.output<typeof importInput>): Promise<ParsedImport> {
  const sheet = await readSheet(ws, input, COLLECTION_IMPORT_LIMITS);
  const rows: ImportRow[] = [];
  const failed: FailedItem[] = [];
  const duplicates: ParsedImport['duplicates'] = [];
  const seen = new Map<string, number>();
  for (const r of sheet.rows) {
    const u = urlCell(r);
    if ('failed' in u) {
      failed.push(u.failed);
      continue;
    }
    const email = r.cells[1] ?? '';
    if (email && !EMAIL_RE.test(email)) {
      failed.push({ row: r.row, column: 'B', value: email, reason: 'Not an email address.' });
      continue;
    }
    const key = `${u.parsed.platform}:${u.parsed.channel_id}`;
    const first = seen.get(key);
    if (first !== undefined) {
      duplicates.push({ row: r.row, duplicate_of_row: first });
      continue;
    }
    seen.set(key, r.row);
    rows.push({ row: r.row, ...u.parsed, email: email ? email.toLowerCase() : null });
  }
  return { file_name: sheet.name, sha256: sheet.sha256, row_count: sheet.rows.length, rows, failed, duplicates };
}

interface ImportPlan {
  collection: CollectionRow;
  matched: Map<string, string>;
  present: Set<string>;
}

function planImport(ws: Workspace, input: z.output<typeof importInput>, parsed: ParsedImport): ImportPlan {
  const collection = loadCollection(ws, input.collection_id);
  if (parsed.rows.length === 0) {
    const first = parsed.failed.slice(0, 3).map((f) => `row ${f.row}, column ${f.column}: ${f.reason}`).join('; ');
    throw new ToolError('INVALID_REQUEST', `${parsed.file_name}: none of its ${parsed.row_count} row(s) can be imported (${first}).`, {
      hint: 'Column A must hold creator URLs such as https://www.youtube.com/@handle, https://www.tiktok.com/@handle or https://www.instagram.com/handle/; column B an optional email.',
      details: { failed_items: parsed.failed.slice(0, 50) },
    });
  }
  const matched = matchCreators(ws, parsed.rows);
  const present = new Set(
    ws.db.prepare(`SELECT creator_id FROM collection_items WHERE collection_id = ? AND ${inJson('creator_id')}`).pluck().all(collection.collection_id, JSON.stringify([...matched.values()])) as string[],
  );
  return { collection, matched, present };
}

function importOutcome(plan: ImportPlan, r: ImportRow): string {
  const cid = plan.matched.get(`${r.platform}:${r.channel_id}`);
  if (!cid) return 'new_creator';
  return plan.present.has(cid) ? 'already_in_collection' : 'will_add';
}

interface ImportJobParams {
  collection_id: string;
  file_name: string;
  row_count: number;
  rows: ImportRow[];
  failed_items: FailedItem[];
  duplicate_count: number;
}

const importResult = z.object({
  collection_id: z.string(),
  imported_count: z.int().describe('Creators newly added to the collection.'),
  already_present_count: z.int(),
  created_creators_count: z.int().describe('Unknown channels created as new creators.'),
  duplicate_count: z.int().describe('Rows repeating an earlier row of the file.'),
  failed_items: z.array(failedItem).describe('Rows that did not resolve (row, column, reason).'),
});

function runImportJob(ws: Workspace, p: ImportJobParams, progress: (done: number, total: number) => void): z.input<typeof importResult> {
  const total = p.rows.length;
  return ws.db
    .transaction(() => {
      loadCollection(ws, p.collection_id);
      const resolve = creatorResolver(ws);
      const insert = ws.db.prepare(
        `INSERT OR IGNORE INTO collection_items (collection_id, creator_id, platform, email, added_at, source) VALUES (?, ?, ?, ?, ?, 'imported')`,
      );
      const at = ws.now().toISOString();
      let imported = 0;
      let created = 0;
      p.rows.forEach((r, i) => {
        const c = resolve(r, r.email);
        if (c.created) created++;
        imported += insert.run(p.collection_id, c.creator_id, r.platform, r.email, at).changes;
        if ((i + 1) % 250 === 0) progress(i + 1, total);
      });
      touch(ws, [p.collection_id]);
      return {
        collection_id: p.collection_id,
        imported_count: imported,
        already_present_count: total - imported,
        created_creators_count: created,
        duplicate_count: p.duplicate_count,
        failed_items: p.failed_items,
      };
    })
    .immediate();
}

const FINISHED = new Set(['done', 'failed', 'cancelled']);

/** Polls an import until it finishes or the wait is over, reporting progress when it moves. */
async function waitForImport(ws: Workspace, importId: string, waitSeconds: number, call: CallInfo): Promise<void> {
  const deadline = Date.now() + waitSeconds * 1000;
  let last = -1;
  for (;;) {
    const job = ws.jobs.get(importId);
    if (!job || job.kind !== IMPORT_JOB) return;
    if (job.progress !== last || FINISHED.has(job.status)) {
      last = job.progress;
      call.progress?.(job.progress, job.total ?? undefined, `import ${job.status}`);
    }
    if (FINISHED.has(job.status) || Date.now() >= deadline || call.signal?.aborted) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const TEMPLATE_HEADER = ['Creator URL (YouTube, TikTok or Instagram)', 'Email (optional)'];
const TEMPLATE_ROWS = [
  ['https://www.youtube.com/@examplechannel', 'hello@example.com'],
  ['https://www.tiktok.com/@examplecreator', ''],
  ['https://www.instagram.com/examplecreator/', ''],
];


// ---------------------------------------------------------------------------------------------

export const collectionOperations = [
  defineOperation({
    name: 'collection.list',
    toolset: 'collection',
    title: 'List collections',
    description: 'Lists creator collections with item counts per platform; ownership "mine" keeps those owned by the acting team member.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/collections' },
    input: z.strictObject({
      ownership: z.enum(['mine', 'all']).default('all').describe('mine: owned by the acting team member; all: the whole workspace.'),
      campaign_id: id('Only collections linked to this campaign.').optional(),
      keyword: searchText(200).optional().describe('Matches the name.'),
      ...pageInput,
    }),
    output: paged(collection),
    run: (ws, input, call) => {
      const w = new Where()
        .maybe(input.ownership === 'mine' ? true : undefined, 'owner_uid = ?', actingUser(ws, call))
        .maybe(input.campaign_id, 'campaign_id = ?', input.campaign_id)
        .maybe(input.keyword, `name LIKE ? ESCAPE '\\'`, `%${escapeLike(input.keyword ?? '')}%`);
      return pageQuery<CollectionRow, z.input<typeof collection>>(ws, { select: '*', from: `FROM collections ${w.sql}`, order: 'updated_at DESC, collection_id', params: w.params }, input, (r) => toCollection(ws, r));
    },
  }),
  defineOperation({
    name: 'collection.get',
    toolset: 'collection',
    title: 'Get a collection',
    description: 'One collection with its campaign link and item counts per platform.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/collections/:collection_id' },
    input: z.strictObject({ collection_id: collectionId }),
    output: collection,
    run: (ws, input) => toCollection(ws, loadCollection(ws, input.collection_id)),
  }),
  defineOperation({
    name: 'collection.items',
    toolset: 'collection',
    title: 'List collection items',
    description: 'The creators of one collection on one platform, oldest first, with refresh state, labels and source.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/collections/:collection_id/items' },
    input: z.strictObject({
      collection_id: collectionId,
      platform,
      has_email: z.boolean().optional().describe('true: only items whose email is known (refreshed).'),
      keyword: searchText(200).optional().describe('Matches nickname or channel id.'),
      label_id: id('Only items carrying this label.').optional(),
      ...pageInput,
    }),
    output: paged(item).extend({ collection_id: z.string(), platform: z.string() }),
    run: (ws, input) => {
      loadCollection(ws, input.collection_id);
      const like = `%${escapeLike(input.keyword ?? '')}%`;
      const w = new Where()
        .add('i.collection_id = ?', input.collection_id)
        .add('i.platform = ?', input.platform)
        .maybe(input.has_email, input.has_email ? 'i.email IS NOT NULL' : 'i.email IS NULL')
        .maybe(input.keyword, `EXISTS (SELECT 1 FROM creators c WHERE c.creator_id = i.creator_id AND (c.nickname LIKE ? ESCAPE '\\' OR c.channel_id LIKE ? ESCAPE '\\'))`, like, like)
        .maybe(input.label_id, 'EXISTS (SELECT 1 FROM json_each(i.label_ids_json) WHERE value = ?)', input.label_id);
      // Count and skip on the items index alone; only the page's rows are joined to their creators,
      // so deep pages of a 100k-item collection stay fast.
      const total = ws.db.prepare(`SELECT COUNT(*) FROM collection_items i ${w.sql}`).pluck().get(...w.params) as number;
      const rows = ws.db
        .prepare(
          `SELECT i.creator_id, i.platform, c.channel_id, c.channel_url, c.nickname, c.followers, c.country, i.email, i.email_refreshed_at,
                  i.base_refreshed_at, i.audience_unlocked, i.label_ids_json, i.added_at, i.source
           FROM (SELECT i.creator_id AS k FROM collection_items i ${w.sql} ORDER BY i.added_at, i.creator_id LIMIT ? OFFSET ?) p
           JOIN collection_items i ON i.collection_id = ? AND i.creator_id = p.k JOIN creators c ON c.creator_id = i.creator_id
           ORDER BY i.added_at, i.creator_id`,
        )
        .all(...w.params, input.page_size, (input.page - 1) * input.page_size, input.collection_id) as ItemRow[];
      const page = { items: rows.map(toItem), total, page: input.page, page_size: input.page_size, has_more: input.page * input.page_size < total };
      return { ...page, collection_id: input.collection_id, platform: input.platform };
    },
  }),
  defineOperation({
    name: 'collection.create',
    toolset: 'collection',
    title: 'Create a collection',
    description: 'Creates an empty collection owned by the acting team member, optionally linked to a campaign; returns its collection_id.',
    kind: 'write',
    risk: 'low',
    route: { method: 'POST', path: '/collections' },
    input: z.strictObject({
      name: collectionName,
      description: collectionDescription.default(''),
      campaign_id: id('Campaign to link it to (from campaign_list).').optional(),
    }),
    output: collection,
    idsOf: (_i, o) => [o.collection_id],
    run: (ws, input, call: CallInfo) => {
      checkCampaign(ws, input.campaign_id);
      const cid = ws.newId('col');
      const at = ws.now().toISOString();
      ws.db
        .prepare('INSERT INTO collections (collection_id, name, owner_uid, campaign_id, description, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(cid, input.name, actingUser(ws, call), input.campaign_id ?? null, input.description, at, at);
      return toCollection(ws, loadCollection(ws, cid));
    },
  }),
  defineOperation({
    name: 'collection.update',
    toolset: 'collection',
    title: 'Update a collection',
    description: 'Renames a collection, changes its description, or links it to a campaign (campaign_id null unlinks).',
    kind: 'write',
    risk: 'low',
    hints: { idempotent: true },
    route: { method: 'PATCH', path: '/collections/:collection_id' },
    input: z.strictObject({
      collection_id: collectionId,
      name: collectionName.optional(),
      description: collectionDescription.optional(),
      campaign_id: id('Campaign to link (from campaign_list); null removes the link.').nullable().optional(),
    }),
    output: collection,
    idsOf: (i) => [i.collection_id],
    campaignOf: (_i, o) => o.campaign_id ?? undefined,
    run: (ws, input) => {
      const row = loadCollection(ws, input.collection_id);
      checkCampaign(ws, input.campaign_id);
      ws.db
        .prepare('UPDATE collections SET name = ?, description = ?, campaign_id = ?, updated_at = ? WHERE collection_id = ?')
        .run(input.name ?? row.name, input.description ?? row.description, input.campaign_id === undefined ? row.campaign_id : input.campaign_id, ws.now().toISOString(), row.collection_id);
      return toCollection(ws, loadCollection(ws, row.collection_id));
    },
  }),
  defineOperation({
    name: 'collection.delete',
    toolset: 'collection',
    title: 'Delete a collection',
    description: 'Deletes one collection and its item list. The creators, their CRM channels and email tasks are not touched.',
    kind: 'write',
    risk: 'high',
    confirm: true,
    route: { method: 'DELETE', path: '/collections/:collection_id' },
    input: z.strictObject({ collection_id: collectionId }),
    output: z.object({ deleted: z.boolean(), collection_id: z.string(), campaign_id: z.string().nullable(), removed_items: z.int(), summary: z.string() }),
    idsOf: (i) => [i.collection_id],
    preview: {
      effect: z.object({ collection, will_remove_items: z.int() }),
      read: (ws, input) => {
        const row = loadCollection(ws, input.collection_id);
        const c = toCollection(ws, row);
        return {
          effect: { collection: c, will_remove_items: c.item_counts.total },
          state: { collection: { updated_at: row.updated_at, items: c.item_counts } },
          summary: `Delete collection "${row.name}" (${row.collection_id}) with ${c.item_counts.total} item(s).`,
        };
      },
    },
    run: (ws, input) => {
      const row = loadCollection(ws, input.collection_id);
      const n = itemCounts(ws, input.collection_id).total;
      ws.db.prepare('DELETE FROM collections WHERE collection_id = ?').run(input.collection_id);
      return { deleted: true, collection_id: input.collection_id, campaign_id: row.campaign_id, removed_items: n, summary: `Deleted collection ${input.collection_id} and its ${n} item(s).` };
    },
  }),
  defineOperation({
    name: 'collection.add_creators',
    toolset: 'collection',
    title: 'Add creators to collections',
    description:
      'Adds creators of one platform to one or more collections, by creator_ids (from creator_search) or raw channel_ids. Add-only: creators already present are reported, never duplicated; unknown ids are listed.',
    kind: 'write',
    risk: 'high',
    hints: { destructive: false },
    route: { method: 'POST', path: '/collections/add-creators' },
    input: addInput,
    output: z.object({
      campaign_id: z.string().nullable().describe('The campaign of the first linked collection.'),
      added_count: z.int(),
      already_present_count: z.int(),
      not_found: z.array(z.string()),
      wrong_platform: z.array(z.string()),
      per_collection: z.array(perCollection.extend({ added_count: z.int() }).omit({ will_add_count: true })),
      summary: z.string(),
    }),
    idsOf: (i) => [...i.collection_ids],
    preview: {
      effect: z.object({
        platform: z.string(),
        requested_count: z.int(),
        matched_count: z.int().describe('Requested ids that resolved to creators on this platform.'),
        will_add_count: z.int(),
        already_present_count: z.int(),
        not_found: z.array(z.string()).describe('Ids that match no creator (at most 50 shown).'),
        wrong_platform: z.array(z.string()).describe('Creator ids on another platform (at most 50 shown).'),
        per_collection: z.array(perCollection),
        sample: z.array(z.object({ creator_id: z.string(), nickname: z.string(), channel_url: z.string() })),
      }),
      read: (ws, input) => {
        const plan = planAdd(ws, input);
        const s = addSummary(plan);
        const sampleIds = sample(plan.creatorIds.filter((c) => plan.collections.some((col) => !plan.present.get(col.collection_id)!.has(c))));
        const sampleRows = ws.db.prepare(`SELECT creator_id, nickname, channel_url FROM creators WHERE ${inJson('creator_id')} ORDER BY creator_id`).all(JSON.stringify(sampleIds)) as { creator_id: string; nickname: string; channel_url: string }[];
        return {
          effect: {
            platform: input.platform,
            requested_count: (input.creator_ids ?? input.channel_ids ?? []).length,
            matched_count: plan.creatorIds.length,
            will_add_count: s.willAdd,
            already_present_count: s.already,
            not_found: plan.notFound.slice(0, 50),
            wrong_platform: plan.wrongPlatform.slice(0, 50),
            per_collection: s.per,
            sample: sampleRows,
          },
          state: {
            collections: Object.fromEntries(plan.collections.map((c) => [c.collection_id, c.name])),
            matched: plan.creatorIds,
            present: Object.fromEntries([...plan.present].map(([k, v]) => [k, [...v].sort()])),
          },
          summary: `Add ${s.willAdd} ${input.platform} creator placement(s) to ${plan.collections.length} collection(s); ${s.already} already present${plan.notFound.length + plan.wrongPlatform.length ? `, ${plan.notFound.length + plan.wrongPlatform.length} id(s) not usable` : ''}.`,
        };
      },
    },
    run: (ws, input) => {
      const plan = planAdd(ws, input);
      const s = addSummary(plan);
      const at = ws.now().toISOString();
      const insert = ws.db.prepare(
        `INSERT OR IGNORE INTO collection_items (collection_id, creator_id, platform, added_at, source)
         SELECT ?, value, ?, ?, 'added' FROM json_each(?)`,
      );
      for (const c of plan.collections) insert.run(c.collection_id, input.platform, at, JSON.stringify(plan.creatorIds));
      touch(ws, plan.collections.map((c) => c.collection_id));
      return {
        campaign_id: firstCampaign(plan.collections),
        added_count: s.willAdd,
        already_present_count: s.already,
        not_found: plan.notFound,
        wrong_platform: plan.wrongPlatform,
        per_collection: s.per.map(({ will_add_count, ...p }) => ({ ...p, added_count: will_add_count })),
        summary: `Added ${s.willAdd} creator placement(s); ${s.already} were already present.`,
      };
    },
  }),
  defineOperation({
    name: 'collection.refresh',
    toolset: 'collection',
    title: 'Refresh collection items',
    description:
      'Refreshes a collection + platform slice (or explicit creator_ids of it): what=email looks up emails, base refreshes base data, audience unlocks audience data. Ids from collection_list / collection_items.',
    kind: 'staged',
    risk: 'high',
    hints: { destructive: false, idempotent: true },
    route: { method: 'POST', path: '/collections/:collection_id/refresh' },
    input: refreshInput,
    output: z.object({
      collection_id: z.string(),
      campaign_id: z.string().nullable(),
      platform: z.string(),
      what: z.string(),
      matched_count: z.int(),
      updated_count: z.int().describe('Items whose data or stamp was written.'),
      outcome_counts: outcomeCounts,
      summary: z.string(),
    }),
    idsOf: (i) => [i.collection_id],
    validate: (ws, input) => sliceProblems(ws, input).problems,
    preview: {
      effect: stagedEffect.extend({ what: z.string() }),
      read: (ws, input) => {
        const plan = planRefresh(ws, input);
        const effect = { ...effectOf(plan.slice, input.platform, plan.outcomes), what: input.what };
        return {
          effect,
          state: refreshState(plan, input.what),
          summary: `Refresh ${input.what} of ${plan.outcomes.length} ${input.platform} item(s) in "${plan.slice.collection.name}": ${describeCounts(effect.outcome_counts)}.`,
        };
      },
    },
    run: (ws, input) => {
      const plan = planRefresh(ws, input);
      const at = ws.now().toISOString();
      const cid = plan.slice.collection.collection_id;
      const where = `collection_id = ? AND ${inJson('creator_id')}`;
      let updated: number;
      if (input.what === 'email') {
        updated = ws.db
          .prepare(`UPDATE collection_items SET email = COALESCE((SELECT c.email FROM creators c WHERE c.creator_id = collection_items.creator_id), email), email_refreshed_at = ? WHERE ${where}`)
          .run(at, cid, JSON.stringify(plan.outcomes.map((o) => o.item.creator_id))).changes;
      } else if (input.what === 'base') {
        updated = ws.db.prepare(`UPDATE collection_items SET base_refreshed_at = ? WHERE ${where}`).run(at, cid, JSON.stringify(plan.outcomes.map((o) => o.item.creator_id))).changes;
      } else {
        updated = ws.db.prepare(`UPDATE collection_items SET audience_unlocked = 1 WHERE ${where}`).run(cid, JSON.stringify(idsWith(plan.outcomes, 'will_unlock'))).changes;
      }
      if (updated) touch(ws, [cid]);
      const counts = countOutcomes(plan.outcomes);
      return {
        collection_id: cid,
        campaign_id: plan.slice.collection.campaign_id,
        platform: input.platform,
        what: input.what,
        matched_count: plan.outcomes.length,
        updated_count: updated,
        outcome_counts: counts,
        summary: `Refreshed ${input.what} of ${updated} ${input.platform} item(s) in ${cid}: ${describeCounts(counts)}.`,
      };
    },
  }),
  defineOperation({
    name: 'collection.batch',
    toolset: 'collection',
    title: 'Move, copy, delete or label collection items',
    description:
      'Grouped change to a collection + platform slice (or explicit creator_ids of it): move or copy to target_collection_id, delete, or label with CRM label_ids (from crm_labels_list).',
    kind: 'staged',
    risk: 'high',
    route: { method: 'POST', path: '/collections/:collection_id/batch' },
    input: batchInput,
    output: z.object({
      collection_id: z.string(),
      target_collection_id: z.string().nullable(),
      campaign_id: z.string().nullable(),
      action: z.string(),
      matched_count: z.int(),
      changed_count: z.int().describe('Items moved, copied, deleted or relabeled.'),
      outcome_counts: outcomeCounts,
      summary: z.string(),
    }),
    idsOf: (i) => [i.collection_id, ...(i.target_collection_id ? [i.target_collection_id] : [])],
    validate: (ws, input) => batchProblems(ws, input).problems,
    preview: {
      effect: stagedEffect.extend({ action: z.string(), target_collection_id: z.string().nullable(), label_ids: z.array(z.string()) }),
      read: (ws, input) => {
        const plan = planBatch(ws, input);
        const effect = { ...effectOf(plan.slice, input.platform, plan.outcomes), action: input.action, target_collection_id: plan.target?.collection_id ?? null, label_ids: plan.labels };
        const to = plan.target ? ` to "${plan.target.name}"` : '';
        return {
          effect,
          state: batchState(plan),
          summary: `${input.action} ${plan.outcomes.length} ${input.platform} item(s) of "${plan.slice.collection.name}"${to}: ${describeCounts(effect.outcome_counts)}.`,
        };
      },
    },
    run: (ws, input) => {
      const plan = planBatch(ws, input);
      const from = plan.slice.collection.collection_id;
      const all = plan.outcomes.map((o) => o.item.creator_id);
      let changed = 0;
      if (input.action === 'copy') changed = copyItems(ws, from, plan.target!.collection_id, idsWith(plan.outcomes, 'will_copy'), 'copied');
      if (input.action === 'move') {
        copyItems(ws, from, plan.target!.collection_id, idsWith(plan.outcomes, 'will_move'), 'moved');
        changed = deleteItems(ws, from, all);
      }
      if (input.action === 'delete') changed = deleteItems(ws, from, all);
      if (input.action === 'label') changed = labelItems(ws, from, idsWith(plan.outcomes, 'will_label', 'will_unlabel'), plan.labels, input.label_operation === 'remove');
      if (changed) touch(ws, [from, ...(plan.target ? [plan.target.collection_id] : [])]);
      const counts = countOutcomes(plan.outcomes);
      return {
        collection_id: from,
        target_collection_id: plan.target?.collection_id ?? null,
        campaign_id: firstCampaign([plan.slice.collection, ...(plan.target ? [plan.target] : [])]),
        action: input.action,
        matched_count: plan.outcomes.length,
        changed_count: changed,
        outcome_counts: counts,
        summary: `${input.action}: ${changed} of ${plan.outcomes.length} ${input.platform} item(s) of ${from} changed (${describeCounts(counts)}).`,
      };
    },
  }),
  defineOperation({
    name: 'collection.add_to_crm',
    toolset: 'collection',
    title: 'Add a collection slice to the CRM',
    description:
      'Creates CRM channels (default coop status, owned by you) for every creator of one collection on one platform; the whole slice only, no subsets. Creators already in the CRM are reported and left as they are.',
    kind: 'staged',
    risk: 'high',
    hints: { destructive: false },
    route: { method: 'POST', path: '/collections/:collection_id/add-to-crm' },
    input: addToCrmInput,
    output: z.object({
      collection_id: z.string(),
      campaign_id: z.string().nullable(),
      platform: z.string(),
      matched_count: z.int(),
      created_count: z.int(),
      already_in_crm_count: z.int().describe('Including archived channels, which stay archived.'),
      summary: z.string(),
    }),
    idsOf: (i) => [i.collection_id],
    validate: (ws, input) => sliceProblems(ws, input).problems,
    preview: {
      effect: stagedEffect.extend({ will_create_count: z.int(), already_in_crm_count: z.int() }),
      read: (ws, input) => {
        const plan = planAddToCrm(ws, input);
        const effect = effectOf(plan.slice, input.platform, plan.outcomes);
        const create = idsWith(plan.outcomes, 'will_create').length;
        return {
          effect: { ...effect, will_create_count: create, already_in_crm_count: plan.outcomes.length - create },
          state: {
            collection: { collection_id: plan.slice.collection.collection_id, updated_at: plan.slice.collection.updated_at },
            items: fingerprint(plan.outcomes.map((o) => [o.item.creator_id, o.crm_updated_at])),
          },
          summary: `Add ${plan.outcomes.length} ${input.platform} creator(s) of "${plan.slice.collection.name}" to the CRM: ${describeCounts(effect.outcome_counts)}.`,
        };
      },
    },
    run: (ws, input, call) => {
      const plan = planAddToCrm(ws, input);
      const create = idsWith(plan.outcomes, 'will_create');
      const at = ws.now().toISOString();
      const created = ws.db
        .prepare(
          `INSERT OR IGNORE INTO crm_channels (creator_id, platform, coop_status, owner_uid, email, url, remark, archived, created_at, updated_at)
           SELECT i.creator_id, i.platform, ?, ?, i.email, c.channel_url, '', 0, ?, ? FROM collection_items i JOIN creators c ON c.creator_id = i.creator_id
           WHERE i.collection_id = ? AND ${inJson('i.creator_id')}`,
        )
        .run(DEFAULT_COOP_STATUS, actingUser(ws, call), at, at, plan.slice.collection.collection_id, JSON.stringify(create)).changes;
      return {
        collection_id: plan.slice.collection.collection_id,
        campaign_id: plan.slice.collection.campaign_id,
        platform: input.platform,
        matched_count: plan.outcomes.length,
        created_count: created,
        already_in_crm_count: plan.outcomes.length - created,
        summary: `Created ${created} CRM channel(s) from ${input.platform} items of ${plan.slice.collection.collection_id}; ${plan.outcomes.length - created} were already in the CRM.`,
      };
    },
  }),
  defineOperation({
    name: 'collection.import_template',
    toolset: 'collection',
    title: 'Write the collection import template',
    description: 'Writes the .xlsx template for collection_import_file into the files root: column A a creator URL, column B an optional email.',
    kind: 'write',
    risk: 'low',
    route: { method: 'POST', path: '/collections/import-template' },
    input: z.strictObject({ output_path: templatePathField('templates/collection-import-template.xlsx') }),
    output: templateOutput,
    load: () => buildXlsx('Creators', TEMPLATE_HEADER, TEMPLATE_ROWS),
    run: (ws, input, _call, xlsx) => {
      const written = ws.files.writeOutput(input.output_path, xlsx, false);
      return { ...written, columns: TEMPLATE_HEADER, summary: `Wrote the collection import template to ${written.path}.` };
    },
  }),
  defineOperation({
    name: 'collection.import_file',
    toolset: 'collection',
    title: 'Import creator URLs into a collection',
    description:
      'Imports a .xlsx/.csv (≤10 MB, ≤5,000 rows; column A a YouTube/TikTok/Instagram creator URL, column B an optional email) into one collection. Apply queues the import; poll collection_import_status with the import_id.',
    kind: 'job',
    risk: 'high',
    hints: { destructive: false },
    route: { method: 'POST', path: '/collections/:collection_id/import' },
    input: importInput,
    output: z.object({
      import_id: z.string().describe('Poll collection_import_status with it.'),
      status: z.string(),
      collection_id: z.string(),
      campaign_id: z.string().nullable(),
      queued_row_count: z.int(),
      failed_count: z.int(),
      duplicate_count: z.int(),
      summary: z.string(),
    }),
    idsOf: (i, o) => [i.collection_id, o.import_id],
    load: (ws, input) => loadImport(ws, input),
    preview: {
      effect: z.object({
        collection_id: z.string(),
        file_name: z.string(),
        row_count: z.int(),
        importable_count: z.int(),
        by_platform: z.object({ youtube: z.int(), tiktok: z.int(), instagram: z.int() }),
        will_add_count: z.int().describe('Existing creators not yet in the collection.'),
        new_creator_count: z.int().describe('Unknown channels that will become new creators.'),
        already_in_collection_count: z.int(),
        duplicate_count: z.int(),
        duplicates: z.array(z.object({ row: z.int(), duplicate_of_row: z.int() })).describe('At most 50.'),
        failed_count: z.int(),
        failed_items: z.array(failedItem).describe('Unparseable rows, at most 50.'),
        sample: z.array(z.object({ row: z.int(), platform: z.string(), channel_id: z.string(), outcome: z.string() })),
      }),
      read: (ws, input, _call, parsed) => {
        const plan = planImport(ws, input, parsed);
        const by = { youtube: 0, tiktok: 0, instagram: 0 };
        const counts: Record<string, number> = {};
        for (const r of parsed.rows) {
          by[r.platform]++;
          const o = importOutcome(plan, r);
          counts[o] = (counts[o] ?? 0) + 1;
        }
        return {
          effect: {
            collection_id: plan.collection.collection_id,
            file_name: parsed.file_name,
            row_count: parsed.row_count,
            importable_count: parsed.rows.length,
            by_platform: by,
            will_add_count: counts.will_add ?? 0,
            new_creator_count: counts.new_creator ?? 0,
            already_in_collection_count: counts.already_in_collection ?? 0,
            duplicate_count: parsed.duplicates.length,
            duplicates: parsed.duplicates.slice(0, 50),
            failed_count: parsed.failed.length,
            failed_items: parsed.failed.slice(0, 50),
            sample: sample(parsed.rows).map((r) => ({ row: r.row, platform: r.platform, channel_id: r.channel_id, outcome: importOutcome(plan, r) })),
          },
          state: {
            collection: { collection_id: plan.collection.collection_id, updated_at: plan.collection.updated_at },
            file: parsed.sha256,
            matched: Object.fromEntries([...plan.matched].sort()),
            present: [...plan.present].sort(),
          },
          summary: `Import ${parsed.rows.length} of ${parsed.row_count} row(s) of ${parsed.file_name} into "${plan.collection.name}": ${describeCounts(counts)}; ${parsed.failed.length} failed, ${parsed.duplicates.length} duplicate(s).`,
        };
      },
    },
    run: (ws, input, _call, parsed) => {
      const plan = planImport(ws, input, parsed);
      const params: ImportJobParams = {
        collection_id: plan.collection.collection_id,
        file_name: parsed.file_name,
        row_count: parsed.row_count,
        rows: parsed.rows,
        failed_items: parsed.failed,
        duplicate_count: parsed.duplicates.length,
      };
      const importId = ws.jobs.enqueue(IMPORT_JOB, params as unknown as Record<string, unknown>);
      return {
        import_id: importId,
        status: 'queued',
        collection_id: plan.collection.collection_id,
        campaign_id: plan.collection.campaign_id,
        queued_row_count: parsed.rows.length,
        failed_count: parsed.failed.length,
        duplicate_count: parsed.duplicates.length,
        summary: `Queued the import of ${parsed.rows.length} row(s) of ${parsed.file_name} into ${plan.collection.collection_id} (import ${importId}); ${parsed.failed.length} row(s) failed parsing.`,
      };
    },
  }),
  defineOperation({
    name: 'collection.import_status',
    toolset: 'collection',
    title: 'Collection import status',
    description: 'The state of a collection import (queued, running, done, failed) with progress, counts and failed_items; import_id comes from collection_import_file_apply.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/collections/imports/:import_id' },
    input: z.strictObject({
      import_id: id('The import_id returned by collection_import_file_apply.'),
      wait_seconds: z.int().min(0).max(60).default(0).describe('Wait up to this long for the import to finish, with progress notifications meanwhile.'),
    }),
    output: importResult.partial({ imported_count: true, already_present_count: true, created_creators_count: true }).extend({
      import_id: z.string(),
      status: z.enum(['queued', 'running', 'done', 'failed', 'cancelled']),
      file_name: z.string(),
      progress: z.int(),
      total: z.int().nullable(),
      error: z.object({ error_code: z.string(), summary: z.string() }).nullable(),
      summary: z.string(),
    }),
    // Waiting happens before the (synchronous) read, relaying the job's progress to the caller.
    load: (ws, input, call) => waitForImport(ws, input.import_id, input.wait_seconds, call),
    run: (ws, input) => {
      const job = ws.jobs.get(input.import_id);
      if (!job || job.kind !== IMPORT_JOB) throw notFound('collection import', input.import_id, 'Import ids come from collection_import_file_apply.');
      const p = JSON.parse(job.params_json) as ImportJobParams;
      const result = job.result_json ? (JSON.parse(job.result_json) as z.input<typeof importResult>) : undefined;
      const error = job.error_json ? (JSON.parse(job.error_json) as { error_code: string; summary: string }) : null;
      const summary =
        job.status === 'done' && result
          ? `Import done: ${result.imported_count} added, ${result.already_present_count} already present, ${result.created_creators_count} new creator(s), ${result.failed_items.length} failed row(s).`
          : job.status === 'failed'
            ? `Import failed: ${error?.summary ?? 'unknown error'}. Nothing was imported.`
            : `Import ${job.status}: ${job.progress}/${job.total ?? p.rows.length} row(s) resolved so far.`;
      return {
        import_id: job.job_id,
        status: job.status,
        file_name: p.file_name,
        progress: job.progress,
        total: job.total ?? p.rows.length,
        ...(result ?? { collection_id: p.collection_id, duplicate_count: p.duplicate_count, failed_items: p.failed_items }),
        error: error ? { error_code: error.error_code, summary: error.summary } : null,
        summary,
      };
    },
  }),
];

/** Async job kinds of this domain (imports): rows resolve in one transaction, with progress. */
export const collectionJobs: WorkspaceJobs = {
  [IMPORT_JOB]: (ws) => async (params, ctx) => {
    const p = params as unknown as ImportJobParams;
    if (ctx.signal.aborted) throw new ToolError('CONFLICT', 'The import was cancelled before it started; nothing was imported.');
    ctx.progress(0, p.rows.length);
    const result = runImportJob(ws, p, (done, total) => ctx.progress(done, total));
    ctx.progress(p.rows.length, p.rows.length);
    return result;
  },
};
