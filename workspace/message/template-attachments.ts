// Template attachments in the embedded workspace.
import { templateAttachments } from '../../tools/message/template-attachments.js';
import { implement, type Implemented } from '../implement.js';
import { attachmentsOf, checkRoom, deleteAttachment, download, loadAttachment, loadUpload, storeAttachment, toAttachmentOut } from './attachment-store.js';
import { loadTemplate, touchTemplate } from './templates.js';

export const templateAttachmentsImplementations = {
  list: implement(templateAttachments.list, {
    run: (ws, input) => {
      const tpl = loadTemplate(ws, input.template_id);
      return { template_id: tpl.template_id, items: attachmentsOf(ws, 'template', tpl.template_id) };
    },
  }),
  upload: implement(templateAttachments.upload, {
    load: (ws, input) => loadUpload(ws, input),
    run: (ws, input, _call, file) => {
      const tpl = loadTemplate(ws, input.template_id);
      checkRoom(ws, 'template', tpl.template_id);
      const att = storeAttachment(ws, 'template', tpl.template_id, file);
      touchTemplate(ws, tpl.template_id);
      return { template_id: tpl.template_id, attachment: att, summary: `Attached ${att.file_name} (${att.attachment_id}) to template ${tpl.template_id}.` };
    },
  }),
  download: implement(templateAttachments.download, {
    run: (ws, input) => {
      loadTemplate(ws, input.template_id);
      return download(ws, loadAttachment(ws, 'template', input.template_id, input.attachment_id, false), input.output_path);
    },
  }),
  delete: implement(templateAttachments.delete, {
    read: (ws, input) => {
      loadTemplate(ws, input.template_id);
      return loadAttachment(ws, 'template', input.template_id, input.attachment_id, false);
    },
    state: (attachment) => ({ attachment: attachment.attachment_id, owner: attachment.owner_id }),
    effect: (_ws, input, attachment) => ({
      effect: { template_id: input.template_id, attachment: toAttachmentOut(attachment) },
      summary: `Delete ${attachment.file_name} from template ${input.template_id}.`,
    }),
    run: (ws, input) => {
      deleteAttachment(ws, input.attachment_id);
      touchTemplate(ws, input.template_id);
      return { template_id: input.template_id, attachment_id: input.attachment_id, deleted: true, summary: `Deleted ${input.attachment_id} from template ${input.template_id}.` };
    },
  }),
} satisfies Implemented<typeof templateAttachments>;
