// Staged grouped operations on a collection + platform slice: refresh, move / copy / delete /
// label, and add to the CRM. One selector (explicit creator_ids, or the whole platform slice).
import { z } from 'zod';
import { defineContract } from '../../src/catalog.js';
import { creatorIds, id, ids, platform } from '../shared.js';
import { collectionId } from './collections.js';

const selectorFields = {
  collection_id: collectionId,
  platform,
  creator_ids: creatorIds('Only these creators of the slice (default: all).').optional(),
};

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

export const grouped = {
  refresh: defineContract({
    name: 'collection.refresh',
    cli: { by: 'what', commands: { email: 'collection refresh-email', base: 'collection refresh-base', audience: 'collection unlock-audience' } },
    title: 'Refresh collection items',
    description: 'Refreshes a collection + platform slice (or some creator_ids of it): looks up emails, refreshes base data or unlocks audience data.',
    kind: 'staged',
    risk: 'high',
    riskReason: 'Bulk, and spends quota: refreshes data or unlocks audiences for many creators.',
    hints: { destructive: false, idempotent: true },
    route: { method: 'POST', path: '/collections/:collection_id/refresh' },
    input: z.strictObject({
      ...selectorFields,
      what: z.enum(['email', 'base', 'audience']).describe('What to refresh.'),
    }),
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
    effect: stagedEffect.extend({ what: z.string() }),
    idsOf: (i) => [i.collection_id],
  }),
  batch: defineContract({
    name: 'collection.batch',
    cli: { by: 'action', commands: { move: 'collection batch-move', copy: 'collection batch-copy', delete: 'collection batch-delete', label: 'collection batch-label' } },
    title: 'Move, copy, delete or label collection items',
    description: 'Grouped change to a collection + platform slice (or some creator_ids of it): move, copy, delete or label the items.',
    kind: 'staged',
    risk: 'high',
    riskReason: 'Bulk move, copy, delete or label of collection members; deletes are irreversible.',
    route: { method: 'POST', path: '/collections/:collection_id/batch' },
    input: z.strictObject({
      ...selectorFields,
      action: z.enum(['move', 'copy', 'delete', 'label']).describe('move removes from this collection, copy keeps them.'),
      target_collection_id: id('move/copy: the destination collection_id.').optional(),
      label_ids: ids('label only.', 50).optional(),
      label_operation: z.enum(['add', 'remove']).optional().describe('label: add (default) or remove.'),
    }),
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
    effect: stagedEffect.extend({
      action: z.string(),
      target_collection_id: z.string().nullable(),
      label_ids: z.array(z.string()),
      labels: z.array(z.object({ label_id: z.string(), name: z.string() })).describe('label only: the labels added or removed, by name.'),
      label_operation: z.enum(['add', 'remove']).nullable(),
    }),
    idsOf: (i) => [i.collection_id, ...(i.target_collection_id ? [i.target_collection_id] : [])],
  }),
  addToCrm: defineContract({
    name: 'collection.add_to_crm',
    title: 'Add a collection slice to the CRM',
    description: 'Creates CRM channels (default coop status, owned by you) for every creator of a collection + platform slice not in the CRM yet.',
    kind: 'staged',
    risk: 'high',
    riskReason: 'Bulk: creates CRM channels, visible to the whole team, for a whole collection slice.',
    hints: { destructive: false },
    route: { method: 'POST', path: '/collections/:collection_id/add-to-crm' },
    input: z.strictObject({ collection_id: collectionId, platform }),
    output: z.object({
      collection_id: z.string(),
      campaign_id: z.string().nullable(),
      platform: z.string(),
      matched_count: z.int(),
      created_count: z.int(),
      already_in_crm_count: z.int().describe('Including archived channels, which stay archived.'),
      summary: z.string(),
    }),
    effect: stagedEffect.extend({ will_create_count: z.int(), already_in_crm_count: z.int() }),
    idsOf: (i) => [i.collection_id],
  }),
};
