// `npm run bench`: measures the server against its targets, side by side with the reference MCP
// "everything" server through the same SDK client, and writes docs/bench.md. Every server runs as
// a spawned process on loopback or stdio; nothing leaves the machine.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { selectTools, toolsetsOf } from '../src/catalog.js';
import { listTools, modelVisibleTokens } from '../src/server.js';
import { surfaceOf, type SurfaceKind } from '../src/surface.js';
import { catalog, operations } from '../tools/index.js';
import { openStore } from '../src/store.js';
import { workspaceMigrations } from '../workspace/schema.js';
import { storePath } from '../src/app.js';
import { spawnHttpServer } from '../test/helpers/spawn.js';
import { freePort, startPostgres } from '../test/helpers/postgres.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'dist/src/cli.js');
const everything = join(root, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
const scratch = mkdtempSync(join(tmpdir(), 'nox-bench-'));
const quick = process.argv.includes('--quick');
/** `--catalog`: only the catalog section (no processes started). */
const catalogOnly = process.argv.includes('--catalog');
/** `--replicas`: only the replicas section (SQLite vs PostgreSQL), its rows replaced in docs/bench.md. */
const replicasOnly = process.argv.includes('--replicas');
/** `--only=start,http`: only the sections named (by their first word); like --catalog, it leaves docs/bench.md alone. */
const only = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');

interface Row {
  section: string;
  measure: string;
  value: string;
  anchor?: string;
  ratio?: string;
  target?: string;
  verdict?: string;
}
const rows: Row[] = [];
const log = (s: string) => process.stderr.write(`${s}\n`);

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}
const ms = (x: number) => `${x.toFixed(x < 10 ? 2 : 0)} ms`;
const median = (xs: number[]) => pct(xs, 50);

/** Servers still open: a section that fails midway leaves its server here, closed at the end so the run can exit. */
const running = new Set<() => Promise<void>>();

async function stdioClient(command: string, args: string[], env: Record<string, string> = {}): Promise<{ client: Client; pid: number; close: () => Promise<void> }> {
  const transport = new StdioClientTransport({ command, args, env: { ...(process.env as Record<string, string>), NOX_LOG_LEVEL: 'warn', ...env }, stderr: 'ignore' });
  const client = new Client({ name: 'bench', version: '0' });
  await client.connect(transport);
  const close = () => {
    running.delete(close);
    return client.close();
  };
  running.add(close);
  return { client, pid: transport.pid ?? 0, close };
}

function peakRssMb(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

// ---------------------------------------------------------------------------------------------

/** How many times each start is measured (medians); the two servers' starts alternate, so load on the machine falls on both alike. */
const START_RUNS = quick ? 5 : 9;

/** Spawns a stdio server and times initialize → tools/list answered, as raw JSON-RPC lines (no SDK client). */
function rawStart(command: string, args: string[], env: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(command, args, { env: { ...process.env, NOX_LOG_LEVEL: 'warn', ...env }, stdio: ['pipe', 'pipe', 'ignore'] });
    const send = (m: object) => child.stdin.write(`${JSON.stringify(m)}\n`);
    let buf = '';
    child.once('error', reject);
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const m = JSON.parse(buf.slice(0, i)) as { id?: number };
        buf = buf.slice(i + 1);
        if (m.id === 1) {
          send({ jsonrpc: '2.0', method: 'notifications/initialized' });
          send({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
        } else if (m.id === 2) {
          const t = performance.now() - t0;
          child.once('exit', () => resolve(t));
          child.kill();
        }
      }
    });
    send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '0' } } });
  });
}

/** Times an SDK client's start (spawn, initialize) through its first tools/list. */
async function clientStart(command: string, args: string[], env: Record<string, string> = {}): Promise<number> {
  const t0 = performance.now();
  const c = await stdioClient(command, args, env);
  await c.client.listTools();
  const t = performance.now() - t0;
  await c.close();
  return t;
}

/** Medians of several measures taken in turns: a, b, a, b, … */
async function alternating(runs: number, ...measures: (() => Promise<number>)[]): Promise<number[]> {
  const times = measures.map(() => [] as number[]);
  for (let i = 0; i < runs; i++) for (const [k, m] of measures.entries()) times[k]!.push(await m());
  return times.map(median);
}

const ratioRow = (section: string, measure: string, ours: number, anchor: number, limit: number, fmt: (x: number) => string = ms): Row => ({
  section,
  measure,
  value: fmt(ours),
  anchor: fmt(anchor),
  ratio: (ours / anchor).toFixed(2),
  target: `≤ ${limit.toFixed(1)}× anchor`,
  verdict: ours <= limit * anchor ? 'met' : 'missed',
});

async function starts(): Promise<void> {
  const warmDir = join(scratch, 'warm');
  await (await stdioClient(process.execPath, [cli], { NOX_DATA_DIR: warmDir })).close(); // seeds once
  const ours = { NOX_DATA_DIR: warmDir };
  // A NOX_* variable of its own gives each start inputs no start has recorded answers for (src/start-answers.ts).
  let unrecorded = 0;
  const [raw = NaN, rawAnchor = NaN, rawLoaded = NaN] = await alternating(
    START_RUNS,
    () => rawStart(process.execPath, [cli], ours),
    () => rawStart(process.execPath, [everything, 'stdio']),
    () => rawStart(process.execPath, [cli], { ...ours, NOX_BENCH_START: String(unrecorded++) }),
  );
  rows.push(ratioRow('start', `spawn → tools/list answered, raw JSON-RPC (existing data dir, answers recorded by an earlier start; median of ${START_RUNS})`, raw, rawAnchor, 1.0));
  rows.push({
    section: 'start',
    measure: 'the same with inputs no start has recorded (the server loads before it answers)',
    value: ms(rawLoaded),
    anchor: ms(rawAnchor),
    ratio: (rawLoaded / rawAnchor).toFixed(2),
  });
  const [sdk = NaN, sdkBare = NaN, sdkCompact = NaN, sdkAnchor = NaN] = await alternating(
    START_RUNS,
    () => clientStart(process.execPath, [cli], ours),
    () => clientStart(process.execPath, [cli, '--no-output-schemas'], ours),
    () => clientStart(process.execPath, [cli, '--surface', 'compact'], ours),
    () => clientStart(process.execPath, [everything, 'stdio']),
  );
  rows.push(ratioRow('start', 'SDK client start → first tools/list, default surface', sdk, sdkAnchor, 1.5));
  // The SDK client compiles a validator for every listed output schema inside listTools.
  const other = (measure: string, t: number): Row => ({ section: 'start', measure, value: ms(t), anchor: ms(sdkAnchor), ratio: (t / sdkAnchor).toFixed(2) });
  rows.push(other('SDK client start → first tools/list, default surface, --no-output-schemas', sdkBare));
  rows.push(other('SDK client start → first tools/list, compact surface', sdkCompact));
  // The first start ever creates the store and seeds the demo workspace before it answers.
  let n = 0;
  const firstRuns = quick ? 3 : 5;
  const [first = NaN] = await alternating(firstRuns, () => clientStart(process.execPath, [cli], { NOX_DATA_DIR: join(scratch, `first-${n++}`) }));
  rows.push({
    section: 'start',
    measure: `first start ever (creates and seeds the workspace): SDK client start → first tools/list (median of ${firstRuns})`,
    value: ms(first),
    target: '≤ 1500 ms',
    verdict: first <= 1500 ? 'met' : 'missed',
  });
}

/** Model-visible tokens (name + description + inputSchema, JSON bytes / 4) beside the bytes of the whole tools/list. */
function catalogSize(): void {
  const row = (measure: string, sel: Parameters<typeof selectTools>[1], budget?: number, surface: SurfaceKind = 'default', outputSchemas = true) => {
    const listed = listTools(surfaceOf(surface, selectTools(operations, sel), catalog), { outputSchemas });
    const tokens = modelVisibleTokens(listed);
    const bytes = Buffer.byteLength(JSON.stringify({ tools: listed }));
    rows.push({
      section: 'catalog',
      measure: `${measure} (${listed.length} tools)`,
      value: `${tokens.toLocaleString('en')} tokens · ${bytes.toLocaleString('en')} B wire`,
      ...(budget ? { target: `≤ ${budget.toLocaleString('en')} tokens`, verdict: tokens <= budget ? 'met' : 'missed' } : {}),
    });
  };
  row('default surface, whole catalog', {}, 25_000);
  row('default surface, --no-output-schemas', {}, undefined, 'default', false);
  row('default surface, --read-only', { readOnly: true });
  for (const ts of toolsetsOf(operations)) row(`default surface, toolset ${ts}`, { toolsets: [ts] }, 4_000);
  row('compact surface', {}, 2_000, 'compact');
  row('compact surface, --read-only', { readOnly: true }, 2_000, 'compact');
}

async function readRoundTrip(): Promise<void> {
  const calls = quick ? 300 : 2000;
  const ours = await stdioClient(process.execPath, [cli], { NOX_DATA_DIR: join(scratch, 'warm') });
  const ev = await stdioClient(process.execPath, [everything, 'stdio']);
  const campaignId = ((await ours.client.callTool({ name: 'campaign_list', arguments: {} })).structuredContent as any).items[0].campaign_id;
  const get = { name: 'campaign_get', arguments: { campaign_id: campaignId } };
  const echo = { name: 'echo', arguments: { message: 'hello' } };
  // One call to each server in turn, so a busy moment of the machine falls on both alike.
  const time = async (f: () => Promise<unknown>, into: number[]) => {
    const t0 = performance.now();
    await f();
    into.push(performance.now() - t0);
  };
  const a: number[] = [];
  const b: number[] = [];
  const raw: number[] = [];
  for (let i = 0; i < 500; i++) await Promise.all([ours.client.callTool(get), ev.client.callTool(echo)]); // warm both JITs alike
  for (let i = 0; i < calls; i++) {
    await time(() => ours.client.callTool(get), a);
    await time(() => ev.client.callTool(echo), b);
    // The same call without the SDK client's output-schema validation (echo declares no output schema).
    await time(() => ours.client.request({ method: 'tools/call', params: get }, CallToolResultSchema), raw);
  }
  await ours.close();
  await ev.close();
  rows.push(ratioRow('stdio', `read round trip p50 (campaign_get vs echo, ${calls} calls each, in turns)`, pct(a, 50), pct(b, 50), 1.2));
  rows.push(ratioRow('stdio', 'read round trip p99', pct(a, 99), pct(b, 99), 1.5));
  rows.push({ section: 'stdio', measure: 'read round trip p50 without client-side output validation', value: ms(pct(raw, 50)), anchor: ms(pct(b, 50)), ratio: (pct(raw, 50) / pct(b, 50)).toFixed(2) });
}

// ---------------------------------------------------------------------------------------------
// Scale: a data dir with many synthetic creators, driven through the spawned CLI.

function buildScaleDir(dir: string, creators: number, collectionItems: number): { collectionId: string; creatorIds: string[] } {
  const db = openStore(storePath(dir), workspaceMigrations);
  const now = new Date().toISOString();
  const ids: string[] = [];
  db.transaction(() => {
    db.prepare(`INSERT INTO team_members (user_uid, name, email, role) VALUES ('u_bench', 'Bench Owner', 'owner@bench.example', 'owner')`).run();
    const ins =
      db.prepare(`INSERT INTO creators (creator_id, platform, channel_id, channel_url, nickname, followers, country, language, tags_json, engagement_rate, avg_views, has_email, email, updated_at)
                            VALUES (?, 'youtube', ?, ?, ?, ?, 'US', 'en', '[]', 3.1, 1000, 1, ?, ?)`);
    for (let i = 0; i < creators; i++) {
      const id = `bc_${String(i).padStart(6, '0')}`;
      ids.push(id);
      ins.run(id, `UCbench${i}`, `https://www.youtube.com/channel/UCbench${i}`, `Bench Creator ${i}`, 10_000 + i, `bench${i}@creatormail.example`, now);
    }
    db.prepare(
      `INSERT INTO campaigns (campaign_id, name, objective, markets_json, platforms_json, status, created_at, updated_at) VALUES ('cmp_bench', 'Bench', 'Scale runs', '["US"]', '["youtube"]', 'active', ?, ?)`,
    ).run(now, now);
    db.prepare(`INSERT INTO collections (collection_id, name, owner_uid, campaign_id, created_at, updated_at) VALUES ('col_bench', 'Bench 100k', 'u_bench', 'cmp_bench', ?, ?)`).run(now, now);
    db.prepare(`INSERT INTO collections (collection_id, name, owner_uid, created_at, updated_at) VALUES ('col_target', 'Bench target', 'u_bench', ?, ?)`).run(now, now);
    const item = db.prepare(`INSERT INTO collection_items (collection_id, creator_id, platform, email, added_at, source) VALUES ('col_bench', ?, 'youtube', ?, ?, 'added')`);
    for (let i = 0; i < collectionItems; i++) item.run(ids[i], `bench${i}@creatormail.example`, new Date(Date.parse(now) - (collectionItems - i) * 1000).toISOString());
  })();
  db.close();
  return { collectionId: 'col_bench', creatorIds: ids };
}

async function scale(): Promise<void> {
  const n = quick ? 20_000 : 100_000;
  const dir = join(scratch, 'scale');
  const { collectionId, creatorIds } = buildScaleDir(dir, n, n);
  const s = await stdioClient(process.execPath, [cli], { NOX_DATA_DIR: dir, NOX_SEED_DEMO: 'false' });
  const c = s.client;
  const names = new Set((await c.listTools()).tools.map((t) => t.name));
  const call = async (name: string, args: Record<string, unknown>) => {
    const r = await c.callTool({ name, arguments: args }, undefined, { timeout: 600_000 });
    if (r.isError) throw new Error(`${name}: ${(r.content as any)[0].text}`);
    return r.structuredContent as any;
  };
  const timed = async <T>(f: () => Promise<T>) => {
    const t0 = performance.now();
    const v = await f();
    return { v, t: performance.now() - t0 };
  };

  // collection_items paging over the big collection: first, middle and last pages.
  const pageTimes: number[] = [];
  for (const page of [1, 2, Math.floor(n / 100 / 2), Math.floor(n / 100)]) {
    for (let i = 0; i < 5; i++) pageTimes.push((await timed(() => call('collection_items', { collection_id: collectionId, platform: 'youtube', page, page_size: 100 }))).t);
  }
  rows.push({
    section: 'scale',
    measure: `collection_items, 100-row pages over ${n.toLocaleString('en')} items (first…last page)`,
    value: `p50 ${ms(pct(pageTimes, 50))}, max ${ms(Math.max(...pageTimes))}`,
  });

  // collection_add_creators apply of 5k creators.
  const add = { collection_ids: ['col_target'], platform: 'youtube', creator_ids: creatorIds.slice(0, 5000) };
  const addPreview = await timed(() => call('collection_add_creators_preview', add));
  const addApply = await timed(() => call('collection_add_creators_apply', { ...add, preview_token: addPreview.v.preview_token }));
  rows.push({ section: 'scale', measure: 'collection_add_creators, 5,000 creators: preview / apply', value: `${ms(addPreview.t)} / ${ms(addApply.t)}` });

  // crm_batch_update at 1k / 10k / 50k creators.
  if (names.has('crm_batch_update_preview')) {
    for (const size of quick ? [1_000, 10_000] : [1_000, 10_000, 50_000]) {
      // Cooperation status ids, as message_coop_statuses lists them: 2 contacted, 3 negotiating.
      const body = { selector: { creator_ids: creatorIds.slice(0, size) }, coop_status: size % 2 ? '2' : '3' };
      const p = await timed(() => call('crm_batch_update_preview', body));
      const a = await timed(() => call('crm_batch_update_apply', { ...body, preview_token: p.v.preview_token }));
      const total = p.t + a.t;
      rows.push({
        section: 'scale',
        measure: `crm_batch_update, ${size.toLocaleString('en')} creators: preview + apply`,
        value: `${ms(p.t)} + ${ms(a.t)} = ${ms(total)}`,
        ...(size === 10_000 ? { target: '< 1 s', verdict: total < 1000 ? 'met' : 'missed' } : {}),
      });
    }
  } else rows.push({ section: 'scale', measure: 'crm_batch_update', value: 'not in this catalog yet' });

  rows.push({ section: 'scale', measure: 'server peak RSS over paging, add-creators and the batch updates', value: `${peakRssMb(s.pid).toFixed(0)} MB` });
  await s.close();

  // A 100k-row export in a fresh server process, so its peak RSS is the export's own.
  const e = await stdioClient(process.execPath, [cli], { NOX_DATA_DIR: dir, NOX_SEED_DEMO: 'false' });
  const ecall = async (name: string, args: Record<string, unknown>) => {
    const r = await e.client.callTool({ name, arguments: args }, undefined, { timeout: 600_000 });
    if (r.isError) throw new Error(`${name}: ${(r.content as any)[0].text}`);
    return r.structuredContent as any;
  };
  if (names.has('export_create_preview')) {
    const body = { kind: 'collection', collection_id: collectionId, platform: 'youtube', format: 'csv', reason: 'benchmark' };
    const t0 = performance.now();
    const p = await ecall('export_create_preview', body);
    const a = await ecall('export_create_apply', { ...body, preview_token: p.preview_token });
    const exportId = a.result.export_id;
    let status = 'queued';
    let got: any;
    while (status !== 'ready' && status !== 'failed') {
      await new Promise((r) => setTimeout(r, 50));
      got = await ecall('export_get', { export_id: exportId });
      status = got.status;
    }
    const t = performance.now() - t0;
    const rss = peakRssMb(e.pid);
    rows.push({
      section: 'scale',
      measure: `export of ${n.toLocaleString('en')} rows (csv): time`,
      value: `${ms(t)} (${status}, ${got?.row_count} rows)`,
      target: '< 5 s',
      verdict: status === 'ready' && t < 5000 ? 'met' : 'missed',
    });
    rows.push({
      section: 'scale',
      measure: `export of ${n.toLocaleString('en')} rows: server peak RSS (fresh process)`,
      value: `${rss.toFixed(0)} MB`,
      target: '< 150 MB',
      verdict: rss < 150 ? 'met' : 'missed',
    });
  } else rows.push({ section: 'scale', measure: 'export', value: 'not in this catalog yet' });
  await e.close();
}

// ---------------------------------------------------------------------------------------------
// 50 concurrent Streamable HTTP clients: ours on a read mix, the everything server on echo.

interface Load {
  calls: number;
  p50: number;
  p99: number;
  errors: number;
}

async function load(url: string, mix: { name: string; arguments: Record<string, unknown> }[], seconds: number, clients = 50): Promise<Load> {
  const lat: number[] = [];
  let errors = 0;
  const connected = await Promise.all(
    Array.from({ length: clients }, async (_, i) => {
      const c = new Client({ name: `load-${i}`, version: '0' });
      await c.connect(new StreamableHTTPClientTransport(new URL(url)));
      return c;
    }),
  );
  const deadline = performance.now() + seconds * 1000;
  await Promise.all(
    connected.map(async (c) => {
      for (let k = 0; performance.now() < deadline; k++) {
        const t0 = performance.now();
        try {
          const r = await c.callTool(mix[k % mix.length]!);
          if (r.isError) errors++;
        } catch {
          errors++;
        }
        lat.push(performance.now() - t0);
      }
    }),
  );
  await Promise.all(connected.map((c) => c.close().catch(() => undefined)));
  return { calls: lat.length / seconds, p50: pct(lat, 50), p99: pct(lat, 99), errors };
}

/**
 * The everything server's own Streamable HTTP mode. It listens without naming a host; a preloaded
 * line makes that listen loopback-only, so the benchmark opens nothing beyond this machine.
 */
async function spawnEverythingHttp(): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const loopbackOnly = `import net from 'node:net'; const listen = net.Server.prototype.listen; net.Server.prototype.listen = function (...a) { if (typeof a[1] !== 'string') a.splice(1, 0, '127.0.0.1'); return listen.apply(this, a); };`;
  const child = spawn(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(loopbackOnly)}`, everything, 'streamableHttp'], {
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => {
      child.kill(); // a child left running would keep the benchmark from ending
      reject(new Error(`the everything server did not start: ${buf}`));
    }, 30_000);
    child.stderr!.on('data', (d) => {
      buf += d;
      if (buf.includes('listening on port')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`the everything server exited (${code}): ${buf}`)));
  });
  return { child, url: `http://127.0.0.1:${port}/mcp` };
}

async function httpLoad(): Promise<void> {
  const seconds = quick ? 5 : 20;
  const mix = [
    { name: 'campaign_list', arguments: {} },
    { name: 'creator_search', arguments: { platform: 'youtube', page_size: 20 } },
    { name: 'collection_list', arguments: {} },
  ];
  const ours = await spawnHttpServer({ NOX_DATA_DIR: join(scratch, 'warm'), NOX_RATE_LIMIT_PER_MINUTE: '100000' });
  const a = await load(ours.url, mix, seconds).finally(() => ours.child.kill('SIGTERM'));
  const ev = await spawnEverythingHttp();
  const b = await load(ev.url, [{ name: 'echo', arguments: { message: 'hello' } }], seconds).finally(() => ev.child.kill('SIGTERM'));
  const what = (l: Load) => `${l.calls.toFixed(0)} calls/s, p50 ${ms(l.p50)}, p99 ${ms(l.p99)}, ${l.errors} errors`;
  rows.push({ section: 'http', measure: `50 Streamable HTTP clients, ${seconds} s: ours on a read mix, the anchor on echo`, value: what(a), anchor: what(b) });
  rows.push({
    ...ratioRow('http', 'calls/s (higher is better)', a.calls, b.calls, 1.0, (x) => x.toFixed(0)),
    target: '≥ 1.0× anchor',
    verdict: a.calls >= b.calls && a.errors === 0 ? 'met' : 'missed',
  });
  rows.push(ratioRow('http', 'p99 latency', a.p99, b.p99, 1.0));
}

/**
 * Replicas: 50 Streamable HTTP clients on the http backend in front of one sandbox, each looping
 * a read, a preview and its apply (a token minted, claimed and its outcome recorded per loop):
 * one replica keeping its state in SQLite, then two replicas sharing PostgreSQL (25 clients each).
 */
async function replicasLoad(): Promise<void> {
  const seconds = quick ? 5 : 15;
  const clients = 50;
  const apiKey = 'bench-api-key-0123456789abcdef';
  const sandboxPort = await freePort();
  const sandbox = spawn(process.execPath, [cli, 'sandbox', '--port', String(sandboxPort)], {
    env: { ...process.env, NOX_DATA_DIR: join(scratch, 'sandbox'), NOX_API_KEY: apiKey, NOX_LOG_LEVEL: 'warn' },
    stdio: 'ignore',
  });
  const postgres = await startPostgres();
  const started: ChildProcess[] = [];
  try {
    const api = `http://127.0.0.1:${sandboxPort}`;
    for (let i = 0; i < 100; i++) {
      if (
        await fetch(`${api}/healthz`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const storeUrl = await postgres.freshDatabase('bench');
    const replica = async (name: string, store?: string) => {
      const r = await spawnHttpServer({
        NOX_DATA_DIR: join(scratch, name),
        NOX_BACKEND: 'http',
        NOX_API_BASE_URL: api,
        NOX_API_KEY: apiKey,
        NOX_RATE_LIMIT_PER_MINUTE: '100000',
        ...(store ? { NOX_STORE_URL: store } : {}),
      });
      started.push(r.child);
      return r.url;
    };
    const run = async (label: string, urls: string[]) => {
      const lat: number[] = [];
      let errors = 0;
      const deadline = performance.now() + seconds * 1000;
      const worker = async (i: number) => {
        const c = new Client({ name: `replica-load-${i}`, version: '0' });
        await c.connect(new StreamableHTTPClientTransport(new URL(urls[i % urls.length]!)));
        const timed = async (name: string, args: Record<string, unknown>) => {
          const t0 = performance.now();
          try {
            const r = await c.callTool({ name, arguments: args });
            lat.push(performance.now() - t0);
            if (r.isError) errors++;
            return r.isError ? undefined : (r.structuredContent as Record<string, any>);
          } catch {
            lat.push(performance.now() - t0);
            errors++;
            return undefined;
          }
        };
        const col = await c.callTool({ name: 'collection_create', arguments: { name: `${label} ${i}` } });
        const creators = await c.callTool({ name: 'creator_search', arguments: { platform: 'youtube', page_size: 2 } });
        const args = {
          collection_ids: [(col.structuredContent as any).collection_id],
          platform: 'youtube',
          creator_ids: (creators.structuredContent as any).items.map((x: any) => x.creator_id),
        };
        while (performance.now() < deadline) {
          await timed('campaign_list', {});
          const p = await timed('collection_add_creators_preview', args);
          if (p) await timed('collection_add_creators_apply', { ...args, preview_token: p.preview_token });
        }
        await c.close();
      };
      await Promise.all(Array.from({ length: clients }, (_, i) => worker(i)));
      rows.push({
        section: 'replicas',
        measure: `${clients} HTTP clients, ${label}: read, preview, apply, ${seconds} s`,
        value: `${(lat.length / seconds).toFixed(0)} calls/s, p50 ${ms(pct(lat, 50))}, p99 ${ms(pct(lat, 99))}, ${errors} errors`,
      });
    };
    await run('one replica on SQLite', [await replica('sqlite-replica')]);
    for (const c of started.splice(0)) c.kill('SIGTERM');
    await run('two replicas on PostgreSQL', await Promise.all([replica('pg-replica-a', storeUrl), replica('pg-replica-b', storeUrl)]));
  } finally {
    for (const c of started) c.kill('SIGTERM');
    sandbox.kill('SIGTERM');
    await postgres.dispose();
  }
}

// ---------------------------------------------------------------------------------------------

function render(): string {
  const cpu = cpus()[0]?.model ?? 'unknown cpu';
  const head = [
    '# Benchmarks',
    '',
    `Measured by \`npm run bench\`${quick ? ' (--quick)' : ''} on ${new Date().toISOString().slice(0, 10)}: ${cpu}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}.`,
    'The anchor is the reference MCP "everything" server (`@modelcontextprotocol/server-everything`), driven through the same SDK client over stdio.',
    'Catalog tokens are model-visible tokens: name + description + inputSchema of every listed tool (what model APIs carry),',
    'as JSON bytes / 4; the wire bytes are the whole tools/list result (titles, annotations, output schemas included).',
    '',
    '| section | measure | value | anchor | ratio | target | verdict |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  return [...head, ...rows.map((r) => `| ${r.section} | ${r.measure} | ${r.value} | ${r.anchor ?? ''} | ${r.ratio ?? ''} | ${r.target ?? ''} | ${r.verdict ?? ''} |`), '', NOTES].join('\n');
}

/** Why the targets that are missed are missed (kept with the figures; revise when they change). */
const NOTES = `## Where a target is missed, why, and what the start changes bought

- **Catalog size** (met). Counted as a model sees it (name, description, input schema; output
  schemas never reach the model). Validate and apply list their preview's arguments by name and
  type only (descriptions, defaults and bounds are listed once, on the preview); fields that mean
  the same on every tool (idempotency_key, preview_token, ids with one source, a file's bytes) are
  explained once, in the server instructions; opaque ids keep their checked bounds out of the
  listing; the email domain is two toolsets (email, email_recipients). The compact surface
  (\`--surface compact\`) reaches every tool in about 1.2k tokens.
- **Start (issue 17).** Measured before changing anything, on an existing data dir over stdio
  (\`--cpu-prof\` and timestamps in the start path, ms since the process began, machine idle):
  the static module graph was loaded at 336 ms (Node itself, zod and the SDK, the same for the
  anchor, then the catalog's contracts, about 100 ms of zod schema construction, and engine
  modules), the embedded workspace imported by 392, the app (selection, store, seed check, guard)
  built by 410, tools/list derived from zod by 539 (126 ms), the transport connected at 539 and
  tools/list answered at 567; the anchor answered at 247. What each lever bought, raw spawn →
  tools/list, medians of 9 starts taken in turns with the anchor: before, 1483 ms (3.21× anchor,
  machine busy); loading the HTTP transport, the sandbox, the cli backend's probe and the
  spreadsheet reader only when a command uses them, 1375 ms (2.98×); tools/list's schemas derived
  by the build instead of at every start, 964 ms (2.09×); then, on a quieter machine, 403 ms against
  228 (1.77×). The server cannot load faster than the anchor, which loads the same Node, zod and
  SDK and not 200 contracts, an engine and a store (an esbuild bundle of the build, an experiment,
  answered in 343 ms against 385 unbundled: module resolution is not what is left). So a stdio
  start answers before it loads: \`initialize\` and \`tools/list\` depend only on the start's inputs
  (command line, NOX_* environment, directories) and the installed modules, a start records them in
  the data dir, and the next start with the same inputs sends them from a process that has loaded
  only Node's own modules, while the server loads behind them (src/start-answers.ts; the server
  still answers both, and its answers are compared with the recording and dropped). That took the
  start from 403 ms to 73 against 183 (0.40×) in one sitting. The row below it is a start whose
  inputs have no recording yet (the first with a new command line or after an upgrade): the server
  loads first, as before. Statements were already prepared where they run; at start only the
  migration check, a meta read and the instance heartbeat touch the store (3 to 8 ms). The first
  start ever met its 1.5 s in the run above and missed it in a busier one (2.5 s): the seed runs
  before the transport connects.
- **SDK client start.** The SDK client compiles a validator for every listed output schema inside
  \`listTools\`, in the client's process: 202 of them took 160 to 275 ms in a fresh client, most of
  its whole start (a profile of the compile: Ajv's code generation and its name optimisation). That
  is the client's work and the list's size, not the server's (the server's part of this row is the
  raw start above); the --no-output-schemas and compact rows show the start without it. Whole-schema
  \`$id\`s, which let the SDK reuse a compiled validator, would save nothing: 187 of the 202 output
  schemas differ. Typed clients use the output schemas, so they stay listed.
- **Read round trip.** Calls to the two servers alternate one by one, so load falls on both. Met
  in the run above; an earlier run the same evening, on a busier machine, had p50 at 1.30× and p99
  at 1.30×. The SDK client validates every structured result against the tool's output schema,
  and echo has none (the "without client-side output validation" row); the rest is a larger
  payload (the result travels as structuredContent and again as text) and the server's input and
  output checks.
- **HTTP load.** The Streamable HTTP transport is stateless (a fresh MCP server per request, so
  instances can share one data dir); the anchor keeps a session per client. The per-request server
  registers resources, templates and prompts from registrations built once per definition, and a
  request of only tool calls, tools/list and pings gets a server without them (initialize and
  everything else get the whole one, so the capabilities it announces do not change). Run side by
  side under one load, that took the server's CPU per read call from about 600 to 520 µs and per
  ping from about 220 to 150 µs; in four bench runs alternating with the build before, the calls/s
  ratio went from 0.90–1.11 to 1.22–1.31 and the p99 ratio from 0.87–1.05 to 0.73–0.82. Profiled
  under the 50 clients after that: about 22% SQLite reading the mix's pages, 10% the SDK's
  transport and its Node adapter, 9% socket writes (one write per response; waking an idle client
  is what costs on this VM), 2% building the per-request server, the rest zod checks, JSON and GC.
  Driving the SDK's web-standard transport directly cost the same CPU as its Node adapter, so the
  adapter stays. The two run one after the other, 20 s each; figures on this 2-core machine vary by
  about ±30% between runs (an earlier run on a much busier machine had 409 against 507 calls/s).
- **Replicas** (no target). Both rows run the http backend in front of one sandbox process, so
  the ledger is the only difference: every preview mints a token and every apply claims it and
  commits its outcome, in SQLite in the data dir or in PostgreSQL over loopback. Here the sandbox,
  the replicas, PostgreSQL and the 50 clients share 2 cores, so a second replica adds no CPU and
  each ledger step becomes a network round trip: fewer calls per second than one replica on
  SQLite. On machines of their own replicas should add capacity (not measured here); the store
  serves short statements (one conditional update per claim, one transaction per outcome).
  \`npm run bench -- --replicas\` reruns only these two rows.
`;

/** docs/bench.md with the rows of one section replaced by this run's (appended to the table if new). */
function withRows(doc: string, section: string): string {
  const lines = doc.split('\n').filter((l) => !l.startsWith(`| ${section} |`));
  const last = lines.reduce((at, l, i) => (l.startsWith('| ') ? i : at), -1);
  const fresh = rows.map((r) => `| ${r.section} | ${r.measure} | ${r.value} | ${r.anchor ?? ''} | ${r.ratio ?? ''} | ${r.target ?? ''} | ${r.verdict ?? ''} |`);
  lines.splice(last + 1, 0, ...fresh);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const steps: [string, () => Promise<void> | void][] = [
    ['catalog size', catalogSize],
    ['start', starts],
    ['read round trip', readRoundTrip],
    ['scale', scale],
    ['http load', httpLoad],
    ['replicas', replicasLoad],
  ];
  const chosen = catalogOnly ? steps.slice(0, 1) : replicasOnly ? steps.filter(([name]) => name === 'replicas') : only ? steps.filter(([name]) => only.includes(name.split(' ')[0]!)) : steps;
  for (const [name, step] of chosen) {
    log(`bench: ${name}…`);
    try {
      await step();
    } catch (e) {
      rows.push({ section: name, measure: 'failed', value: String((e as Error).message).slice(0, 200) });
      log(`bench: ${name} failed: ${(e as Error).message}`);
    }
  }
  await Promise.all([...running].map((close) => close().catch(() => undefined)));
  // Some sections alone are a check, not a new docs/bench.md; the replicas section alone replaces its own rows.
  const out = replicasOnly ? withRows(readFileSync(join(root, 'docs/bench.md'), 'utf8'), 'replicas') : render();
  if (replicasOnly || chosen === steps) writeFileSync(join(root, 'docs/bench.md'), out);
  process.stderr.write(out);
  rmSync(scratch, { recursive: true, force: true });
}

await main();
