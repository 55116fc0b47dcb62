// Files around an email task that are not its attachment: the recipient import's template, and
// public images for html_body (a URL in the body, never a file every recipient receives).
import { z } from 'zod';
import { defineContract } from '../../src/catalog.js';
import { templateContract } from '../imports.js';
import { imageFileFields, uploadedImage } from '../shared.js';

export const emailFiles = {
  importTemplate: templateContract({
    name: 'email.recipients_import_template',
    cli: 'email recipients import-template',
    title: 'Write the recipient import template',
    description: 'Writes the .xlsx template for email_recipients_import into the files root: one recipient per row by creator_id, platform + channel_id, or email.',
    path: '/email/recipients/import-template',
    defaultOutput: 'templates/email-recipients-import-template.xlsx',
  }),
  imageUpload: defineContract({
    name: 'file.image_upload',
    toolset: 'email',
    cli: 'file image upload',
    title: 'Upload an inline image',
    description: 'Uploads an image (png, jpg, webp, gif; ≤5 MB) and returns a public file_url to embed in html_body. Not an attachment.',
    kind: 'write',
    risk: 'low',
    riskReason: 'Uploads one public image and returns its URL; nothing existing changes.',
    route: { method: 'POST', path: '/files/images' },
    input: z.strictObject(imageFileFields()),
    output: uploadedImage,
    idsOf: (_i, o) => [o.file_id],
  }),
};
