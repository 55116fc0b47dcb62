// completion/complete: prompt arguments (campaign_id, task_id) and the campaign context template's
// campaign_id are completed from the workspace, through the catalog's own reads.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
let campaigns: { campaign_id: string; name: string }[];
beforeAll(async () => {
  s = await startServer();
  campaigns = (await s.ok('campaign_dropdown', {})).items;
});
afterAll(() => s.close());

const complete = (ref: { type: 'ref/prompt'; name: string } | { type: 'ref/resource'; uri: string }, name: string, value: string, context?: Record<string, string>) =>
  s.client.complete({ ref, argument: { name, value }, ...(context ? { context: { arguments: context } } : {}) }).then((r) => r.completion.values);

describe('completions', () => {
  it('declares the capability', () => {
    expect(s.client.getServerCapabilities()?.completions).toBeDefined();
  });

  it('completes campaign ids in both prompts and the context template, by id prefix or name', async () => {
    const all = campaigns.map((c) => c.campaign_id).sort();
    expect(all.length).toBeGreaterThan(1);
    for (const ref of [
      { type: 'ref/prompt' as const, name: 'run_campaign_workflow' },
      { type: 'ref/prompt' as const, name: 'follow_up_replies' },
      { type: 'ref/resource' as const, uri: 'nox://campaigns/{campaign_id}/context' },
    ]) {
      expect((await complete(ref, 'campaign_id', '')).sort()).toEqual(all);
      const first = campaigns[0]!;
      expect(await complete(ref, 'campaign_id', first.campaign_id)).toEqual([first.campaign_id]);
      const word = first.name.split(/\s+/)[0]!.toUpperCase();
      expect(await complete(ref, 'campaign_id', word)).toContain(first.campaign_id);
      expect(await complete(ref, 'campaign_id', 'zz-no-such-campaign')).toEqual([]);
    }
  });

  it('completes task ids, within the campaign already chosen', async () => {
    const ref = { type: 'ref/prompt' as const, name: 'follow_up_replies' };
    const tasks = (await s.ok('email_list', { page_size: 100 })).items as { task_id: string; campaign_id: string | null }[];
    expect((await complete(ref, 'task_id', '')).sort()).toEqual(tasks.map((t) => t.task_id).sort());
    const withCampaign = tasks.find((t) => t.campaign_id)!;
    const inCampaign = tasks
      .filter((t) => t.campaign_id === withCampaign.campaign_id)
      .map((t) => t.task_id)
      .sort();
    expect((await complete(ref, 'task_id', '', { campaign_id: withCampaign.campaign_id! })).sort()).toEqual(inCampaign);
    expect(inCampaign.length).toBeLessThan(tasks.length);
  });

  it('suggests nothing for an argument without a completer', async () => {
    expect(await complete({ type: 'ref/prompt', name: 'run_campaign_workflow' }, 'goal', 'x')).toEqual([]);
  });
});
