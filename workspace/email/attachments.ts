// Email attachments in the embedded workspace.
import { ToolError } from '../../src/errors.js';
import type { InputRules } from '../../src/files.js';
import { WHERE } from '../../tools/hints.js';
import { attachments } from '../../tools/email/attachments.js';
import { ATTACHMENT_MAX_BYTES } from '../../tools/email/schemas.js';
import { implement, type Implemented } from '../implement.js';
import { getRow, loadFile, sha256 } from '../shared.js';
import type { Workspace } from '../workspace.js';
import { attachmentOf, cancelScheduleJobs, loadTask, touch, type AttachmentRow, type TaskRow } from './task-store.js';

const ATTACHMENT_RULES: InputRules = { maxBytes: ATTACHMENT_MAX_BYTES };

const loadAttachment = (ws: Workspace, attachmentId: string) =>
  getRow<AttachmentRow & { content: Buffer }>(ws, 'email_attachments', 'attachment_id', attachmentId, 'email attachment', WHERE.emailAttachment);

/** A task whose attachment may still change: not sending or sent. */
function attachableTask(ws: Workspace, taskId: string): TaskRow {
  const t = loadTask(ws, taskId);
  if (t.status === 'sending' || t.status === 'sent')
    throw new ToolError('CONFLICT', `Email task ${taskId} is ${t.status}; its attachment can no longer change.`, { hint: 'Create a new task for another send.' });
  return t;
}

/** An attachment change on a scheduled task: the schedule is cancelled and the task is a draft again. */
function unschedule(ws: Workspace, t: TaskRow): boolean {
  if (t.status !== 'scheduled') return false;
  cancelScheduleJobs(ws, t.task_id);
  ws.db.prepare(`UPDATE email_tasks SET status = 'draft', plan_send_at = NULL WHERE task_id = ?`).run(t.task_id);
  return true;
}

const cancelNotice = (t: TaskRow): string => (t.status === 'scheduled' ? ` This CANCELS the send scheduled for ${t.plan_send_at}: the task returns to draft and must be scheduled again.` : '');
const cancelledNotice = (cancelled: boolean): string => (cancelled ? ' The schedule was cancelled: read the task back and schedule it again.' : '');

export const attachmentImplementations = {
  list: implement(attachments.list, {
    run: (ws, input) => {
      loadTask(ws, input.task_id);
      return {
        task_id: input.task_id,
        items: ws.db.prepare('SELECT attachment_id, task_id, file_name, size, sha256, created_at FROM email_attachments WHERE task_id = ? ORDER BY created_at').all(input.task_id) as AttachmentRow[],
      };
    },
  }),
  upload: implement(attachments.upload, {
    load: async (ws, input) => loadFile(ws, input, ATTACHMENT_RULES),
    read: (ws, input, _call, file) => {
      const task = attachableTask(ws, input.task_id);
      const existing = attachmentOf(ws, task.task_id);
      if (existing) {
        throw new ToolError('LIMIT_EXCEEDED', `Task ${task.task_id} already has an attachment (${existing.file_name}, ${existing.attachment_id}); at most 1 per task.`, {
          hint: 'Delete it with email_attachments_delete_preview/_apply first, then upload.',
        });
      }
      return { task, fileName: file.name, size: file.bytes.length, digest: sha256(file.bytes) };
    },
    state: ({ task, digest }) => ({ status: task.status, plan_send_at: task.plan_send_at, attachment: null, file: digest }),
    effect: (_ws, _input, { task, fileName, size, digest }) => ({
      effect: { task_id: task.task_id, file_name: fileName, size, sha256: digest, will_cancel_schedule: task.status === 'scheduled', plan_send_at: task.plan_send_at },
      summary: `Attach ${fileName} (${size} bytes) to ${task.task_id}.${cancelNotice(task)}`,
    }),
    run: (ws, _input, _call, file, { task, digest }) => {
      ws.db
        .prepare('INSERT INTO email_attachments (attachment_id, task_id, file_name, size, sha256, content, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(ws.newId('eatt'), task.task_id, file.name, file.bytes.length, digest, file.bytes, ws.now().toISOString());
      const cancelled = unschedule(ws, task);
      touch(ws, task.task_id);
      return {
        attachment: attachmentOf(ws, task.task_id)!,
        schedule_cancelled: cancelled,
        status: loadTask(ws, task.task_id).status,
        summary: `Attached ${file.name} to ${task.task_id}.${cancelledNotice(cancelled)}`,
      };
    },
  }),
  download: implement(attachments.download, {
    run: (ws, input) => {
      const a = loadAttachment(ws, input.attachment_id);
      const out = ws.files.writeOutput(input.output_path, a.content, false);
      return { attachment_id: a.attachment_id, file_name: a.file_name, path: out.path, bytes: out.bytes, sha256: a.sha256 };
    },
  }),
  delete: implement(attachments.delete, {
    read: (ws, input) => {
      const a = getRow<AttachmentRow>(ws, 'email_attachments', 'attachment_id', input.attachment_id, 'email attachment', WHERE.emailAttachment);
      return { attachment: a, task: attachableTask(ws, a.task_id) };
    },
    state: ({ attachment, task }) => ({ status: task.status, plan_send_at: task.plan_send_at, attachment: attachment.sha256 }),
    effect: (_ws, _input, { attachment: a, task }) => ({
      effect: {
        attachment: { attachment_id: a.attachment_id, task_id: a.task_id, file_name: a.file_name, size: a.size, sha256: a.sha256, created_at: a.created_at },
        will_cancel_schedule: task.status === 'scheduled',
        plan_send_at: task.plan_send_at,
      },
      summary: `Delete ${a.file_name} from ${task.task_id}.${cancelNotice(task)}`,
    }),
    run: (ws, _input, _call, _loaded, { attachment: a, task }) => {
      ws.db.prepare('DELETE FROM email_attachments WHERE attachment_id = ?').run(a.attachment_id);
      const cancelled = unschedule(ws, task);
      touch(ws, task.task_id);
      return {
        deleted: true,
        attachment_id: a.attachment_id,
        task_id: task.task_id,
        schedule_cancelled: cancelled,
        status: loadTask(ws, task.task_id).status,
        summary: `Deleted ${a.file_name} from ${task.task_id}.${cancelledNotice(cancelled)}`,
      };
    },
  }),
} satisfies Implemented<typeof attachments>;
