// Message attachments as stored: thread draft files, files of sent messages, template files.
// Thread and template files have their own ids; one kind is refused on the other's tools.
import type { z } from 'zod';
import { invalid, notFound, ToolError } from '../../src/errors.js';
import type { LoadedFile } from '../../src/files.js';
import { MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS, type attachmentOut, type downloadOut } from '../../tools/message/schemas.js';
import { loadFile, sha256 } from '../shared.js';
import type { Workspace } from '../workspace.js';

export interface AttachmentRow {
  attachment_id: string;
  owner_kind: 'thread' | 'template' | 'message';
  owner_id: string;
  file_name: string;
  size: number;
  sha256: string;
  content: Buffer;
  created_at: string;
}

export type AttachmentOut = z.input<typeof attachmentOut>;
type FileOwner = 'thread' | 'template';

export function attachmentsOf(ws: Workspace, kind: AttachmentRow['owner_kind'], ownerId: string): AttachmentOut[] {
  return ws.db
    .prepare('SELECT attachment_id, file_name, size, created_at FROM message_attachments WHERE owner_kind = ? AND owner_id = ? ORDER BY created_at, rowid')
    .all(kind, ownerId) as AttachmentOut[];
}

export const toAttachmentOut = (a: AttachmentRow): AttachmentOut => ({ attachment_id: a.attachment_id, file_name: a.file_name, size: a.size, created_at: a.created_at });

/** One attachment of the owner; a thread's tools also reach the files its sent messages carried when allowSent. */
export function loadAttachment(ws: Workspace, kind: FileOwner, ownerId: string, attachmentId: string, allowSent: boolean): AttachmentRow {
  const row = ws.db.prepare('SELECT * FROM message_attachments WHERE attachment_id = ?').get(attachmentId) as AttachmentRow | undefined;
  const listTool = kind === 'thread' ? 'message_attachments_list or message_get' : 'message_templates_list';
  if (!row) throw notFound(`${kind} attachment`, attachmentId, `Attachment ids come from ${listTool}.`);
  const other = row.owner_kind === 'template' ? 'template' : 'thread';
  if (other !== kind) {
    throw invalid(
      `${attachmentId} is a ${other} attachment; ${kind} attachment tools take only ${kind} attachment ids.`,
      other === 'template' ? 'Use message_template_attachments_* with its template_id.' : 'Use message_attachments_* with its thread_id.',
    );
  }
  const owned =
    row.owner_kind === 'message' ? allowSent && ws.db.prepare('SELECT 1 FROM messages WHERE message_id = ? AND thread_id = ?').get(row.owner_id, ownerId) !== undefined : row.owner_id === ownerId;
  if (!owned) {
    if (row.owner_kind === 'message' && !allowSent) throw invalid(`${attachmentId} went out with a sent message and cannot be removed.`, 'Only draft files (message_attachments_list) can be deleted.');
    throw notFound(`attachment of ${kind} ${ownerId}`, attachmentId, `Attachment ids come from ${listTool}.`);
  }
  return row;
}

/** The owner's files, refusing when there is no room for one more. */
export function checkRoom(ws: Workspace, kind: FileOwner, ownerId: string): AttachmentOut[] {
  const existing = attachmentsOf(ws, kind, ownerId);
  if (existing.length >= MAX_ATTACHMENTS) {
    throw new ToolError('LIMIT_EXCEEDED', `${kind === 'thread' ? 'Thread' : 'Template'} ${ownerId} already has ${existing.length} attachments; at most ${MAX_ATTACHMENTS} are allowed.`, {
      hint: `Delete one first (message_${kind === 'thread' ? '' : 'template_'}attachments_delete_preview), then upload.`,
      details: { attachment_ids: existing.map((a) => a.attachment_id) },
    });
  }
  return existing;
}

export function storeAttachment(ws: Workspace, kind: FileOwner, ownerId: string, file: LoadedFile): AttachmentOut {
  const att = { attachment_id: ws.newId('matt'), file_name: file.name, size: file.bytes.length, created_at: ws.now().toISOString() };
  ws.db
    .prepare('INSERT INTO message_attachments (attachment_id, owner_kind, owner_id, file_name, size, sha256, content, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
    .run(att.attachment_id, kind, ownerId, file.name, file.bytes.length, sha256(file.bytes), file.bytes, att.created_at);
  return att;
}

export function deleteAttachment(ws: Workspace, attachmentId: string): void {
  ws.db.prepare('DELETE FROM message_attachments WHERE attachment_id = ?').run(attachmentId);
}

/** Reads the upload named by the file fields, outside the store transaction. */
export const loadUpload = (ws: Workspace, input: { path?: string | undefined; content_base64?: string | undefined; filename?: string | undefined }): Promise<LoadedFile> =>
  Promise.resolve(loadFile(ws, input, { maxBytes: MAX_ATTACHMENT_BYTES }));

export function download(ws: Workspace, att: AttachmentRow, path: string): z.input<typeof downloadOut> {
  const written = ws.files.writeOutput(path, att.content, false);
  return { attachment_id: att.attachment_id, file_name: att.file_name, path: written.path, bytes: written.bytes };
}
