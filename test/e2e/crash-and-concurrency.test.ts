// Real processes on one data dir: a server killed in the middle of a large apply leaves no partial
// batch and a token that is never re-executed; two servers racing on one token execute it once;
// concurrent applies of overlapping previews end in a state some serial order would give.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { spawnServer, type Spawned } from '../helpers/spawn.js';
import { openStore } from '../../src/store.js';
import { workspaceMigrations } from '../../workspace/schema.js';
import { storePath } from '../../src/app.js';

/**
 * The processes these tests SIGKILL run with a short heartbeat lease: a killed process stops
 * beating, and the next one sees it dead once its lease runs out (15 s by default).
 */
const SHORT_LEASE = { NOX_INSTANCE_LEASE_MS: '1500' };

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function freshDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'nox-crash-'));
  dirs.push(d);
  return d;
}

/** The demo workspace plus `extra` synthetic YouTube creators and `collections` empty collections. */
async function prepare(dir: string, extra: number, collections: number): Promise<{ creators: string[]; collections: string[] }> {
  const s = await spawnServer(dir); // first start seeds the demo workspace
  await s.close();
  const db = openStore(storePath(dir), workspaceMigrations);
  const creators: string[] = [];
  const cols: string[] = [];
  const now = new Date().toISOString();
  db.transaction(() => {
    const ins = db.prepare(`INSERT INTO creators (creator_id, platform, channel_id, channel_url, nickname, followers, updated_at) VALUES (?, 'youtube', ?, ?, ?, 1000, ?)`);
    for (let i = 0; i < extra; i++) {
      const id = `cx_${i}`;
      creators.push(id);
      ins.run(id, `UCx${i}`, `https://www.youtube.com/channel/UCx${i}`, `X ${i}`, now);
    }
    const owner = db.prepare(`SELECT user_uid FROM team_members LIMIT 1`).pluck().get() as string;
    for (let i = 0; i < collections; i++) {
      cols.push(`col_x${i}`);
      db.prepare(`INSERT INTO collections (collection_id, name, owner_uid, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`).run(`col_x${i}`, `X ${i}`, owner, now, now);
    }
  })();
  db.close();
  return { creators, collections: cols };
}

const call = async (s: Spawned, name: string, args: Record<string, unknown>) => {
  const r = await s.client.callTool({ name, arguments: args }, undefined, { timeout: 120_000 });
  return r.isError ? { error: JSON.parse((r.content as any)[0].text) } : { data: r.structuredContent as any };
};

function readDb(dir: string) {
  const db = new Database(storePath(dir), { readonly: true });
  return {
    items: (cols: string[]) => db.prepare(`SELECT COUNT(*) FROM collection_items WHERE collection_id IN (SELECT value FROM json_each(?))`).pluck().get(JSON.stringify(cols)) as number,
    token: (id: string) => db.prepare(`SELECT status FROM preview_tokens WHERE token_id = ?`).pluck().get(id) as string,
    integrity: () => db.pragma('integrity_check', { simple: true }),
    close: () => db.close(),
  };
}

describe('crash safety', () => {
  it('a SIGKILL during a large apply leaves all or nothing, and the token is never re-executed', async () => {
    const dir = freshDir();
    const { creators, collections } = await prepare(dir, 8000, 12);
    const args = { collection_ids: collections, platform: 'youtube', creator_ids: creators };
    const total = creators.length * collections.length;

    // How long an uninterrupted apply of this size takes here, on a copy of the same shape.
    const probeDir = freshDir();
    const probe = await prepare(probeDir, 8000, 12);
    const p0 = await spawnServer(probeDir);
    const pv = await call(p0, 'collection_add_creators_preview', { collection_ids: probe.collections, platform: 'youtube', creator_ids: probe.creators });
    const t0 = Date.now();
    await call(p0, 'collection_add_creators_apply', { collection_ids: probe.collections, platform: 'youtube', creator_ids: probe.creators, preview_token: pv.data.preview_token });
    const applyMs = Date.now() - t0;
    await p0.close();

    const s = await spawnServer(dir, SHORT_LEASE);
    const preview = await call(s, 'collection_add_creators_preview', args);
    const tokenId = preview.data.preview_token.split('.')[1];
    const pending = call(s, 'collection_add_creators_apply', { ...args, preview_token: preview.data.preview_token }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, Math.max(5, Math.floor(applyMs * 0.4))));
    s.kill();
    await pending;

    const after = readDb(dir);
    const items = after.items(collections);
    const status = after.token(tokenId);
    expect(after.integrity()).toBe('ok');
    after.close();
    expect([0, total]).toContain(items); // never a partial batch
    process.stderr.write(`crash test: killed after ${Math.floor(applyMs * 0.4)} ms of a ${applyMs} ms apply; token ${status}, ${items} items\n`);

    const again = await spawnServer(dir);
    try {
      const r = await call(again, 'collection_add_creators_apply', { ...args, preview_token: preview.data.preview_token });
      const check = readDb(dir);
      if (status === 'claimed') {
        // killed between claim and outcome: the outcome is unknown and it is never run again
        expect(r.error?.error_code).toBe('APPLY_OUTCOME_UNKNOWN');
        expect(check.items(collections)).toBe(0);
        expect(check.token(tokenId)).toBe('unknown');
      } else if (status === 'applied') {
        expect(r.data.replayed).toBe(true);
        expect(check.items(collections)).toBe(total);
      } else {
        // killed before the claim: the token is still fresh and applies once now
        expect(status).toBe('minted');
        expect(r.data.replayed).toBe(false);
        expect(check.items(collections)).toBe(total);
      }
      check.close();
    } finally {
      await again.close();
    }
  });
  it('a SIGKILL during a running export leaves a job the next start finishes from scratch', async () => {
    const dir = freshDir();
    const { creators, collections } = await prepare(dir, 60_000, 1);
    const db = openStore(storePath(dir), workspaceMigrations);
    const at = new Date().toISOString();
    db.prepare(`INSERT INTO collection_items (collection_id, creator_id, platform, added_at, source) SELECT ?, value, 'youtube', ?, 'added' FROM json_each(?)`).run(
      collections[0],
      at,
      JSON.stringify(creators),
    );
    db.close();

    const body = { kind: 'collection', collection_id: collections[0], platform: 'youtube', format: 'xlsx', reason: 'crash test' };
    const s = await spawnServer(dir, SHORT_LEASE);
    const p = await call(s, 'export_create_preview', body);
    const exportId = (await call(s, 'export_create_apply', { ...body, preview_token: p.data.preview_token })).data.result.export_id;
    let seen: any;
    for (let i = 0; i < 400; i++) {
      seen = (await call(s, 'export_get', { export_id: exportId })).data;
      if (seen.status === 'running' && seen.progress?.done > 0) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(seen.status).toBe('running');
    s.kill();

    const check = readDb(dir);
    expect(check.integrity()).toBe('ok');
    check.close();
    const again = await spawnServer(dir);
    try {
      let got: any;
      for (let i = 0; i < 600; i++) {
        got = (await call(again, 'export_get', { export_id: exportId })).data;
        if (got.status === 'ready' || got.status === 'failed') break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(got.status).toBe('ready'); // the dead process's job is taken over once its heartbeat lease runs out
      expect(got.row_count).toBe(creators.length);
    } finally {
      await again.close();
    }
  });
});

describe('two server processes on one data dir', () => {
  let dir: string;
  let a: Spawned;
  let b: Spawned;
  let fixture: { creators: string[]; collections: string[] };
  beforeAll(async () => {
    dir = freshDir();
    fixture = await prepare(dir, 400, 2);
    a = await spawnServer(dir);
    b = await spawnServer(dir);
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  it('50 parallel applies of one token between them execute exactly once', async () => {
    const args = { collection_ids: [fixture.collections[0]], platform: 'youtube', creator_ids: fixture.creators.slice(0, 300) };
    const p = await call(a, 'collection_add_creators_preview', args);
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => call(i % 2 ? a : b, 'collection_add_creators_apply', { ...args, preview_token: p.data.preview_token })));
    const executed = results.filter((r) => r.data && r.data.replayed === false);
    expect(executed).toHaveLength(1);
    for (const r of results) expect(r.data?.replayed ?? r.error.error_code).toBeDefined();
    expect(results.filter((r) => r.error).map((r) => r.error.error_code)).toEqual([]);
    const db = readDb(dir);
    expect(db.items([fixture.collections[0]!])).toBe(300);
    db.close();
  });

  it('20 overlapping previews applied concurrently: each applies on fresh state or is stale, and the result is a serial order', async () => {
    const col = fixture.collections[1]!;
    const sets = Array.from({ length: 20 }, (_, i) => fixture.creators.slice(i * 10, i * 10 + 30)); // neighbours overlap
    const previews = await Promise.all(sets.map((ids, i) => call(i % 2 ? a : b, 'collection_add_creators_preview', { collection_ids: [col], platform: 'youtube', creator_ids: ids })));
    const applied = await Promise.all(
      sets.map((ids, i) => call(i % 2 ? b : a, 'collection_add_creators_apply', { collection_ids: [col], platform: 'youtube', creator_ids: ids, preview_token: previews[i]!.data.preview_token })),
    );
    const ok = applied.map((r, i) => (r.data ? i : -1)).filter((i) => i >= 0);
    for (const r of applied) if (r.error) expect(r.error.error_code).toBe('PREVIEW_STALE');
    expect(ok.length).toBeGreaterThan(0);
    // a serial order: the successful applies' sets, each on state none of the others had touched
    const union = new Set(ok.flatMap((i) => sets[i]!));
    const added = ok.reduce((n, i) => n + applied[i]!.data.result.added_count, 0);
    expect(added).toBe(union.size); // no successful apply re-added what another added
    const db = readDb(dir);
    expect(db.items([col])).toBe(union.size);
    db.close();
  });
});
