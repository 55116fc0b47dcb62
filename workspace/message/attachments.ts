// Thread attachments in the embedded workspace: the draft files of a thread's next reply.
import { attachments } from '../../tools/message/attachments.js';
import { implement, type Implemented } from '../implement.js';
import { sha256 } from '../shared.js';
import { attachmentsOf, checkRoom, deleteAttachment, download, loadAttachment, loadUpload, storeAttachment, toAttachmentOut } from './attachment-store.js';
import { clearSchedule, loadThread, touchThread } from './thread-store.js';

/** The preview's warning when the change also cancels the thread's scheduled reply. */
const cancelsSchedule = (scheduledAt: string | null) => (scheduledAt ? `; this cancels the reply scheduled for ${scheduledAt}` : '');

export const attachmentsImplementations = {
  list: implement(attachments.list, {
    run: (ws, input) => ({ thread_id: loadThread(ws, input.thread_id).thread_id, items: attachmentsOf(ws, 'thread', input.thread_id) }),
  }),
  upload: implement(attachments.upload, {
    load: (ws, input) => loadUpload(ws, input),
    // The room check is part of the reading, so an apply over the limit is refused before it writes.
    read: (ws, input, _call, file) => {
      const thread = loadThread(ws, input.thread_id);
      return { thread, existing: checkRoom(ws, 'thread', thread.thread_id), file };
    },
    state: ({ thread, existing }) => ({ attachments: existing.map((a) => a.attachment_id), scheduled_at: thread.scheduled_at }),
    effect: (_ws, _input, { thread, existing, file }) => ({
      effect: {
        thread_id: thread.thread_id,
        file_name: file.name,
        size: file.bytes.length,
        sha256: sha256(file.bytes),
        existing_count: existing.length,
        cancels_scheduled_send: thread.scheduled_at !== null,
        scheduled_at: thread.scheduled_at,
      },
      summary: `Attach ${file.name} to thread ${thread.thread_id}${cancelsSchedule(thread.scheduled_at)}.`,
    }),
    run: (ws, _input, _call, file, { thread }) => {
      const cancelled = clearSchedule(ws, thread);
      const att = storeAttachment(ws, 'thread', thread.thread_id, file);
      touchThread(ws, thread.thread_id);
      return {
        thread_id: thread.thread_id,
        attachment: att,
        cancelled_scheduled_send: cancelled,
        summary: `Attached ${att.file_name} (${att.attachment_id}) to ${thread.thread_id}${cancelled ? '; the scheduled reply was cancelled, schedule it again' : ''}.`,
      };
    },
  }),
  download: implement(attachments.download, {
    run: (ws, input) => {
      loadThread(ws, input.thread_id);
      return download(ws, loadAttachment(ws, 'thread', input.thread_id, input.attachment_id, true), input.output_path);
    },
  }),
  delete: implement(attachments.delete, {
    read: (ws, input) => {
      const thread = loadThread(ws, input.thread_id);
      return { thread, attachment: loadAttachment(ws, 'thread', thread.thread_id, input.attachment_id, false) };
    },
    state: ({ thread, attachment }) => ({ attachment: attachment.attachment_id, owner: attachment.owner_id, scheduled_at: thread.scheduled_at }),
    effect: (_ws, _input, { thread, attachment }) => ({
      effect: { thread_id: thread.thread_id, attachment: toAttachmentOut(attachment), cancels_scheduled_send: thread.scheduled_at !== null, scheduled_at: thread.scheduled_at },
      summary: `Delete ${attachment.file_name} from thread ${thread.thread_id}${cancelsSchedule(thread.scheduled_at)}.`,
    }),
    run: (ws, input, _call, _loaded, { thread }) => {
      const cancelled = clearSchedule(ws, thread);
      deleteAttachment(ws, input.attachment_id);
      touchThread(ws, thread.thread_id);
      return {
        thread_id: thread.thread_id,
        attachment_id: input.attachment_id,
        deleted: true,
        cancelled_scheduled_send: cancelled,
        summary: `Deleted ${input.attachment_id} from ${thread.thread_id}.`,
      };
    },
  }),
} satisfies Implemented<typeof attachments>;
