// Campaigns in the embedded workspace.
import type { z } from 'zod';
import type { campaign as campaignSchema } from '../../tools/campaign/campaigns.js';
import { campaigns } from '../../tools/campaign/campaigns.js';
import type { CAMPAIGN_STATUSES } from '../../tools/vocabulary.js';
import { WHERE } from '../../tools/hints.js';
import { implement, type Implemented } from '../implement.js';
import { escapeLike, getRow, pageQuery, Where } from '../shared.js';
import type { Workspace } from '../workspace.js';

export interface CampaignRow {
  campaign_id: string;
  name: string;
  objective: string;
  markets_json: string;
  platforms_json: string;
  status: string;
  created_at: string;
  updated_at: string;
}

type Campaign = z.input<typeof campaignSchema>;

export const toCampaign = (r: CampaignRow): Campaign => ({
  campaign_id: r.campaign_id,
  name: r.name,
  objective: r.objective,
  markets: JSON.parse(r.markets_json),
  platforms: JSON.parse(r.platforms_json),
  status: r.status as (typeof CAMPAIGN_STATUSES)[number],
  created_at: r.created_at,
  updated_at: r.updated_at,
});

export function loadCampaign(ws: Workspace, campaignIdValue: string): CampaignRow {
  return getRow<CampaignRow>(ws, 'campaigns', 'campaign_id', campaignIdValue, 'campaign', WHERE.campaign);
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

export const campaignImplementations = {
  list: implement(campaigns.list, {
    run: (ws, input) => {
      const like = `%${escapeLike(input.keyword ?? '')}%`;
      const w = new Where().maybe(input.keyword, `(name LIKE ? ESCAPE '\\' OR objective LIKE ? ESCAPE '\\')`, like, like).maybe(input.status, 'status = ?', input.status);
      return pageQuery<CampaignRow, Campaign>(ws, { select: '*', from: `FROM campaigns ${w.sql}`, order: 'created_at DESC, campaign_id', params: w.params }, input, toCampaign);
    },
  }),
  dropdown: implement(campaigns.dropdown, {
    run: (ws) => ({ items: ws.db.prepare('SELECT campaign_id, name, status FROM campaigns ORDER BY name, campaign_id').all() as { campaign_id: string; name: string; status: string }[] }),
  }),
  get: implement(campaigns.get, {
    run: (ws, input) => toCampaign(loadCampaign(ws, input.campaign_id)),
  }),
  dashboard: implement(campaigns.dashboard, {
    run: (ws, input) => ({ campaign: toCampaign(loadCampaign(ws, input.campaign_id)), counts: linkedCounts(ws, input.campaign_id) }),
  }),
  create: implement(campaigns.create, {
    run: (ws, input) => {
      const cid = ws.newId('cmp');
      const at = ws.now().toISOString();
      ws.db
        .prepare('INSERT INTO campaigns (campaign_id, name, objective, markets_json, platforms_json, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(cid, input.name, input.objective, JSON.stringify(input.markets), JSON.stringify(input.platforms), input.status, at, at);
      return toCampaign(loadCampaign(ws, cid));
    },
  }),
  update: implement(campaigns.update, {
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
  delete: implement(campaigns.delete, {
    // One reading serves the preview's effect and the apply: the campaign and what links to it.
    read: (ws, input) => ({ row: loadCampaign(ws, input.campaign_id), counts: linkedCounts(ws, input.campaign_id) }),
    state: ({ row, counts }) => ({ campaign: { updated_at: row.updated_at, status: row.status }, links: { collections: counts.collections, email_tasks: counts.email_tasks } }),
    effect: (_ws, _input, { row, counts }) => ({
      effect: { campaign: toCampaign(row), counts, will_unlink: { collections: counts.collections, email_tasks: counts.email_tasks } },
      summary: `Delete campaign "${row.name}" (${row.campaign_id}); ${counts.collections} collection(s) and ${counts.email_tasks} email task(s) keep their data but lose the link.`,
    }),
    run: (ws, input, _call, _loaded, { counts }) => {
      ws.db.prepare('DELETE FROM campaigns WHERE campaign_id = ?').run(input.campaign_id);
      return { deleted: true, campaign_id: input.campaign_id, unlinked_collections: counts.collections, unlinked_email_tasks: counts.email_tasks, summary: `Deleted campaign ${input.campaign_id}.` };
    },
  }),
} satisfies Implemented<typeof campaigns>;
