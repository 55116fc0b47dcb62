// The catalog: every operation of every domain, assembled into the toolsets the server exposes.
import { IDEMPOTENCY_KEY_RULE, type Catalog, type Operation } from '../src/catalog.js';
import { campaignOperations } from './campaign/index.js';
import { discoveryOperations } from './discovery/index.js';
import { collectionOperations } from './collection/index.js';
import { crmOperations } from './crm/index.js';
import { productOperations } from './product/index.js';
import { shortLinkOperations } from './short-link/index.js';
import { emailOperations } from './email/index.js';
import { messageOperations } from './message/index.js';
import { affiliationOperations } from './affiliation/index.js';
import { brandMonitorOperations } from './brand-monitor/index.js';
import { exportOperations } from './export/index.js';
import { guideResources, contextResourceTemplates, workflowPrompts, WORKFLOW_STEPS } from './guide.js';
import { SHARED_FIELDS, SHARED_FIELDS_NOTE } from './hints.js';

export const operations: Operation[] = [
  ...campaignOperations,
  ...discoveryOperations,
  ...collectionOperations,
  ...crmOperations,
  ...productOperations,
  ...shortLinkOperations,
  ...emailOperations,
  ...messageOperations,
  ...affiliationOperations,
  ...brandMonitorOperations,
  ...exportOperations,
];

const INSTRUCTIONS = `NoxInfluencer campaign workflows. Keep one working set moving through one campaign:
pick the campaign (campaign_list, campaign_get), find creators (creator_search) and keep reviewed ones in a collection
(collection_add_creators_preview then _apply), then run the grouped operations, CRM, email and message follow-up.
Ids are opaque: pass them through unchanged and never guess one.
${SHARED_FIELDS_NOTE}
Every high-side-effect change is two steps: call the *_preview tool, show the person its summary and effect, then call
the matching *_apply tool with exactly the same arguments plus the preview_token. Staged families also have *_validate.
An apply that was already done returns its recorded outcome with replayed: true; PREVIEW_STALE means the data changed
since the preview, so preview again.
${IDEMPOTENCY_KEY_RULE}
Files live in this server's files root: files_stage puts a client's file there
once and returns its path for any path field; files_list shows what is there; written files come back as resource_link
blocks that resources/read serves. Errors carry error_code, summary and action.hint: follow the hint.`;

const TOOLSET_PURPOSES: Record<string, string> = {
  campaign: 'the campaign anchor, its dashboard, and its context (what the workflow keeps stable, plus the journal of applied changes)',
  discovery: 'creator search and lookup, for `creator_id` values',
  collection: 'collections, add-creators, spreadsheet imports, staged refresh / batch move-copy-delete-label / add-to-CRM',
  crm: 'CRM channels, batch updates, labels, groups, add-to-email, imports',
  product: 'Product Center records and tags (email product cards)',
  short_link: 'normal Nox tracking links with click metrics',
  email: 'email tasks: content, sender, attachments, send / schedule, reports',
  email_recipients: 'who an email task reaches and who works on it: recipients, the recipient filter, collaborators',
  message: 'existing message threads: filters, replies, drafts, templates, attachments, archive',
  affiliation: 'Shopify affiliate campaigns, members, discount codes and tracking links',
  brand_monitor: 'monitored brands, for brand-monitor exports',
  export: 'collection, CRM and brand-monitor exports as files',
  // This server's own tools (src/server-tools.ts), not the catalog's; listed after it.
  files: "this server's files root: stage a client's file once for any path field, list what is there",
};

export const catalog: Catalog = {
  operations,
  instructions: INSTRUCTIONS,
  resources: guideResources,
  resourceTemplates: contextResourceTemplates,
  prompts: workflowPrompts,
  // The anchors every session starts from: the campaign, its recorded context, and creators.
  compactCore: ['campaign_list', 'campaign_get', 'campaign_context_get', 'creator_search'],
  workflowSteps: WORKFLOW_STEPS,
  toolsetPurposes: TOOLSET_PURPOSES,
  sharedFields: SHARED_FIELDS,
};
