// CRM groups: named sets of channels, unique by name; a channel's groups are set by crm_update_preview/_apply.
import { z } from 'zod';
import { defineContract } from '../../src/catalog.js';
import { pageInput, paged, searchText, idString } from '../shared.js';

export const group = z.object({ group_id: z.string(), name: z.string(), description: z.string(), channel_count: z.int(), created_at: z.string() });

// Described once, in the instructions (SHARED_FIELDS).
const groupId = idString();
const groupName = z.string().trim().min(1).max(100).describe('Group name, unique (case-insensitive).');
const groupDescription = z.string().max(2000).describe('What the group is for.');

export const groups = {
  list: defineContract({
    name: 'crm.groups_list',
    cli: 'crm groups list',
    title: 'List CRM groups',
    description: 'Lists CRM groups with their channel counts.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/crm/groups' },
    input: z.strictObject({ keyword: searchText(100).optional().describe('Matches the name.'), ...pageInput }),
    output: paged(group),
  }),
  get: defineContract({
    name: 'crm.groups_get',
    cli: 'crm groups get',
    title: 'Get a CRM group',
    description: 'One CRM group with its channel count and up to 50 member creator ids.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/crm/groups/:group_id' },
    input: z.strictObject({ group_id: groupId }),
    output: group.extend({ creator_ids: z.array(z.string()).describe('Members, at most 50 (crm_list with group_id pages all).') }),
  }),
  create: defineContract({
    name: 'crm.groups_create',
    cli: 'crm groups create',
    title: 'Create a CRM group',
    description: 'Creates a CRM group; returns its group_id (crm_update group_ids fills it).',
    kind: 'write',
    risk: 'high',
    riskReason: 'Creates a group the whole team sees (the CRM docs require approval for group create).',
    hints: { destructive: false },
    route: { method: 'POST', path: '/crm/groups' },
    input: z.strictObject({ name: groupName, description: groupDescription.default('') }),
    output: group.extend({ summary: z.string() }),
    effect: z.object({ group: z.object({ name: z.string(), description: z.string() }).describe('The group apply creates.') }),
    idsOf: (_i, o) => [o.group_id],
  }),
  update: defineContract({
    name: 'crm.groups_update',
    cli: 'crm groups update',
    title: 'Update a CRM group',
    description: 'Renames a CRM group or changes its description.',
    kind: 'write',
    risk: 'high',
    riskReason: 'Renames a group the whole team uses (the CRM docs require approval for group update).',
    hints: { destructive: false },
    route: { method: 'PATCH', path: '/crm/groups/:group_id' },
    input: z.strictObject({ group_id: groupId, name: groupName.optional(), description: groupDescription.optional() }),
    output: group.extend({ summary: z.string() }),
    effect: z.object({ before: group, after: z.object({ name: z.string(), description: z.string() }) }),
    idsOf: (i) => [i.group_id],
  }),
  delete: defineContract({
    name: 'crm.groups_delete',
    cli: 'crm groups delete',
    title: 'Delete a CRM group',
    description: 'Deletes a CRM group; its channels stay.',
    kind: 'write',
    risk: 'high',
    riskReason: 'Irreversible: removes the group from every channel in it.',
    confirm: true,
    route: { method: 'DELETE', path: '/crm/groups/:group_id' },
    input: z.strictObject({ group_id: groupId }),
    output: z.object({ deleted: z.boolean(), group_id: z.string(), removed_from_channels: z.int(), summary: z.string() }),
    effect: z.object({ group }),
    idsOf: (i) => [i.group_id],
  }),
};
