// The preview-token protocol end to end through an MCP client, on collection_add_creators.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { startServer, testBackend, workspaceChecksum, type TestServer } from '../helpers/server.js';

let s: TestServer;
let collectionId: string;
let otherCollectionId: string;
let newCreators: string[];

beforeAll(async () => {
  s = await startServer();
  const cols = await s.ok('collection_list', { page_size: 10 });
  collectionId = cols.items[0].collection_id;
  otherCollectionId = cols.items[1].collection_id;
  const present = await s.ok('collection_items', { collection_id: collectionId, platform: 'youtube', page_size: 100 });
  const presentIds = new Set(present.items.map((i: any) => i.creator_id));
  const found = await s.ok('creator_search', { platform: 'youtube', page_size: 100 });
  newCreators = found.items
    .map((c: any) => c.creator_id)
    .filter((id: string) => !presentIds.has(id))
    .slice(0, 5);
  expect(newCreators.length).toBe(5);
});
afterAll(() => s.close());

const itemCount = async (cid: string) => (await s.ok('collection_items', { collection_id: cid, platform: 'youtube', page_size: 1 })).total as number;

describe('preview tokens through the MCP client', () => {
  it('refuses an apply without a token, naming the preview tool', async () => {
    const e = await s.err('collection_add_creators_apply', { collection_ids: [collectionId], platform: 'youtube', creator_ids: newCreators });
    expect(e.error_code).toBe('PREVIEW_REQUIRED');
    expect(e.action?.hint).toContain('collection_add_creators_preview');
  });

  it('previews without writing and returns a token with an expiry', async () => {
    const before = workspaceChecksum(s.workspaceDb);
    const p = await s.ok('collection_add_creators_preview', { collection_ids: [collectionId], platform: 'youtube', creator_ids: newCreators });
    expect(p.preview_token).toMatch(/^nxp1\./);
    expect(Date.parse(p.expires_at)).toBeGreaterThan(Date.now());
    expect(p.effect.will_add_count).toBe(5);
    expect(p.effect.already_present_count).toBe(0);
    expect(workspaceChecksum(s.workspaceDb)).toBe(before);
  });

  it('refuses a forged token', async () => {
    const args = { collection_ids: [collectionId], platform: 'youtube', creator_ids: newCreators };
    const p = await s.ok('collection_add_creators_preview', args);
    const forged = p.preview_token.slice(0, -3) + (p.preview_token.endsWith('AAA') ? 'BBB' : 'AAA');
    expect((await s.err('collection_add_creators_apply', { ...args, preview_token: forged })).error_code).toBe('PREVIEW_INVALID');
    expect((await s.err('collection_add_creators_apply', { ...args, preview_token: 'nxp1.made-up' })).error_code).toBe('PREVIEW_INVALID');
  });

  it('refuses changed arguments, naming the fields that differ', async () => {
    const args = { collection_ids: [collectionId], platform: 'youtube', creator_ids: newCreators };
    const p = await s.ok('collection_add_creators_preview', args);
    const e = await s.err('collection_add_creators_apply', { ...args, creator_ids: newCreators.slice(0, 4), preview_token: p.preview_token });
    expect(e.error_code).toBe('PREVIEW_MISMATCH');
    expect(e.details?.differing_fields).toEqual(['creator_ids[4]']);
  });

  it('applies the same arguments in another key order, once; a repeat replays the outcome', async () => {
    const before = await itemCount(collectionId);
    const p = await s.ok('collection_add_creators_preview', { collection_ids: [collectionId], platform: 'youtube', creator_ids: newCreators });
    const reordered = { preview_token: p.preview_token, creator_ids: newCreators, platform: 'youtube', collection_ids: [collectionId] };
    const a = await s.ok('collection_add_creators_apply', reordered);
    expect(a.replayed).toBe(false);
    expect(a.result.added_count).toBe(5);
    expect(await itemCount(collectionId)).toBe(before + 5);

    const checksum = workspaceChecksum(s.workspaceDb);
    const again = await s.ok('collection_add_creators_apply', reordered);
    expect(again.replayed).toBe(true);
    expect(again.result).toEqual(a.result);
    expect(workspaceChecksum(s.workspaceDb)).toBe(checksum);
    expect(await itemCount(collectionId)).toBe(before + 5);
  });

  it('refuses a preview made stale by a change to the collection, and writes nothing', async () => {
    const others = (await s.ok('creator_search', { platform: 'youtube', page: 2, page_size: 50 })).items.map((c: any) => c.creator_id);
    const present = new Set((await s.ok('collection_items', { collection_id: otherCollectionId, platform: 'youtube', page_size: 100 })).items.map((i: any) => i.creator_id));
    const fresh = others.filter((id: string) => !present.has(id)).slice(0, 3);
    const args = { collection_ids: [otherCollectionId], platform: 'youtube', creator_ids: fresh };
    const p = await s.ok('collection_add_creators_preview', args);
    // Someone adds one of the same creators in between.
    await s.previewApply('collection_add_creators', { ...args, creator_ids: [fresh[0]] });
    const checksum = workspaceChecksum(s.workspaceDb);
    const e = await s.err('collection_add_creators_apply', { ...args, preview_token: p.preview_token });
    expect(e.error_code).toBe('PREVIEW_STALE');
    // The local and http backends name the part of their state that changed; the cli backend's
    // state is the CLI's dry-run report (docs/cli-backend.md), which is what it names.
    expect(e.summary).toContain(testBackend === 'cli' ? 'dry_run' : 'present');
    expect(workspaceChecksum(s.workspaceDb)).toBe(checksum);
  });

  it('answers malformed input with a structured error and stays up', async () => {
    const e = await s.err('collection_add_creators_preview', { collection_ids: 'not-a-list', platform: 'myspace', extra: { __proto__: 1 } });
    expect(e.error_code).toBe('INVALID_REQUEST');
    expect((e.details?.issues as any[]).map((i) => i.field)).toEqual(expect.arrayContaining(['collection_ids', 'platform']));
    const unknown = await s.err('no_such_tool', {});
    expect(unknown.error_code).toBe('TOOL_DISABLED');
    expect((await s.ok('campaign_list', {})).total).toBeGreaterThan(0);
  });

  it('refuses an expired token', async () => {
    let now = Date.now();
    const t = await startServer({ now: () => new Date(now), argv: ['--preview-ttl', '60'] });
    try {
      const cols = await t.ok('collection_list', {});
      const p = await t.ok('collection_delete_preview', { collection_id: cols.items[0].collection_id });
      now += 61_000;
      const e = await t.err('collection_delete_apply', { collection_id: cols.items[0].collection_id, preview_token: p.preview_token });
      expect(e.error_code).toBe('PREVIEW_EXPIRED');
      expect((await t.ok('collection_get', { collection_id: cols.items[0].collection_id })).collection_id).toBe(cols.items[0].collection_id);
    } finally {
      await t.close();
    }
  });
});

describe('asking the person', () => {
  it('applies a confirm-worthy change when the person accepts, and changes nothing on decline', async () => {
    let answer: 'accept' | 'decline' = 'decline';
    const t = await startServer({
      capabilities: { elicitation: {} },
      onClient: (client) => {
        client.setRequestHandler(ElicitRequestSchema, async () => (answer === 'accept' ? { action: 'accept', content: { approve: true } } : { action: 'decline' }));
      },
    });
    try {
      const cols = await t.ok('collection_list', {});
      const cid = cols.items[0].collection_id;
      const p = await t.ok('collection_delete_preview', { collection_id: cid });
      const e = await t.err('collection_delete_apply', { collection_id: cid, preview_token: p.preview_token });
      expect(e.error_code).toBe('CONFIRMATION_DECLINED');
      expect((await t.ok('collection_get', { collection_id: cid })).collection_id).toBe(cid);
      answer = 'accept';
      const a = await t.ok('collection_delete_apply', { collection_id: cid, preview_token: p.preview_token });
      expect(a.result.deleted).toBe(true);
      expect((await t.err('collection_get', { collection_id: cid })).error_code).toBe('NOT_FOUND');
    } finally {
      await t.close();
    }
  });

  it('only an explicit yes applies: a failed, cancelled or unanswered dialog sends and deletes nothing, and the token applies later', async () => {
    type Mode = 'throw' | 'cancel' | 'never' | 'unchecked' | 'accept';
    let mode: Mode = 'throw';
    const asked: string[] = [];
    const t = await startServer({
      capabilities: { elicitation: {} },
      onClient: (client) => {
        client.setRequestHandler(ElicitRequestSchema, async (req) => {
          asked.push(req.params.message);
          switch (mode) {
            case 'throw':
              throw new Error('the dialog crashed');
            case 'cancel':
              return { action: 'cancel' };
            case 'never':
              return new Promise<never>(() => undefined); // the person walked away
            case 'unchecked':
              return { action: 'accept', content: { approve: false } };
            case 'accept':
              return { action: 'accept', content: { approve: true } };
          }
        });
      },
    });
    // A short wait for the answer, so that "never" does not hold the test for minutes.
    t.app.engine.confirmTimeoutMs = 400;
    try {
      const send = { task_id: 'task_1823' };
      const link = await t.ok('short_link_create', { title: 'confirm me', web: 'https://confirm.example' });
      const del = { short_link_ids: [link.short_link_id] };
      const sendPreview = await t.ok('email_send_preview', send);
      const delPreview = await t.ok('short_link_delete_preview', del);
      const before = workspaceChecksum(t.workspaceDb);
      const expected: Record<Exclude<Mode, 'accept'>, string> = {
        throw: 'CONFIRMATION_UNAVAILABLE',
        cancel: 'CONFIRMATION_DECLINED',
        never: 'CONFIRMATION_UNAVAILABLE',
        unchecked: 'CONFIRMATION_DECLINED',
      };
      for (const m of ['throw', 'cancel', 'never', 'unchecked'] as const) {
        mode = m;
        const n = asked.length;
        const started = Date.now();
        const e1 = await t.err('email_send_apply', { ...send, preview_token: sendPreview.preview_token });
        const e2 = await t.err('short_link_delete_apply', { ...del, preview_token: delPreview.preview_token });
        expect([e1.error_code, e2.error_code], m).toEqual([expected[m], expected[m]]);
        expect(e1.action?.hint, m).toBeTruthy();
        expect(asked.length - n, m).toBe(2); // the person was asked each time
        if (m === 'never') expect(Date.now() - started).toBeLessThan(20_000);
        // Nothing was sent or deleted, and the tokens are unused.
        expect(workspaceChecksum(t.workspaceDb), m).toBe(before);
        expect((await t.ok('email_get', send)).status, m).toBe('draft');
        expect((await t.ok('short_link_get', { short_link_id: link.short_link_id })).short_link_id, m).toBe(link.short_link_id);
      }
      mode = 'accept';
      const sent = await t.ok('email_send_apply', { ...send, preview_token: sendPreview.preview_token });
      expect(sent).toMatchObject({ replayed: false, result: { status: 'sent' } });
      expect((await t.ok('email_get', send)).status).toBe('sent');
      const deleted = await t.ok('short_link_delete_apply', { ...del, preview_token: delPreview.preview_token });
      expect(deleted).toMatchObject({ replayed: false, result: { deleted_count: 1 } });
      expect((await t.err('short_link_get', { short_link_id: link.short_link_id })).error_code).toBe('NOT_FOUND');
    } finally {
      await t.close();
    }
  });

  it('refuses a yes that comes after the token expired, and changes nothing', async () => {
    let now = Date.now();
    const t = await startServer({
      now: () => new Date(now),
      argv: ['--preview-ttl', '60'],
      capabilities: { elicitation: {} },
      onClient: (client) => {
        client.setRequestHandler(ElicitRequestSchema, async () => {
          now += 61_000; // the person takes longer than the token lives
          return { action: 'accept', content: { approve: true } };
        });
      },
    });
    try {
      const cid = (await t.ok('collection_list', {})).items[0].collection_id;
      const p = await t.ok('collection_delete_preview', { collection_id: cid });
      const before = workspaceChecksum(t.workspaceDb);
      expect((await t.err('collection_delete_apply', { collection_id: cid, preview_token: p.preview_token })).error_code).toBe('PREVIEW_EXPIRED');
      expect(workspaceChecksum(t.workspaceDb)).toBe(before);
      expect((await t.ok('collection_get', { collection_id: cid })).collection_id).toBe(cid);
    } finally {
      await t.close();
    }
  });

  it('fails closed when confirmation is required and the client cannot ask', async () => {
    const t = await startServer({ argv: ['--require-confirmation'] });
    try {
      const cid = (await t.ok('collection_list', {})).items[0].collection_id;
      const p = await t.ok('collection_delete_preview', { collection_id: cid });
      expect((await t.err('collection_delete_apply', { collection_id: cid, preview_token: p.preview_token })).error_code).toBe('CONFIRMATION_UNAVAILABLE');
      expect((await t.ok('collection_get', { collection_id: cid })).collection_id).toBe(cid);
    } finally {
      await t.close();
    }
  });
});
