// CRM channels one at a time: list, get, update (which may create the channel), restore.
// Rule of the real system: a coop-status or label change auto-creates a missing channel for a
// valid creator (label-only changes give it the default status); owner-, email-, remark-, url-,
// group- and archive-only changes need an existing channel, and a missing one is a listed failure.
import { z } from 'zod';
import { defineContract } from '../../src/catalog.js';
import { coopStatusValue, EMAIL_RE, httpUrlValue, id, pageInputOf, paged, platform, searchText, idString, creatorIdString } from '../shared.js';

export const coopStatus = coopStatusValue;
const channelCreatorId = creatorIdString();
/** Label or group ids of a filter or a whole set. */
const tagIdList = (d: string) => z.array(idString()).max(50).describe(d);

export const channel = z.object({
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

export const channels = {
  list: defineContract({
    name: 'crm.list',
    title: 'List CRM channels',
    description: 'Lists CRM channels, newest change first, with coop status, labels, groups and owner.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/crm' },
    input: z.strictObject({
      label_ids: tagIdList('Any of these labels.').optional(),
      coop_status: coopStatus.optional(),
      owner_uid: id('Owner user_uid.').optional(),
      group_id: idString().optional(),
      platform: platform.optional(),
      archived: z.boolean().default(false).describe('true: archived channels instead.'),
      keyword: searchText(200).optional().describe('Matches nickname, channel id, email or remark.'),
      ...pageInputOf(15),
    }),
    output: paged(channel),
  }),
  get: defineContract({
    name: 'crm.get',
    title: 'Get a CRM channel',
    description: "One creator's CRM channel: coop status, labels, groups, owner, contact data, remark.",
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/crm/:creator_id' },
    input: z.strictObject({ creator_id: channelCreatorId }),
    output: channel,
  }),
  update: defineContract({
    name: 'crm.update',
    title: 'Update a CRM channel',
    description: "Updates one creator's CRM channel; coop_status or label_ids create a missing one, other fields alone need an existing one.",
    kind: 'write',
    risk: 'high',
    riskReason: 'The CRM is shared with teammates: changes status, labels, groups, owner or contact data, and may create the channel (the CRM docs require approval for update).',
    hints: { destructive: false },
    route: { method: 'PATCH', path: '/crm/:creator_id' },
    input: z.strictObject({
      creator_id: channelCreatorId,
      coop_status: coopStatus.optional(),
      label_ids: tagIdList('Whole new label set.').optional(),
      group_ids: tagIdList('Whole new group set.').optional(),
      owner_uid: id('Owner user_uid; null clears.').nullable().optional(),
      email: z.string().regex(EMAIL_RE, 'an email address').max(320).nullable().optional().describe('Contact email; null clears.'),
      url: httpUrlValue(2000).nullable().optional().describe('Channel or contact URL; null clears.'),
      remark: z.string().max(2000).optional().describe('Free-text note.'),
    }),
    output: channel.extend({ created: z.boolean().describe('True when this change created the channel.'), summary: z.string() }),
    effect: z.object({
      channel: channel.nullable().describe('The channel as it is now; null when apply creates it.'),
      will_create: z.boolean(),
      changes: z.array(z.object({ field: z.string(), before: z.unknown(), after: z.unknown() })).describe('Each field apply changes, before and after.'),
    }),
    idsOf: (i) => [i.creator_id],
  }),
  restore: defineContract({
    name: 'crm.restore',
    title: 'Restore an archived CRM channel',
    description: 'Brings one archived CRM channel back (crm_list archived: true lists them).',
    kind: 'write',
    risk: 'high',
    riskReason: "Brings a channel back into the team's active CRM list (the CRM docs require approval for restore).",
    hints: { destructive: false },
    route: { method: 'POST', path: '/crm/:creator_id/restore' },
    input: z.strictObject({ creator_id: channelCreatorId }),
    output: channel.extend({ restored: z.boolean().describe('False when it was not archived.'), summary: z.string() }),
    effect: z.object({ channel, will_restore: z.boolean().describe('False when it is not archived (apply changes nothing).') }),
    idsOf: (i) => [i.creator_id],
  }),
};
