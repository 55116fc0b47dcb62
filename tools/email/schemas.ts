// The email domain's shared nouns: a task (its list row and the full view email_get shows), the
// recipient filter, a recipient as given, and the sender, cards, attachment and collaborators a
// task holds. Family files add the schemas only they use.
import { z } from 'zod';
import { defineInToolset } from '../../src/catalog.js';
import { COLLABORATOR_PERMISSIONS, EMAIL_TASK_STATUSES, RECIPIENT_STATUSES } from '../vocabulary.js';
import { id, platform, idString, creatorIdString } from '../shared.js';

/**
 * Who a task reaches and who works on it (recipients, the recipient filter, collaborators) form
 * their own toolset: the whole email domain is more than one toolset's 4,000 tokens.
 */
export const defineRecipientsContract = defineInToolset('email_recipients');

export const MAX_RECIPIENTS = 5000;
export const MAX_PRODUCT_CARDS = 5;
export const ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024;
export const IMPORT_MAX_BYTES = 8 * 1024 * 1024;

// Described once, in the instructions (SHARED_FIELDS).
export const taskId = idString();

// ---------------------------------------------------------------------------------------------
// Recipient filter

export const FILTER_REASONS = ['no_email', 'already_contacted', 'in_crm', 'in_collection', 'in_other_task'] as const;

export const FILTER_DIMENSIONS = [
  { key: 'hide_contacted', type: 'boolean', description: 'Hide creators another task already emailed.' },
  { key: 'hide_in_crm', type: 'boolean', description: 'Hide creators already in the CRM.' },
  { key: 'hide_in_collection', type: 'collection_id', description: 'Hide creators in this collection (collection_list).' },
  { key: 'hide_in_other_task', type: 'task_id[]', description: 'Hide recipients of these tasks (email_recipient_filter_tasks).' },
];
const dim = (key: string): string => FILTER_DIMENSIONS.find((d) => d.key === key)!.description;

export const filterSchema = z.strictObject({
  hide_contacted: z.boolean().optional().describe(dim('hide_contacted')),
  hide_in_crm: z.boolean().optional().describe(dim('hide_in_crm')),
  hide_in_collection: id(dim('hide_in_collection')).optional(),
  hide_in_other_task: z.array(idString()).min(1).max(20).optional().describe(dim('hide_in_other_task')),
});
export type Filter = z.output<typeof filterSchema>;

export const filterEffect = z.object({
  pending_count: z.int().describe('Recipients not sent yet.'),
  will_send_count: z.int(),
  hidden_count: z.int(),
  hidden_by_reason: z.record(z.string(), z.int()).describe('no_email, already_contacted, in_crm, in_collection, in_other_task.'),
});

// ---------------------------------------------------------------------------------------------
// Recipients as given: {creator_id} | {platform, channel_id} | {email_address}

export const recipientInput = z
  .strictObject({
    creator_id: creatorIdString().optional(),
    platform: platform.optional(),
    channel_id: z.string().min(1).max(300).optional().describe('Platform channel id, with platform.'),
    email_address: z.string().min(3).max(254).optional().describe('Email address.'),
  })
  .describe('One of {creator_id}, {platform, channel_id}, {email_address}.');
export type RecipientInput = z.output<typeof recipientInput>;

export const recipientBrief = z.object({ creator_id: z.string().nullable(), platform: z.string().nullable(), channel_id: z.string().nullable(), email_address: z.string().nullable() });

// ---------------------------------------------------------------------------------------------
// What a task holds, and the task itself

export const sender = z.object({ sender_auth_id: z.string(), email: z.string(), name: z.string(), provider: z.string(), owner_uid: z.string() });
export const productCard = z.object({ product_collect_id: z.string(), title: z.string(), position: z.int() });
/** A card as the recipient sees it: what the approval sheet shows and binds. */
export const productCardDetail = productCard.extend({ link: z.string().nullable(), price: z.number().nullable(), currency: z.string(), thumbnail_url: z.string().nullable() });
export const attachment = z.object({ attachment_id: z.string(), task_id: z.string(), file_name: z.string(), size: z.int(), sha256: z.string(), created_at: z.string() });
export const collaborator = z.object({ user_uid: z.string(), name: z.string(), permission: z.enum(COLLABORATOR_PERMISSIONS) });
export const statusCounts = z.object(Object.fromEntries(RECIPIENT_STATUSES.map((s) => [s, z.int()])) as Record<(typeof RECIPIENT_STATUSES)[number], z.ZodInt>).extend({ total: z.int() });

/** What email_get shows: everything the approval needs. */
export const taskView = z.object({
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

export const listRow = z.object({
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
