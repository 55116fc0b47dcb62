// The recipient import template and inline images in the embedded workspace.
import { emailFiles } from '../../tools/email/files.js';
import { writeTemplate } from '../creator-import.js';
import { implement, type Implemented } from '../implement.js';
import { uploadPublicImage } from '../public-images.js';

// The column names loadImport recognises; one example row per way of naming a recipient.
const RECIPIENT_TEMPLATE_HEADER = ['creator_id', 'platform', 'channel_id', 'email'];
const RECIPIENT_TEMPLATE_ROWS = [
  ['<creator_id from creator_search>', '', '', ''],
  ['', 'youtube', 'UCxxxxxxxxxxxxxxxxxxxxxx', ''],
  ['', '', '', 'creator@example.com'],
];

export const emailFileImplementations = {
  importTemplate: writeTemplate(emailFiles.importTemplate, { sheet: 'Recipients', header: RECIPIENT_TEMPLATE_HEADER, rows: RECIPIENT_TEMPLATE_ROWS, what: 'email recipient' }),
  imageUpload: implement(emailFiles.imageUpload, { run: (ws, input) => uploadPublicImage(ws, input, 'inline_image') }),
} satisfies Implemented<typeof emailFiles>;
