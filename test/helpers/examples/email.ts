// Valid arguments for the high-risk tools of the product, short link and email domains, built from
// the seeded workspace (task_1822 is an empty draft, task_1823 a ready draft, task_1824 scheduled).
import { buildXlsx } from '../../../src/spreadsheet.js';
import type { PreviewExamples } from './types.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const tomorrow = () => new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 + 26 * 3_600_000).toISOString().replace('.000Z', 'Z');

export const previewExamples: PreviewExamples = {
  product_delete: async () => ({ product_collect_id: 'pc_008' }),
  product_tag_delete: async (s) => ({ tag_ids: [(await s.ok('product_tags_list', {})).items[0].tag_id] }),
  short_link_delete: async () => ({ short_link_ids: ['sl_006'] }),
  email_delete: async () => ({ task_id: 'task_1822' }),
  email_recipients_replace: async () => ({ task_id: 'task_1823', recipients: [{ creator_id: 'cr_0001' }, { email_address: 'press@studio.example' }] }),
  email_recipients_import: async () => ({
    task_id: 'task_1822',
    content_base64: (await buildXlsx('Sheet1', ['creator_id'], [['cr_0002'], ['cr_0003']])).toString('base64'),
    filename: 'recipients.xlsx',
  }),
  email_collaborators_add: async () => ({ task_id: 'task_1823', user_uid: 'u_003', permission: 'view' }),
  email_collaborators_remove: async () => ({ task_id: 'task_1823', user_uid: 'u_004' }),
  email_collaborators_replace: async () => ({ task_id: 'task_1823', collaborators: [{ user_uid: 'u_003', permission: 'view' }] }),
  email_attachments_upload: async () => ({ task_id: 'task_1822', content_base64: b64('%PDF-1.4 brief'), filename: 'brief.pdf' }),
  email_attachments_delete: async (s) => ({ attachment_id: (await s.ok('email_attachments_list', { task_id: 'task_1824' })).items[0].attachment_id }),
  email_send: async () => ({ task_id: 'task_1823' }),
  email_schedule: async () => ({ task_id: 'task_1823', plan_send_at: tomorrow() }),
};
