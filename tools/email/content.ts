// What an email task says: subject, bodies, embedded short links and product cards.
import { z } from 'zod';
import { defineContract } from '../../src/catalog.js';
import { idString } from '../shared.js';
import { MAX_PRODUCT_CARDS, productCardDetail, taskId, taskView } from './schemas.js';

export const content = {
  save: defineContract({
    name: 'email.content_save',
    cli: 'email content save',
    title: 'Save email content',
    description: 'Saves the content of a draft task; omitted fields are kept.',
    kind: 'write',
    risk: 'low',
    riskReason: "Saves a draft task's subject and body; reversible, nothing is sent.",
    hints: { idempotent: true },
    route: { method: 'PUT', path: '/email/tasks/:task_id/content' },
    input: z.strictObject({
      task_id: taskId,
      subject: z.string().trim().min(1).max(300).optional().describe('Email subject.'),
      html_body: z.string().max(200_000).optional().describe('HTML body with visible text.'),
      text_body: z.string().max(200_000).optional().describe('Plain-text body.'),
      product_collect_ids: z.array(idString()).max(MAX_PRODUCT_CARDS).optional().describe('Product cards in order ([] clears).'),
      short_links: z.array(z.string().min(1).max(2048)).max(20).optional().describe('short_link_id or short_url values (short_link_list), embedded if the body lacks them.'),
    }),
    output: taskView.extend({ embedded_short_links: z.array(z.string()).describe('URLs appended to the body by this call.') }),
    idsOf: (i) => [i.task_id],
  }),
  products: defineContract({
    name: 'email.products_list',
    cli: 'email products list',
    title: 'List product cards',
    description: 'The product cards of a task, in order, with the product details.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/email/tasks/:task_id/products' },
    input: z.strictObject({ task_id: taskId }),
    output: z.object({ task_id: z.string(), items: z.array(productCardDetail) }),
  }),
};
