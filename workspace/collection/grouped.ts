// The staged grouped operations in the embedded workspace. Each reads its slice and outcomes once
// per stage: the preview shows them, the apply acts on its own reading.
import type { z } from 'zod';
import type { Problem } from '../../src/catalog.js';
import { grouped } from '../../tools/collection/grouped.js';
import { WHERE } from '../../tools/hints.js';
import { DEFAULT_COOP_STATUS } from '../coop-statuses.js';
import { implement, type Implemented } from '../implement.js';
import { actingUser, fingerprint, inJson, parseJsonList, unknownLabels } from '../shared.js';
import type { Workspace } from '../workspace.js';
import { firstCampaign, touch, type CollectionRow } from './collections.js';
import { collectionStamp, countOutcomes, describeCounts, idsWith, readValidSlice, refuseProblems, sliceEffect, sliceProblems, type Outcome, type Slice, type SliceItem } from './slice.js';

// refresh ----------------------------------------------------------------------------------------

type RefreshInput = z.output<typeof grouped.refresh.input>;

function readRefresh(ws: Workspace, input: RefreshInput): { slice: Slice; outcomes: Outcome[] } {
  const slice = readValidSlice(ws, input, 'collection_refresh');
  const outcomes = slice.items.map((item) => {
    if (input.what === 'email') return { item, outcome: item.creator_email ? 'email_found' : 'no_email_available' };
    if (input.what === 'base') return { item, outcome: item.base_refreshed_at ? 'will_refresh_again' : 'will_refresh' };
    return { item, outcome: item.audience_unlocked ? 'already_unlocked' : 'will_unlock' };
  });
  return { slice, outcomes };
}

/** Only the columns the refresh reads or writes bind the token. */
function refreshedColumns(what: RefreshInput['what'], i: SliceItem): unknown[] {
  if (what === 'email') return [i.email, i.email_refreshed_at, i.creator_email];
  if (what === 'base') return [i.base_refreshed_at, i.creator_updated_at];
  return [i.audience_unlocked];
}

// batch ------------------------------------------------------------------------------------------

type BatchInput = z.output<typeof grouped.batch.input>;

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
    if (!target) problems.push({ field: 'target_collection_id', code: 'NOT_FOUND', message: `No collection with id ${JSON.stringify(input.target_collection_id)}. ${WHERE.collection}` });
    else if (target.collection_id === input.collection_id)
      problems.push({ field: 'target_collection_id', code: 'SAME_COLLECTION', message: 'The target is the source collection; choose another one.' });
  }
  if (input.action === 'label') {
    if (!input.label_ids) problems.push({ field: 'label_ids', code: 'REQUIRED', message: 'label needs label_ids (from crm_labels_list).' });
    else {
      const unknown = unknownLabels(ws, input.label_ids);
      if (unknown.length) problems.push({ field: 'label_ids', code: 'NOT_FOUND', message: `Unknown label id(s): ${unknown.join(', ')}. ${WHERE.crmLabel}` });
    }
  } else {
    if (input.label_ids) problems.push({ field: 'label_ids', code: 'NOT_ALLOWED', message: 'label_ids are only for action label.' });
    if (input.label_operation) problems.push({ field: 'label_operation', code: 'NOT_ALLOWED', message: 'label_operation is only for action label.' });
  }
  return { ...(slice ? { slice } : {}), ...(target ? { target } : {}), problems };
}

function readBatch(ws: Workspace, input: BatchInput): BatchPlan {
  const { slice, target, problems } = batchProblems(ws, input);
  refuseProblems(problems, 'collection_batch');
  const s = slice!;
  const inTarget = new Set<string>(
    target
      ? (ws.db
          .prepare(`SELECT creator_id FROM collection_items WHERE collection_id = ? AND ${inJson('creator_id')}`)
          .pluck()
          .all(target.collection_id, JSON.stringify(s.items.map((i) => i.creator_id))) as string[])
      : [],
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

/** The labels by id and name, in the order given. */
function labelNames(ws: Workspace, labelIds: string[]): { label_id: string; name: string }[] {
  const names = new Map(
    (ws.db.prepare(`SELECT label_id, name FROM crm_labels WHERE ${inJson('label_id')}`).all(JSON.stringify(labelIds)) as { label_id: string; name: string }[]).map((l) => [l.label_id, l.name]),
  );
  return labelIds.map((id) => ({ label_id: id, name: names.get(id) ?? id }));
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
    .prepare(
      `UPDATE collection_items SET label_ids_json = (SELECT json_group_array(value) FROM (${merged} ORDER BY 1)) WHERE collection_id = @from AND creator_id IN (SELECT value FROM json_each(@ids))`,
    )
    .run({ from, labels: JSON.stringify(labels), ids: JSON.stringify(creatorIds) }).changes;
}

// add to CRM -------------------------------------------------------------------------------------

interface CrmOutcome extends Outcome {
  crm_updated_at: string | null;
}

function readAddToCrm(ws: Workspace, input: z.output<typeof grouped.addToCrm.input>): { slice: Slice; outcomes: CrmOutcome[] } {
  const slice = readValidSlice(ws, input, 'collection_add_to_crm');
  const crm = new Map(
    (
      ws.db.prepare(`SELECT creator_id, archived, updated_at FROM crm_channels WHERE ${inJson('creator_id')}`).all(JSON.stringify(slice.items.map((i) => i.creator_id))) as {
        creator_id: string;
        archived: number;
        updated_at: string;
      }[]
    ).map((r) => [r.creator_id, r]),
  );
  const outcomes = slice.items.map((item) => {
    const ch = crm.get(item.creator_id);
    return { item, outcome: !ch ? 'will_create' : ch.archived ? 'archived_in_crm' : 'already_in_crm', crm_updated_at: ch?.updated_at ?? null };
  });
  return { slice, outcomes };
}

// ---------------------------------------------------------------------------------------------

export const groupedImplementations = {
  refresh: implement(grouped.refresh, {
    validate: (ws, input) => sliceProblems(ws, input).problems,
    read: readRefresh,
    state: ({ slice }, input) => ({
      collection: collectionStamp(slice),
      items: fingerprint(slice.items.map((i) => [i.creator_id, ...refreshedColumns(input.what, i)])),
    }),
    effect: (_ws, input, { slice, outcomes }) => {
      const effect = { ...sliceEffect(slice, input.platform, outcomes), what: input.what };
      return { effect, summary: `Refresh ${input.what} of ${outcomes.length} ${input.platform} item(s) in "${slice.collection.name}": ${describeCounts(effect.outcome_counts)}.` };
    },
    run: (ws, input, _call, _loaded, { slice, outcomes }) => {
      const at = ws.now().toISOString();
      const cid = slice.collection.collection_id;
      const where = `collection_id = ? AND ${inJson('creator_id')}`;
      let updated: number;
      if (input.what === 'email') {
        updated = ws.db
          .prepare(`UPDATE collection_items SET email = COALESCE((SELECT c.email FROM creators c WHERE c.creator_id = collection_items.creator_id), email), email_refreshed_at = ? WHERE ${where}`)
          .run(at, cid, JSON.stringify(outcomes.map((o) => o.item.creator_id))).changes;
      } else if (input.what === 'base') {
        updated = ws.db.prepare(`UPDATE collection_items SET base_refreshed_at = ? WHERE ${where}`).run(at, cid, JSON.stringify(outcomes.map((o) => o.item.creator_id))).changes;
      } else {
        updated = ws.db.prepare(`UPDATE collection_items SET audience_unlocked = 1 WHERE ${where}`).run(cid, JSON.stringify(idsWith(outcomes, 'will_unlock'))).changes;
      }
      if (updated) touch(ws, [cid]);
      const counts = countOutcomes(outcomes);
      return {
        collection_id: cid,
        campaign_id: slice.collection.campaign_id,
        platform: input.platform,
        what: input.what,
        matched_count: outcomes.length,
        updated_count: updated,
        outcome_counts: counts,
        summary: `Refreshed ${input.what} of ${updated} ${input.platform} item(s) in ${cid}: ${describeCounts(counts)}.`,
      };
    },
  }),
  batch: implement(grouped.batch, {
    validate: (ws, input) => batchProblems(ws, input).problems,
    read: readBatch,
    state: (plan) => ({
      collection: collectionStamp(plan.slice),
      items: fingerprint(plan.slice.items.map((i) => [i.creator_id, i.label_ids_json])),
      target: plan.target ? { collection_id: plan.target.collection_id, updated_at: plan.target.updated_at, present: [...plan.inTarget].sort() } : null,
      labels: plan.labels,
    }),
    effect: (ws, input, plan) => {
      const named = labelNames(ws, plan.labels);
      const operation = input.action === 'label' ? (input.label_operation ?? 'add') : null;
      const effect = {
        ...sliceEffect(plan.slice, input.platform, plan.outcomes),
        action: input.action,
        target_collection_id: plan.target?.collection_id ?? null,
        label_ids: plan.labels,
        labels: named,
        label_operation: operation,
      };
      // Say what changes, not only how many: which labels go on or off, and that a move empties the source.
      const what = operation ? `${operation} label(s) ${named.map((l) => JSON.stringify(l.name)).join(', ')} ${operation === 'add' ? 'to' : 'from'}` : input.action;
      const to = plan.target ? ` to "${plan.target.name}"` : '';
      const leaves = input.action === 'move' ? `; all ${plan.outcomes.length} leave "${plan.slice.collection.name}"` : '';
      return { effect, summary: `${what} ${plan.outcomes.length} ${input.platform} item(s) of "${plan.slice.collection.name}"${to}: ${describeCounts(effect.outcome_counts)}${leaves}.` };
    },
    run: (ws, input, _call, _loaded, plan) => {
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
  addToCrm: implement(grouped.addToCrm, {
    validate: (ws, input) => sliceProblems(ws, input).problems,
    read: readAddToCrm,
    state: ({ slice, outcomes }) => ({
      collection: collectionStamp(slice),
      items: fingerprint(outcomes.map((o) => [o.item.creator_id, o.crm_updated_at])),
    }),
    effect: (_ws, input, { slice, outcomes }) => {
      const effect = sliceEffect(slice, input.platform, outcomes);
      const create = idsWith(outcomes, 'will_create').length;
      return {
        effect: { ...effect, will_create_count: create, already_in_crm_count: outcomes.length - create },
        summary: `Add ${outcomes.length} ${input.platform} creator(s) of "${slice.collection.name}" to the CRM: ${describeCounts(effect.outcome_counts)}.`,
      };
    },
    run: (ws, input, call, _loaded, { slice, outcomes }) => {
      const at = ws.now().toISOString();
      const created = ws.db
        .prepare(
          `INSERT OR IGNORE INTO crm_channels (creator_id, platform, coop_status, owner_uid, email, url, remark, archived, created_at, updated_at)
           SELECT i.creator_id, i.platform, ?, ?, i.email, c.channel_url, '', 0, ?, ? FROM collection_items i JOIN creators c ON c.creator_id = i.creator_id
           WHERE i.collection_id = ? AND ${inJson('i.creator_id')}`,
        )
        .run(DEFAULT_COOP_STATUS, actingUser(ws, call), at, at, slice.collection.collection_id, JSON.stringify(idsWith(outcomes, 'will_create'))).changes;
      return {
        collection_id: slice.collection.collection_id,
        campaign_id: slice.collection.campaign_id,
        platform: input.platform,
        matched_count: outcomes.length,
        created_count: created,
        already_in_crm_count: outcomes.length - created,
        summary: `Created ${created} CRM channel(s) from ${input.platform} items of ${slice.collection.collection_id}; ${outcomes.length - created} were already in the CRM.`,
      };
    },
  }),
} satisfies Implemented<typeof grouped>;
