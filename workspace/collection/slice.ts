// The slice the staged grouped operations act on (a collection + platform, or explicit creator_ids
// of it), read the same way by validate, preview and apply, and the outcomes their previews show.
import type { Problem } from '../../src/catalog.js';
import { invalid, ToolError } from '../../src/errors.js';
import { WHERE } from '../../tools/hints.js';
import { inJson, sample } from '../shared.js';
import type { Workspace } from '../workspace.js';
import { loadCollection, type CollectionRow } from './collections.js';

export interface SliceSelector {
  collection_id: string;
  platform: string;
  creator_ids?: string[] | undefined;
}

export interface SliceItem {
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

export interface Slice {
  collection: CollectionRow;
  items: SliceItem[];
  /** Explicit creator_ids that are not items of the slice. */
  missing: string[];
}

function readSlice(ws: Workspace, input: SliceSelector): Slice {
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
export function sliceProblems(ws: Workspace, input: SliceSelector): { slice?: Slice; problems: Problem[] } {
  let slice: Slice;
  try {
    slice = readSlice(ws, input);
  } catch (e) {
    if (e instanceof ToolError) return { problems: [{ field: 'collection_id', code: e.code, message: `${e.message} ${WHERE.collection}` }] };
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
export function refuseProblems(problems: Problem[], base: string): void {
  if (!problems.length) return;
  const first = problems[0]!;
  const text = problems.map((p) => `${p.field}: ${p.message}`).join(' ');
  if (first.code === 'NOT_FOUND') throw new ToolError('NOT_FOUND', text, { hint: `Fix the ids (${base}_validate lists every problem), then preview again.`, actionType: 'look_up_id' });
  throw invalid(text, `Fix the body (${base}_validate lists every problem), then preview again. Item ids come from collection_items.`, { problems });
}

/** The slice a preview or apply acts on; refused with validate's problems when it cannot. */
export function readValidSlice(ws: Workspace, input: SliceSelector, base: string): Slice {
  const { slice, problems } = sliceProblems(ws, input);
  refuseProblems(problems, base);
  return slice!;
}

export interface Outcome {
  item: SliceItem;
  outcome: string;
}

export function countOutcomes(outcomes: Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) counts[o.outcome] = (counts[o.outcome] ?? 0) + 1;
  return counts;
}

/** The effect fields every staged preview shows. */
export function sliceEffect(slice: Slice, platformName: string, outcomes: Outcome[]) {
  return {
    collection_id: slice.collection.collection_id,
    collection_name: slice.collection.name,
    platform: platformName,
    matched_count: outcomes.length,
    outcome_counts: countOutcomes(outcomes),
    sample: sample(outcomes).map((o) => ({ creator_id: o.item.creator_id, nickname: o.item.nickname, outcome: o.outcome })),
  };
}

/** Outcome counts in words, e.g. "3 will add, 1 new creator". */
export const describeCounts = (counts: Record<string, number>): string =>
  Object.entries(counts)
    .map(([k, n]) => `${n} ${k.replace(/_/g, ' ')}`)
    .join(', ') || 'nothing matched';

export const idsWith = (outcomes: Outcome[], ...names: string[]): string[] => outcomes.filter((o) => names.includes(o.outcome)).map((o) => o.item.creator_id);

/** The collection's own part of a staged state: any change to it since the preview makes apply stale. */
export const collectionStamp = (slice: Slice) => ({ collection_id: slice.collection.collection_id, updated_at: slice.collection.updated_at });
