// CRM labels: tags on channels (and on collection items and message threads), unique by name.
import { z } from 'zod';
import { defineContract } from '../../src/catalog.js';
import { idString, pageInput, paged, searchText } from '../shared.js';

export const label = z.object({ label_id: z.string(), name: z.string(), color: z.string(), channel_count: z.int().describe('CRM channels carrying it.'), created_at: z.string() });

// Described once, in the instructions (SHARED_FIELDS).
const labelId = idString();
const labelName = z.string().trim().min(1).max(50).describe('Label name, unique (case-insensitive).');
const labelColor = z
  .string()
  .regex(/^#[0-9A-Fa-f]{6}$/, 'a #RRGGBB color')
  .describe('#RRGGBB.');

export const labels = {
  list: defineContract({
    name: 'crm.labels_list',
    cli: 'crm labels list',
    title: 'List CRM labels',
    description: 'Lists CRM labels with how many channels carry each.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/crm/labels' },
    input: z.strictObject({ keyword: searchText(100).optional().describe('Matches the name.'), ...pageInput }),
    output: paged(label),
  }),
  create: defineContract({
    name: 'crm.labels_create',
    cli: 'crm labels create',
    title: 'Create a CRM label',
    description: 'Creates a CRM label; returns its label_id.',
    kind: 'write',
    risk: 'low',
    riskReason: 'Adds a new label; nothing existing changes.',
    route: { method: 'POST', path: '/crm/labels' },
    input: z.strictObject({ name: labelName, color: labelColor.default('#6B7280') }),
    output: label.extend({ summary: z.string() }),
    idsOf: (_i, o) => [o.label_id],
  }),
  update: defineContract({
    name: 'crm.labels_update',
    cli: 'crm labels update',
    title: 'Update a CRM label',
    description: 'Renames or recolors a CRM label; its channels keep it.',
    kind: 'write',
    risk: 'low',
    riskReason: 'Renames or recolours one label; reversible by another update.',
    hints: { idempotent: true },
    route: { method: 'PATCH', path: '/crm/labels/:label_id' },
    input: z.strictObject({ label_id: labelId, name: labelName.optional(), color: labelColor.optional() }),
    output: label.extend({ summary: z.string() }),
    idsOf: (i) => [i.label_id],
  }),
  delete: defineContract({
    name: 'crm.labels_delete',
    cli: 'crm labels delete',
    title: 'Delete a CRM label',
    description: 'Deletes a CRM label from every channel, collection item and thread carrying it.',
    kind: 'write',
    risk: 'high',
    riskReason: 'Irreversible: removes the label from every channel carrying it.',
    confirm: true,
    route: { method: 'DELETE', path: '/crm/labels/:label_id' },
    input: z.strictObject({ label_id: labelId }),
    output: z.object({ deleted: z.boolean(), label_id: z.string(), removed_from_channels: z.int(), removed_from_items: z.int(), summary: z.string() }),
    effect: z.object({ label, collection_item_count: z.int().describe('Collection items carrying it.'), thread_count: z.int().describe('Message threads carrying it.') }),
    idsOf: (i) => [i.label_id],
  }),
};
