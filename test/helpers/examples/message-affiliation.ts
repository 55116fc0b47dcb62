// Valid arguments for the high-risk tools of the message and affiliation domains, built from the
// seeded workspace (threads with drafts and files, a template file, affiliate campaigns and members).
import type { TestServer } from '../server.js';
import { buildXlsx } from '../../../src/spreadsheet.js';
import type { PreviewExamples } from './types.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');
const pendingThread = async (s: TestServer) => (await s.ok('message_list', { needs_reply: true, page_size: 100 })).items.find((t: any) => !t.scheduled_at && !t.has_draft).thread_id as string;
const threadWithFile = async (s: TestServer) => {
  for (const t of (await s.ok('message_list', { status: 'draft', business_kind: 'email_task', business_id: 'task_1820' })).items) {
    const files = await s.ok('message_attachments_list', { thread_id: t.thread_id });
    if (files.items.length) return { thread_id: t.thread_id as string, attachment_id: files.items[0].attachment_id as string };
  }
  throw new Error('no seeded thread attachment');
};
const members = async (s: TestServer, kind: 'pending' | 'active') => (await s.ok(`affiliation_members_${kind}`, { campaign_id: 'affc_001' })).items.map((m: any) => m.member_id as string);

export const previewExamples: PreviewExamples = {
  message_send: async (s) => ({ thread_id: await pendingThread(s), html_body: '<p>Thanks, here are the details.</p>' }),
  message_schedule: async (s) => ({ thread_id: await pendingThread(s), html_body: '<p>Following up.</p>', send_at: '2099-01-01T09:00:00+08:00' }),
  message_archive: async (s) => ({ thread_id: await pendingThread(s) }),
  message_attachments_upload: async (s) => ({ thread_id: await pendingThread(s), content_base64: b64('%PDF-1.4 brief'), filename: 'brief.pdf' }),
  message_attachments_delete: async (s) => threadWithFile(s),
  message_template_attachments_delete: async (s) => {
    const tpl = (await s.ok('message_templates_list', {})).items.find((t: any) => t.attachments.length > 0);
    return { template_id: tpl.template_id, attachment_id: tpl.attachments[0].attachment_id };
  },
  affiliation_campaigns_delete: async () => ({ campaign_id: 'affc_002' }),
  affiliation_members_add: async (s) => ({
    campaign_id: 'affc_001',
    creator_ids: (await s.ok('creator_search', { platform: 'instagram', page_size: 3 })).items.map((c: any) => c.creator_id),
    custom_ids: ['shop-partner-7'],
  }),
  affiliation_members_status: async (s) => ({ campaign_id: 'affc_001', member_ids: await members(s, 'pending'), action: 'activate' }),
  affiliation_members_delete: async (s) => ({ campaign_id: 'affc_001', member_ids: (await members(s, 'pending')).slice(0, 1) }),
  affiliation_members_import_file: async () => ({
    campaign_id: 'affc_001',
    content_base64: (await buildXlsx('members', ['custom_id'], [['salon-partner-100'], ['salon-partner-101']])).toString('base64'),
    filename: 'members.xlsx',
  }),
  affiliation_campaigns_export: async () => ({ campaign_id: 'affc_001', output_path: 'exports/affc_001-performance.xlsx' }),
};
