// Campaign: the anchor of the working set (market, objective, scope).
import { z } from 'zod';
import { defineOperation } from '../src/catalog.js';
import type { Workspace } from '../src/backend/local/workspace.js';
import { CAMPAIGN_STATUSES, PLATFORMS } from '../src/backend/local/vocabulary.js';
import { escapeLike, getRow, id, pageInput, pageQuery, paged, Where, searchText } from './shared.js';

const HINT_ID = 'Campaign ids come from campaign_list or campaign_dropdown.';

interface CampaignRow {
  campaign_id: string;
  name: string;
  objective: string;
  markets_json: string;
  platforms_json: string;
  status: string;
  created_at: string;
  updated_at: string;
}

const campaign = z.object({
  campaign_id: z.string(),
  name: z.string(),
  objective: z.string(),
  markets: z.array(z.string()).describe('ISO 3166 country codes the campaign targets.'),
  platforms: z.array(z.string()),
  status: z.enum(CAMPAIGN_STATUSES),
  created_at: z.string(),
  updated_at: z.string(),
});

const toCampaign = (r: CampaignRow): z.input<typeof campaign> => ({
  campaign_id: r.campaign_id,
  name: r.name,
  objective: r.objective,
  markets: JSON.parse(r.markets_json),
  platforms: JSON.parse(r.platforms_json),
  status: r.status as (typeof CAMPAIGN_STATUSES)[number],
  created_at: r.created_at,
  updated_at: r.updated_at,
});

const campaignId = id(`The campaign's id. ${HINT_ID}`);
const market = z.string().regex(/^[A-Z]{2}$/, 'a two-letter upper-case country code such as US').describe('ISO 3166-1 alpha-2 country code.');
const fields = {
  name: z.string().trim().min(1).max(200).describe('Campaign name.'),
  objective: z.string().trim().min(1).max(2000).describe('The goal, in a sentence or two (kept in the campaign context).'),
  markets: z.array(market).max(50).describe('Target countries.'),
  platforms: z.array(z.enum(PLATFORMS)).max(3).describe('Platforms in scope.'),
  status: z.enum(CAMPAIGN_STATUSES).describe('draft, active, paused, completed or archived.'),
};

export function loadCampaign(ws: Workspace, campaignIdValue: string): CampaignRow {
  return getRow<CampaignRow>(ws, 'campaigns', 'campaign_id', campaignIdValue, 'campaign', HINT_ID);
}

function linkedCounts(ws: Workspace, cid: string) {
  const one = (sql: string) => (ws.db.prepare(sql).pluck().get(cid) as number) ?? 0;
  return {
    collections: one('SELECT COUNT(*) FROM collections WHERE campaign_id = ?'),
    collection_items: one('SELECT COUNT(*) FROM collection_items i JOIN collections c USING (collection_id) WHERE c.campaign_id = ?'),
    crm_channels: one(`SELECT COUNT(DISTINCT ch.creator_id) FROM crm_channels ch JOIN collection_items i ON i.creator_id = ch.creator_id
                       JOIN collections c ON c.collection_id = i.collection_id WHERE c.campaign_id = ? AND ch.archived = 0`),
    email_tasks: one('SELECT COUNT(*) FROM email_tasks WHERE campaign_id = ?'),
    threads_needing_reply: one(`SELECT COUNT(*) FROM message_threads t JOIN email_tasks e ON t.business_kind = 'email_task' AND t.business_id = e.task_id
                                WHERE e.campaign_id = ? AND t.needs_reply = 1 AND t.archived = 0`),
    exports: one('SELECT COUNT(*) FROM exports WHERE campaign_id = ?'),
  };
}

const counts = z.object({
  collections: z.int(),
  collection_items: z.int(),
  crm_channels: z.int().describe('Active CRM channels of creators in the campaign collections.'),
  email_tasks: z.int(),
  threads_needing_reply: z.int().describe('Threads of the campaign email tasks with needs_reply true.'),
  exports: z.int(),
});

export const campaignOperations = [
  defineOperation({
    name: 'campaign.list',
    toolset: 'campaign',
    title: 'List campaigns',
    description: 'Lists campaigns, newest first, optionally filtered by a keyword in the name or objective and by status. Start here to pick the campaign anchor.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/campaigns' },
    input: z.strictObject({
      keyword: searchText(200).optional().describe('Matches name or objective, case-insensitive.'),
      status: z.enum(CAMPAIGN_STATUSES).optional().describe('Only campaigns in this status.'),
      ...pageInput,
    }),
    output: paged(campaign),
    run: (ws, input) => {
      const like = `%${escapeLike(input.keyword ?? '')}%`;
      const w = new Where()
        .maybe(input.keyword, `(name LIKE ? ESCAPE '\\' OR objective LIKE ? ESCAPE '\\')`, like, like)
        .maybe(input.status, 'status = ?', input.status);
      return pageQuery<CampaignRow, z.input<typeof campaign>>(
        ws,
        { select: '*', from: `FROM campaigns ${w.sql}`, order: 'created_at DESC, campaign_id', params: w.params },
        input,
        toCampaign,
      );
    },
  }),
  defineOperation({
    name: 'campaign.dropdown',
    toolset: 'campaign',
    title: 'Campaign names and ids',
    description: 'Every campaign as a short {campaign_id, name, status} list, for choosing a campaign id.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/campaigns/dropdown' },
    input: z.strictObject({}),
    output: z.object({ items: z.array(z.object({ campaign_id: z.string(), name: z.string(), status: z.string() })) }),
    run: (ws) => ({ items: ws.db.prepare('SELECT campaign_id, name, status FROM campaigns ORDER BY name, campaign_id').all() as { campaign_id: string; name: string; status: string }[] }),
  }),
  defineOperation({
    name: 'campaign.get',
    toolset: 'campaign',
    title: 'Get a campaign',
    description: 'One campaign: name, objective, markets, platforms and status.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/campaigns/:campaign_id' },
    input: z.strictObject({ campaign_id: campaignId }),
    output: campaign,
    run: (ws, input) => toCampaign(loadCampaign(ws, input.campaign_id)),
  }),
  defineOperation({
    name: 'campaign.dashboard',
    toolset: 'campaign',
    title: 'Campaign dashboard',
    description: 'Counts for one campaign: collections and their creators, CRM channels, email tasks, threads that need a reply, exports.',
    kind: 'read',
    risk: 'low',
    route: { method: 'GET', path: '/campaigns/:campaign_id/dashboard' },
    input: z.strictObject({ campaign_id: campaignId }),
    output: z.object({ campaign: campaign, counts }),
    run: (ws, input) => ({ campaign: toCampaign(loadCampaign(ws, input.campaign_id)), counts: linkedCounts(ws, input.campaign_id) }),
  }),
  defineOperation({
    name: 'campaign.create',
    toolset: 'campaign',
    title: 'Create a campaign',
    description: 'Creates a campaign anchor with a name, objective, target markets and platforms; returns its campaign_id.',
    kind: 'write',
    risk: 'low',
    route: { method: 'POST', path: '/campaigns' },
    input: z.strictObject({ ...fields, markets: fields.markets.default([]), platforms: fields.platforms.default([]), status: fields.status.default('draft') }),
    output: campaign,
    idsOf: (_i, o) => [o.campaign_id],
    campaignOf: (_i, o) => o.campaign_id,
    run: (ws, input) => {
      const cid = ws.newId('cmp');
      const at = ws.now().toISOString();
      ws.db
        .prepare('INSERT INTO campaigns (campaign_id, name, objective, markets_json, platforms_json, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(cid, input.name, input.objective, JSON.stringify(input.markets), JSON.stringify(input.platforms), input.status, at, at);
      return toCampaign(loadCampaign(ws, cid));
    },
  }),
  defineOperation({
    name: 'campaign.update',
    toolset: 'campaign',
    title: 'Update a campaign',
    description: 'Changes the given fields of one campaign; omitted fields stay as they are.',
    kind: 'write',
    risk: 'low',
    route: { method: 'PATCH', path: '/campaigns/:campaign_id' },
    hints: { idempotent: true },
    input: z.strictObject({
      campaign_id: campaignId,
      name: fields.name.optional(),
      objective: fields.objective.optional(),
      markets: fields.markets.optional(),
      platforms: fields.platforms.optional(),
      status: fields.status.optional(),
    }),
    output: campaign,
    idsOf: (i) => [i.campaign_id],
    run: (ws, input) => {
      const row = loadCampaign(ws, input.campaign_id);
      const next = {
        name: input.name ?? row.name,
        objective: input.objective ?? row.objective,
        markets_json: input.markets ? JSON.stringify(input.markets) : row.markets_json,
        platforms_json: input.platforms ? JSON.stringify(input.platforms) : row.platforms_json,
        status: input.status ?? row.status,
      };
      ws.db
        .prepare('UPDATE campaigns SET name = ?, objective = ?, markets_json = ?, platforms_json = ?, status = ?, updated_at = ? WHERE campaign_id = ?')
        .run(next.name, next.objective, next.markets_json, next.platforms_json, next.status, ws.now().toISOString(), input.campaign_id);
      return toCampaign(loadCampaign(ws, input.campaign_id));
    },
  }),
  defineOperation({
    name: 'campaign.delete',
    toolset: 'campaign',
    title: 'Delete a campaign',
    description: 'Deletes one campaign. Its collections and email tasks are kept and only lose the campaign link; the campaign context is removed.',
    kind: 'write',
    risk: 'high',
    confirm: true,
    route: { method: 'DELETE', path: '/campaigns/:campaign_id' },
    input: z.strictObject({ campaign_id: campaignId }),
    output: z.object({ deleted: z.boolean(), campaign_id: z.string(), unlinked_collections: z.int(), unlinked_email_tasks: z.int(), summary: z.string() }),
    idsOf: (i) => [i.campaign_id],
    preview: {
      effect: z.object({ campaign: campaign, counts, will_unlink: z.object({ collections: z.int(), email_tasks: z.int() }) }),
      read: (ws, input) => {
        const row = loadCampaign(ws, input.campaign_id);
        const c = linkedCounts(ws, input.campaign_id);
        return {
          effect: { campaign: toCampaign(row), counts: c, will_unlink: { collections: c.collections, email_tasks: c.email_tasks } },
          state: { campaign: { updated_at: row.updated_at, status: row.status }, links: { collections: c.collections, email_tasks: c.email_tasks } },
          summary: `Delete campaign "${row.name}" (${row.campaign_id}); ${c.collections} collection(s) and ${c.email_tasks} email task(s) keep their data but lose the link.`,
        };
      },
    },
    run: (ws, input) => {
      const c = linkedCounts(ws, input.campaign_id);
      ws.db.prepare('DELETE FROM campaigns WHERE campaign_id = ?').run(input.campaign_id);
      return { deleted: true, campaign_id: input.campaign_id, unlinked_collections: c.collections, unlinked_email_tasks: c.email_tasks, summary: `Deleted campaign ${input.campaign_id}.` };
    },
  }),
];
