// Idempotency keys on writes, through an MCP client, on both backends: a retried write with its key
// runs once and replays its outcome; the same key with other arguments is refused naming the
// fields; records survive a restart, hold under concurrency, expire after 24 hours, and the http
// backend forwards the caller's key upstream.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, testBackend, workspaceChecksum, type TestServer } from '../helpers/server.js';

const collectionCount = async (s: TestServer) => (await s.ok('collection_list', { page_size: 1 })).total as number;

describe('idempotency_key on a low-risk write', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer();
  });
  afterAll(() => s.close());

  it('a retry with the same key and arguments creates one object and replays the outcome', async () => {
    const before = await collectionCount(s);
    const first = await s.ok('collection_create', { name: 'Retry-safe picks', idempotency_key: 'create-retry-safe-1' });
    expect(first.replayed).toBe(false);
    const again = await s.ok('collection_create', { name: 'Retry-safe picks', idempotency_key: 'create-retry-safe-1' });
    expect(again).toEqual({ ...first, replayed: true });
    expect(await collectionCount(s)).toBe(before + 1);
  });

  it('without a key every call runs', async () => {
    const before = await collectionCount(s);
    const a = await s.ok('collection_create', { name: 'No key A' });
    const b = await s.ok('collection_create', { name: 'No key B' });
    expect(a.collection_id).not.toBe(b.collection_id);
    expect(await collectionCount(s)).toBe(before + 2);
  });

  it('refuses the same key with other arguments, naming the differing fields, and changes nothing', async () => {
    await s.ok('collection_create', { name: 'Keyed once', idempotency_key: 'create-keyed-once' });
    const before = workspaceChecksum(s.workspaceDb);
    const e = await s.err('collection_create', { name: 'Keyed twice', idempotency_key: 'create-keyed-once' });
    expect(e.error_code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(e.details?.differing_fields).toEqual(['name']);
    expect(e.action?.hint).toMatch(/new key/);
    expect(workspaceChecksum(s.workspaceDb)).toBe(before);
  });

  it('scopes a key to its operation', async () => {
    const col = await s.ok('collection_create', { name: 'Scoped key', idempotency_key: 'shared-key-0001' });
    const upd = await s.ok('collection_update', { collection_id: col.collection_id, name: 'Scoped key renamed', idempotency_key: 'shared-key-0001' });
    expect(upd).toMatchObject({ name: 'Scoped key renamed', replayed: false });
  });

  it('refuses a malformed key as invalid input', async () => {
    for (const key of ['short', 'has a space in it', 'x'.repeat(129)]) {
      const e = await s.err('collection_create', { name: 'Bad key', idempotency_key: key });
      expect(e.error_code).toBe('INVALID_REQUEST');
      expect(JSON.stringify(e.details)).toContain('idempotency_key');
    }
  });

  it('two concurrent calls with one key execute once', async () => {
    const before = await collectionCount(s);
    const args = { name: 'Concurrent create', idempotency_key: 'create-concurrent-1' };
    const results = await Promise.all([1, 2, 3, 4].map(() => s.ok('collection_create', args)));
    expect(new Set(results.map((r) => r.collection_id)).size).toBe(1);
    expect(results.filter((r) => r.replayed === false)).toHaveLength(1);
    expect(await collectionCount(s)).toBe(before + 1);
  });

  it.runIf(testBackend === 'local')('a write whose key record cannot be stored rolls back (write and record commit together)', async () => {
    // A concurrent call's record lands between this call's lookup and its commit: simulated by
    // hiding the stored record from the first lookup only.
    const first = await s.ok('collection_create', { name: 'Raced', idempotency_key: 'create-raced-0001' });
    const store = s.app.engine.idempotency;
    const lookup = store.lookup.bind(store);
    let hidden = false;
    store.lookup = (scope, args) => (hidden ? lookup(scope, args) : ((hidden = true), Promise.resolve(undefined)));
    try {
      const before = workspaceChecksum(s.workspaceDb);
      const again = await s.ok('collection_create', { name: 'Raced', idempotency_key: 'create-raced-0001' });
      expect(again).toEqual({ ...first, replayed: true });
      expect(workspaceChecksum(s.workspaceDb)).toBe(before);
    } finally {
      store.lookup = lookup;
    }
  });

  it.runIf(testBackend === 'http')('the http backend sends the caller key upstream as Idempotency-Key', async () => {
    const col = await s.ok('collection_create', { name: 'Forwarded key', idempotency_key: 'forwarded-key-0001' });
    const row = s.workspaceDb.prepare(`SELECT operation, response_json FROM sandbox_idempotency WHERE idempotency_key = ?`).get('forwarded-key-0001') as
      { operation: string; response_json: string } | undefined;
    expect(row?.operation).toBe('collection.create');
    expect(JSON.parse(row!.response_json).data.collection_id).toBe(col.collection_id);
  });
});

describe('idempotency_key on an apply', () => {
  let s: TestServer;
  let collectionId: string;
  let creators: string[];
  const items = async () => (await s.ok('collection_items', { collection_id: collectionId, platform: 'youtube', page_size: 1 })).total as number;
  beforeAll(async () => {
    s = await startServer();
    collectionId = (await s.ok('collection_create', { name: 'Apply keys' })).collection_id;
    creators = (await s.ok('creator_search', { platform: 'youtube', page_size: 3 })).items.map((c: any) => c.creator_id);
  });
  afterAll(() => s.close());

  it('a key reused with a fresh preview replays the first apply instead of applying again', async () => {
    const args = { collection_ids: [collectionId], platform: 'youtube', creator_ids: creators.slice(0, 2) };
    const p1 = await s.ok('collection_add_creators_preview', args);
    const first = await s.ok('collection_add_creators_apply', { ...args, preview_token: p1.preview_token, idempotency_key: 'apply-key-00001' });
    expect(first).toMatchObject({ applied: true, replayed: false });
    const count = await items();
    // The agent lost that outcome: it previews again and applies with the same key.
    const p2 = await s.ok('collection_add_creators_preview', args);
    const again = await s.ok('collection_add_creators_apply', { ...args, preview_token: p2.preview_token, idempotency_key: 'apply-key-00001' });
    expect(again).toEqual({ ...first, replayed: true });
    expect(await items()).toBe(count);
    if (testBackend === 'http') {
      // Upstream got the caller's key, not one derived from the token.
      const keys = s.workspaceDb.prepare(`SELECT idempotency_key FROM sandbox_idempotency WHERE operation = 'collection.add_creators'`).pluck().all();
      expect(keys).toEqual(['apply-key-00001']);
    }
  });

  it('refuses the key with other arguments, naming them, whatever the token', async () => {
    const args = { collection_ids: [collectionId], platform: 'youtube', creator_ids: creators.slice(2, 3) };
    const p = await s.ok('collection_add_creators_preview', args);
    const e = await s.err('collection_add_creators_apply', { ...args, preview_token: p.preview_token, idempotency_key: 'apply-key-00001' });
    expect(e.error_code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(e.details?.differing_fields).toEqual(['creator_ids[0]', 'creator_ids[1]']);
  });

  it('an apply without a key still forwards a key derived from its token', async () => {
    const args = { collection_ids: [collectionId], platform: 'youtube', creator_ids: creators.slice(2, 3) };
    const p = await s.ok('collection_add_creators_preview', args);
    const applied = await s.ok('collection_add_creators_apply', { ...args, preview_token: p.preview_token });
    if (testBackend === 'http') {
      const keys = s.workspaceDb.prepare(`SELECT idempotency_key FROM sandbox_idempotency WHERE operation = 'collection.add_creators'`).pluck().all();
      expect(keys).toContain(`nox-${applied.token_id}`);
    }
  });
});

describe('idempotency records over time', () => {
  it('replays after a restart on the same data dir', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nox-idem-'));
    try {
      const a = await startServer({ dir });
      const before = await collectionCount(a);
      const first = await a.ok('collection_create', { name: 'Survives restart', idempotency_key: 'restart-key-0001' });
      await a.close();
      const b = await startServer({ dir });
      try {
        expect(await b.ok('collection_create', { name: 'Survives restart', idempotency_key: 'restart-key-0001' })).toEqual({ ...first, replayed: true });
        expect(await collectionCount(b)).toBe(before + 1);
      } finally {
        await b.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps a record 24 hours, then the key is free again and the record is swept', async () => {
    let at = Date.parse('2026-03-01T09:00:00Z');
    const s = await startServer({ now: () => new Date(at) });
    try {
      const first = await s.ok('collection_create', { name: 'Expiring key', idempotency_key: 'expiring-key-01' });
      at += 24 * 3600_000 - 1000;
      expect((await s.ok('collection_create', { name: 'Expiring key', idempotency_key: 'expiring-key-01' })).replayed).toBe(true);
      expect((await s.err('collection_create', { name: 'Other name', idempotency_key: 'expiring-key-01' })).error_code).toBe('IDEMPOTENCY_KEY_REUSED');
      at += 2000;
      const later = await s.ok('collection_create', { name: 'Other name', idempotency_key: 'expiring-key-01' });
      expect(later.replayed).toBe(false);
      expect(later.collection_id).not.toBe(first.collection_id);
      const rows = s.app.store.prepare(`SELECT outcome_json FROM idempotency_records WHERE idempotency_key = 'expiring-key-01'`).pluck().all() as string[];
      expect(rows.map((r) => JSON.parse(r).collection_id)).toEqual([later.collection_id]);
    } finally {
      await s.close();
    }
  });
});
