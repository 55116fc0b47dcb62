// Exports through the MCP client: preview/apply, the job lifecycle (queued → running → ready |
// failed | cancelled), download rules, progress notifications, cancellation and restarts.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, testBackend, workspaceChecksum, type TestServer } from '../helpers/server.js';
import { readTable } from '../../src/spreadsheet.js';
import { parseCsv } from '../../src/sheet-reader.js';
import { readJournal } from '../../src/journal.js';
import type { Db } from '../../src/store.js';

/** Fills a new collection with `n` fresh youtube creators (direct SQL: a workload, not behaviour under test). */
function bigCollection(db: Db, n: number, campaignId: string | null = null): string {
  const cid = `col_big_${n}_${Math.random().toString(36).slice(2, 8)}`;
  const at = '2026-01-01T00:00:00.000Z';
  db.transaction(() => {
    db.prepare(`INSERT INTO collections (collection_id, name, owner_uid, campaign_id, created_at, updated_at) VALUES (?, ?, 'u_001', ?, ?, ?)`).run(cid, `Big ${n}`, campaignId, at, at);
    const cr = db.prepare(`INSERT INTO creators (creator_id, platform, channel_id, channel_url, nickname, followers, country, updated_at) VALUES (?, 'youtube', ?, ?, ?, ?, 'US', ?)`);
    const it = db.prepare(`INSERT INTO collection_items (collection_id, creator_id, platform, email, added_at, source) VALUES (?, ?, 'youtube', ?, ?, 'added')`);
    for (let i = 0; i < n; i++) {
      const id = `${cid}_cr_${String(i).padStart(6, '0')}`;
      cr.run(id, `UC${id}`, `https://www.youtube.com/channel/UC${id}`, i % 7 === 0 ? `=HYPERLINK("x") "quoted", ${i}` : `Creator ${i}`, 1000 + i, at);
      it.run(cid, id, `c${i}@example.com`, at);
    }
  })();
  return cid;
}

// The export files wait in the exports folder beside the workspace store (the sandbox's on the http backend).
const exportsDir = (s: TestServer) => join(dirname(s.workspaceDb.name), 'exports');
const filesDir = (s: TestServer) => join(s.dir, 'files');
const count = (db: Db, sql: string, ...p: unknown[]) =>
  db
    .prepare(sql)
    .pluck()
    .get(...p) as number;

async function createExport(s: TestServer, args: Record<string, unknown>) {
  const a = await s.previewApply('export_create', args);
  return a.result as Record<string, any>;
}

/** Resolves at the first progress update of a running job. */
const firstProgress = (s: TestServer) =>
  new Promise<void>((resolve) => {
    const off = s.app.jobs.onUpdate((row) => {
      if (row.status === 'running' && row.progress > 0) {
        off();
        resolve();
      }
    });
  });

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(() => s.close());

describe('brand monitor reads', () => {
  it('lists brands with asset counts and gets one', async () => {
    const l = await s.ok('brand_monitor_list', {});
    expect(l.total).toBe(3);
    expect(l.items.every((b: any) => b.asset_count === 25)).toBe(true);
    const g = await s.ok('brand_monitor_get', { brand_id: l.items[0].brand_id });
    expect(g.recent).toHaveLength(10);
    expect(g.platforms.reduce((n: number, p: any) => n + p.posts, 0)).toBe(25);
    expect((await s.err('brand_monitor_get', { brand_id: 'brand_nope' })).error_code).toBe('NOT_FOUND');
    expect((await s.ok('brand_monitor_list', { keyword: 'glow' })).items.map((b: any) => b.name)).toEqual(['GlowLab']);
  });
});

describe('export_create preview', () => {
  it('states row count, columns and format, and writes nothing', async () => {
    const n = count(s.workspaceDb, `SELECT COUNT(*) FROM collection_items WHERE collection_id = 'col_001' AND platform = 'youtube'`);
    expect(n).toBeGreaterThan(0);
    const before = workspaceChecksum(s.workspaceDb);
    const p = await s.ok('export_create_preview', { kind: 'collection', collection_id: 'col_001', platform: 'youtube', format: 'xlsx', reason: 'Share the shortlist with the agency' });
    expect(p.effect).toMatchObject({ kind: 'collection', format: 'xlsx', row_count: n, campaign_id: 'cmp_001', reason: 'Share the shortlist with the agency' });
    expect(p.effect.columns).toEqual(expect.arrayContaining(['creator_id', 'channel_url', 'email']));
    expect(p.summary).toContain(`${n} row(s)`);
    expect(workspaceChecksum(s.workspaceDb)).toBe(before);
  });

  it('refuses bodies that do not fit the kind, and unknown ids', async () => {
    expect((await s.err('export_create_preview', { kind: 'collection', collection_id: 'col_001', reason: 'why not' })).error_code).toBe('INVALID_REQUEST');
    const wrong = await s.err('export_create_preview', { kind: 'collection', collection_id: 'col_001', platform: 'youtube', brand_id: 'brand_001', reason: 'why not' });
    expect(wrong.summary).toContain('brand_id');
    expect((await s.err('export_create_preview', { kind: 'brand_monitor', reason: 'why not' })).error_code).toBe('INVALID_REQUEST');
    expect((await s.err('export_create_preview', { kind: 'collection', collection_id: 'col_zzz', platform: 'youtube', reason: 'why not' })).error_code).toBe('NOT_FOUND');
    expect((await s.err('export_create_preview', { kind: 'crm', crm_filter: { label_ids: ['lbl_zzz'] }, reason: 'why not' })).error_code).toBe('NOT_FOUND');
    expect((await s.err('export_create_preview', { kind: 'crm', campaign_id: 'cmp_zzz', reason: 'why not' })).error_code).toBe('NOT_FOUND');
    expect((await s.err('export_create_preview', { kind: 'crm', reason: '' })).error_code).toBe('INVALID_REQUEST');
  });

  it('refuses a mismatched body and a stale preview', async () => {
    const args = { kind: 'brand_monitor', brand_id: 'brand_001', reason: 'Competitive review' };
    const p = await s.ok('export_create_preview', args);
    const mismatch = await s.err('export_create_apply', { ...args, format: 'xlsx', preview_token: p.preview_token });
    expect(mismatch.error_code).toBe('PREVIEW_MISMATCH');
    const q = await s.ok('export_create_preview', args);
    s.workspaceDb
      .prepare(
        `INSERT INTO brand_assets (asset_id, brand_id, platform, title, url, views, likes, posted_at) VALUES ('asset_zz01', 'brand_001', 'youtube', 't', 'https://x.example', 1, 0, '2026-01-01')`,
      )
      .run();
    expect((await s.err('export_create_apply', { ...args, preview_token: q.preview_token })).error_code).toBe('PREVIEW_STALE');
  });
});

describe('export lifecycle', () => {
  it('queues, refuses download before ready, becomes ready, downloads, refuses overwrite unless previewed', async () => {
    const n = count(s.workspaceDb, `SELECT COUNT(*) FROM collection_items WHERE collection_id = 'col_001' AND platform = 'youtube'`);
    const e = await createExport(s, { kind: 'collection', collection_id: 'col_001', platform: 'youtube', reason: 'Agency shortlist review' });
    expect(e).toMatchObject({ status: 'queued', kind: 'collection', format: 'csv', campaign_id: 'cmp_001', reason: 'Agency shortlist review', row_count: null, file_name: null });
    expect(e.export_id).toMatch(/^exp_/);

    const notReady = await s.err('export_download_preview', { export_id: e.export_id });
    expect(notReady.error_code).toBe('ASYNC_NOT_READY');
    expect(notReady.action?.hint).toContain('export_wait');

    await s.drainJobs();
    const got = await s.ok('export_get', { export_id: e.export_id });
    expect(got).toMatchObject({ status: 'ready', row_count: n, reason: 'Agency shortlist review', progress: { done: n, total: n } });
    expect(got.file_name).toMatch(/^collection-col_001-youtube-.*\.csv$/);
    expect(got.finished_at).toBeTruthy();
    // The file waits outside the files root until downloaded.
    expect(readdirSync(exportsDir(s))).toContain(`${e.export_id}.csv`);
    expect(existsSync(join(filesDir(s), 'exports', got.file_name))).toBe(false);

    const p = await s.ok('export_download_preview', { export_id: e.export_id });
    expect(p.effect).toMatchObject({ output_path: `exports/${got.file_name}`, will_overwrite: false, row_count: n, format: 'csv' });
    const a = await s.ok('export_download_apply', { export_id: e.export_id, preview_token: p.preview_token });
    expect(a.result.path).toBe(`exports/${got.file_name}`);
    const abs = join(filesDir(s), 'exports', got.file_name);
    const rows = parseCsv(readFileSync(abs, 'utf8').replace(/^\uFEFF/, '')).filter((r) => r.length > 1);
    expect(rows[0]).toEqual(['creator_id', 'platform', 'channel_id', 'channel_url', 'nickname', 'followers', 'country', 'language', 'email', 'email_refreshed_at', 'label_ids', 'added_at', 'source']);
    expect(rows.length - 1).toBe(n);
    const ids = s.workspaceDb.prepare(`SELECT creator_id FROM collection_items WHERE collection_id = 'col_001' AND platform = 'youtube' ORDER BY creator_id`).pluck().all();
    expect(rows.slice(1).map((r) => r[0])).toEqual(ids);

    // The same path again: refused unless the preview said overwrite.
    const refused = await s.err('export_download_preview', { export_id: e.export_id });
    expect(refused.error_code).toBe('FILE_REFUSED');
    const po = await s.ok('export_download_preview', { export_id: e.export_id, overwrite: true });
    expect(po.effect.will_overwrite).toBe(true);
    expect((await s.err('export_download_apply', { export_id: e.export_id, preview_token: po.preview_token })).error_code).toBe('PREVIEW_MISMATCH');
    writeFileSync(abs, 'scribbled');
    const ao = await s.ok('export_download_apply', { export_id: e.export_id, overwrite: true, preview_token: po.preview_token });
    expect(ao.result.bytes).toBe(p.effect.bytes);
    expect(readFileSync(abs, 'utf8')).not.toBe('scribbled');

    // A file that appears between preview and apply is refused at apply, never replaced.
    const pn = await s.ok('export_download_preview', { export_id: e.export_id, output_path: 'out/new.csv' });
    mkdirSync(join(filesDir(s), 'out'), { recursive: true });
    writeFileSync(join(filesDir(s), 'out/new.csv'), 'mine');
    expect((await s.err('export_download_apply', { export_id: e.export_id, output_path: 'out/new.csv', preview_token: pn.preview_token })).error_code).toBe('FILE_REFUSED');
    expect(readFileSync(join(filesDir(s), 'out/new.csv'), 'utf8')).toBe('mine');
    expect((await s.err('export_download_preview', { export_id: e.export_id, output_path: '../escape.csv' })).error_code).toBe('FILE_REFUSED');

    // Listed, by campaign, and journaled under the campaign.
    const listed = await s.ok('export_list', { campaign_id: 'cmp_001' });
    expect(listed.items.map((x: any) => x.export_id)).toContain(e.export_id);
    expect((await s.ok('export_list', { campaign_id: 'cmp_002' })).items.map((x: any) => x.export_id)).not.toContain(e.export_id);
    const journal = readJournal(s.app.store, { campaign_id: 'cmp_001' });
    expect(journal.map((j) => j.operation)).toEqual(expect.arrayContaining(['export.create', 'export.download']));
    expect(journal.find((j) => j.operation === 'export.create')!.ids).toContain(e.export_id);
  });

  it('exports CRM channels by filter and brand assets, as xlsx', async () => {
    const label = s.workspaceDb.prepare('SELECT label_id FROM crm_channel_labels GROUP BY label_id ORDER BY COUNT(*) DESC LIMIT 1').pluck().get() as string;
    const n = count(
      s.workspaceDb,
      `SELECT COUNT(*) FROM crm_channels ch WHERE archived = 0 AND EXISTS (SELECT 1 FROM crm_channel_labels l WHERE l.creator_id = ch.creator_id AND l.label_id = ?)`,
      label,
    );
    expect(n).toBeGreaterThan(0);
    const crm = await createExport(s, { kind: 'crm', crm_filter: { label_ids: [label] }, format: 'xlsx', reason: 'Label review', campaign_id: 'cmp_002' });
    expect(crm.campaign_id).toBe('cmp_002');
    const brand = await createExport(s, { kind: 'brand_monitor', brand_id: 'brand_002', reason: 'Competitor posts' });
    await s.drainJobs();
    expect(await s.ok('export_get', { export_id: crm.export_id })).toMatchObject({ status: 'ready', row_count: n });
    expect(await s.ok('export_get', { export_id: brand.export_id })).toMatchObject({ status: 'ready', row_count: 25 });

    const d = await s.previewApply('export_download', { export_id: crm.export_id, output_path: 'shared/crm.xlsx' });
    expect(d.result.path).toBe('shared/crm.xlsx');
    const t = await readTable({ name: 'crm.xlsx', ext: '.xlsx', bytes: readFileSync(join(filesDir(s), 'shared/crm.xlsx')) }, { maxRows: 100_000 });
    expect(t.header[0]).toBe('creator_id');
    expect(t.rows).toHaveLength(n);
    expect(t.rows.every((r) => r[t.header.indexOf('label_ids')]!.split(';').includes(label))).toBe(true);
  });

  it('escapes formula-like and quoted cells in CSV', async () => {
    const cid = bigCollection(s.workspaceDb, 30);
    const e = await createExport(s, { kind: 'collection', collection_id: cid, platform: 'youtube', reason: 'Escaping check' });
    await s.drainJobs();
    const d = await s.previewApply('export_download', { export_id: e.export_id, output_path: 'esc.csv' });
    const rows = parseCsv(readFileSync(join(filesDir(s), d.result.path), 'utf8').replace(/^\uFEFF/, '')).filter((r) => r.length > 1);
    expect(rows).toHaveLength(31);
    expect(rows[1]![4]).toBe(`'=HYPERLINK("x") "quoted", 0`);
  });

  it('fails cleanly when the source disappears before the job runs', async () => {
    const cid = bigCollection(s.workspaceDb, 3);
    const e = await createExport(s, { kind: 'collection', collection_id: cid, platform: 'youtube', reason: 'Will vanish' });
    s.workspaceDb.prepare('DELETE FROM collections WHERE collection_id = ?').run(cid);
    await s.drainJobs();
    const got = await s.ok('export_get', { export_id: e.export_id });
    expect(got.status).toBe('failed');
    expect(got.error).toContain(cid);
    expect((await s.err('export_download_preview', { export_id: e.export_id })).error_code).toBe('CONFLICT');
    expect(existsSync(join(exportsDir(s), `${e.export_id}.csv.part`))).toBe(false);
  });
});

describe('cancellation', () => {
  it('cancels a queued export: the job never runs', async () => {
    const e = await createExport(s, { kind: 'brand_monitor', brand_id: 'brand_001', reason: 'Changed my mind' });
    const c = await s.ok('export_cancel', { export_id: e.export_id });
    expect(c.status).toBe('cancelled');
    await s.drainJobs();
    expect((await s.ok('export_get', { export_id: e.export_id })).status).toBe('cancelled');
    expect(existsSync(join(exportsDir(s), `${e.export_id}.csv`))).toBe(false);
    expect((await s.err('export_cancel', { export_id: e.export_id })).error_code).toBe('CONFLICT');
    expect((await s.err('export_download_preview', { export_id: e.export_id })).error_code).toBe('CONFLICT');
  });

  it('cancels a running export and discards its partial file', async () => {
    // The export must still run after two calls: on the cli backend each is a process start
    // (a few hundred ms on a busy machine), so it is made longer there.
    const rows = testBackend === 'cli' ? 150_000 : 20_000;
    const cid = bigCollection(s.workspaceDb, rows);
    const e = await createExport(s, { kind: 'collection', collection_id: cid, platform: 'youtube', reason: 'Too big after all' });
    const started = firstProgress(s);
    const draining = s.drainJobs();
    await started;
    expect((await s.ok('export_get', { export_id: e.export_id })).status).toBe('running');
    await s.ok('export_cancel', { export_id: e.export_id });
    await draining;
    const got = await s.ok('export_get', { export_id: e.export_id });
    expect(got.status).toBe('cancelled');
    expect(got.row_count).toBeNull();
    expect(got.progress.done).toBeLessThan(rows);
    expect(readdirSync(exportsDir(s)).filter((f) => f.startsWith(e.export_id))).toEqual([]);
    expect(s.app.jobs.get(JSON.parse(s.workspaceDb.prepare('SELECT params_json FROM exports WHERE export_id = ?').pluck().get(e.export_id) as string).job_id)?.status).toBe('cancelled');
  });

  it('refuses to cancel a finished export', async () => {
    const e = await createExport(s, { kind: 'brand_monitor', brand_id: 'brand_003', reason: 'Quick one' });
    await s.drainJobs();
    expect((await s.err('export_cancel', { export_id: e.export_id })).error_code).toBe('CONFLICT');
    expect((await s.err('export_cancel', { export_id: 'exp_nope' })).error_code).toBe('NOT_FOUND');
  });
});

describe('progress notifications', () => {
  // The REST contract and the CLI carry no progress stream, so on the http and cli backends export_wait only waits.
  it.runIf(testBackend === 'local')('reach the client through export_wait while the job runs', async () => {
    const cid = bigCollection(s.workspaceDb, 10_000);
    const e = await createExport(s, { kind: 'collection', collection_id: cid, platform: 'youtube', reason: 'Progress check' });
    const progress: { progress: number; total?: number; message?: string }[] = [];
    const waiting = s.client.callTool({ name: 'export_wait', arguments: { export_id: e.export_id, timeout_seconds: 30 } }, undefined, { onprogress: (p) => progress.push(p) });
    await new Promise((r) => setTimeout(r, 20)); // the wait is listening before the job starts
    await s.drainJobs();
    const res = await waiting;
    expect(res.isError).toBeFalsy();
    expect(res.structuredContent).toMatchObject({ status: 'ready', row_count: 10_000, timed_out: false });
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(progress.at(-1)).toMatchObject({ progress: 10_000, total: 10_000 });
    const values = progress.map((p) => p.progress);
    expect([...values].sort((a, b) => a - b)).toEqual(values);
    expect(progress.some((p) => p.progress > 0 && p.progress < 10_000)).toBe(true);
  });

  it('returns at once for a finished export and times out on a queued one', async () => {
    const e = await createExport(s, { kind: 'brand_monitor', brand_id: 'brand_001', reason: 'Wait check' });
    const w = await s.ok('export_wait', { export_id: e.export_id, timeout_seconds: 1 });
    expect(w).toMatchObject({ status: 'queued', timed_out: true });
    await s.drainJobs();
    expect(await s.ok('export_wait', { export_id: e.export_id })).toMatchObject({ status: 'ready', timed_out: false, waited_ms: 0 });
  });
});

describe('restarts', () => {
  const dirs: string[] = [];
  const freshDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'nox-export-restart-'));
    dirs.push(d);
    return d;
  };
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('resumes a job whose process died mid-write, rewriting the file from scratch', async () => {
    const dir = freshDir();
    const first = await startServer({ dir });
    {
      const e = await createExport(first, { kind: 'brand_monitor', brand_id: 'brand_001', reason: 'Crash test' });
      const jobId = JSON.parse(first.workspaceDb.prepare('SELECT params_json FROM exports WHERE export_id = ?').pluck().get(e.export_id) as string).job_id;
      // What a crash leaves: a running job still leased, a running export, a partial file. The lease
      // names an instance whose heartbeat is still fresh first, as when another server still holds it.
      const t0 = Date.now();
      first.workspaceDb.prepare('INSERT INTO instances (instance_id, started_at, heartbeat_at, lease_until) VALUES (?, ?, ?, ?)').run('inst_elsewhere', t0, t0, t0 + 45_000);
      first.workspaceDb.prepare(`UPDATE jobs SET status = 'running', lease_owner = ?, lease_until = ? WHERE job_id = ?`).run('inst_elsewhere', t0 + 30_000, jobId);
      first.workspaceDb.prepare(`UPDATE exports SET status = 'running' WHERE export_id = ?`).run(e.export_id);
      mkdirSync(exportsDir(first), { recursive: true });
      writeFileSync(join(exportsDir(first), `${e.export_id}.csv.part`), 'garbage,from,the,crash\r\n');
      await first.close();

      // Before a live owner's lease expires nobody takes the job; after it, the new process does.
      const early = await startServer({ dir });
      await early.drainJobs();
      expect((await early.ok('export_get', { export_id: e.export_id })).status).toBe('running');
      await early.close();
      const later = await startServer({ dir, now: () => new Date(Date.now() + 60_000) });
      try {
        await later.drainJobs();
        const got = await later.ok('export_get', { export_id: e.export_id });
        expect(got).toMatchObject({ status: 'ready', row_count: 25 });
        const d = await later.previewApply('export_download', { export_id: e.export_id });
        const text = readFileSync(join(dir, 'files', d.result.path), 'utf8');
        expect(text).not.toContain('garbage');
        expect(parseCsv(text.replace(/^\uFEFF/, '')).filter((r) => r.length > 1)).toHaveLength(26);
      } finally {
        await later.close();
      }
    }
  });

  it('takes over at once a job whose lease names an instance that is gone', async () => {
    const dir = freshDir();
    const first = await startServer({ dir });
    const e = await createExport(first, { kind: 'brand_monitor', brand_id: 'brand_001', reason: 'Dead owner' });
    const jobId = JSON.parse(first.workspaceDb.prepare('SELECT params_json FROM exports WHERE export_id = ?').pluck().get(e.export_id) as string).job_id;
    // Its id even names this live process's PID: only the (absent) heartbeat row counts.
    first.workspaceDb.prepare(`UPDATE jobs SET status = 'running', lease_owner = ?, lease_until = ? WHERE job_id = ?`).run(`${process.pid}:gone`, Date.now() + 30_000, jobId);
    await first.close();
    const again = await startServer({ dir });
    try {
      await again.drainJobs();
      expect((await again.ok('export_get', { export_id: e.export_id })).status).toBe('ready');
    } finally {
      await again.close();
    }
  });

  it('requeues a job interrupted by a shutdown and finishes it after the restart', async () => {
    const dir = freshDir();
    const first = await startServer({ dir });
    const cid = bigCollection(first.workspaceDb, 20_000, 'cmp_002');
    const e = await createExport(first, { kind: 'collection', collection_id: cid, platform: 'youtube', reason: 'Shutdown test' });
    expect(e.campaign_id).toBe('cmp_002');
    const started = firstProgress(first);
    const draining = first.drainJobs();
    await started;
    await first.app.jobs.stop();
    await draining;
    expect((await first.ok('export_get', { export_id: e.export_id })).status).toBe('queued');
    await first.close();
    const again = await startServer({ dir });
    try {
      await again.drainJobs();
      expect(await again.ok('export_get', { export_id: e.export_id })).toMatchObject({ status: 'ready', row_count: 20_000 });
      expect(readdirSync(exportsDir(again)).filter((f) => f.startsWith(e.export_id))).toEqual([`${e.export_id}.csv`]);
    } finally {
      await again.close();
    }
  });
});

describe('a 100,000-row collection export', () => {
  it('streams every row into the file', async () => {
    const t = await startServer();
    try {
      const cid = bigCollection(t.workspaceDb, 100_000);
      const e = await createExport(t, { kind: 'collection', collection_id: cid, platform: 'youtube', reason: 'Scale check' });
      await t.drainJobs();
      expect(await t.ok('export_get', { export_id: e.export_id })).toMatchObject({ status: 'ready', row_count: 100_000 });
      const text = readFileSync(join(exportsDir(t), `${e.export_id}.csv`), 'utf8');
      expect(text.split('\r\n').filter(Boolean)).toHaveLength(100_001);
    } finally {
      await t.close();
    }
  });
});
