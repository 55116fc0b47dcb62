// Schemas more than one message family uses: ids, reply bodies, the thread and attachment shapes.
import { z } from 'zod';
import { MESSAGE_DIRECTIONS } from '../vocabulary.js';
import { fileFields, idString } from '../shared.js';

export const MAX_ATTACHMENTS = 2;
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

// Described once, in the instructions (SHARED_FIELDS).
export const threadId = idString();
export const templateId = idString();
export const htmlBody = z.string().max(100_000).describe('HTML with visible text.');
export const ownerUids = z.array(idString()).min(1).max(50).optional().describe('Task owners (message_creator_filters).');

export const attachmentOut = z.object({ attachment_id: z.string(), file_name: z.string(), size: z.int(), created_at: z.string() });
export const uploadFields = fileFields(MAX_ATTACHMENT_BYTES);
export const downloadOut = z.object({ attachment_id: z.string(), file_name: z.string(), path: z.string().describe('Written file, relative to the files root.'), bytes: z.int() });
// What output_path is, is said once, in the instructions (SHARED_FIELDS).
export const outputPath = z.string().min(1).max(1024);

export const threadOut = z.object({
  thread_id: z.string(),
  creator_id: z.string(),
  nickname: z.string(),
  platform: z.string(),
  channel_url: z.string(),
  project_id: z.string().describe('<business_kind>:<business_id>, for the project_ids filter.'),
  project_name: z.string().nullable(),
  business_kind: z.string(),
  business_id: z.string(),
  owner_uid: z.string().describe('user_uid of the task owner.'),
  subject: z.string(),
  needs_reply: z.boolean().describe('The thread is pending: decide follow-up from this, not from unread.'),
  last_message_direction: z.enum(MESSAGE_DIRECTIONS),
  pending_reason: z.string().nullable(),
  unread: z.boolean(),
  label_ids: z.array(z.string()),
  coop_status: z.string().nullable(),
  has_draft: z.boolean(),
  scheduled_at: z.string().nullable(),
  archived: z.boolean(),
  last_message_at: z.string().nullable(),
  updated_at: z.string(),
});
