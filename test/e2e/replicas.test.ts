// Several replicas, one ledger: built servers (--http, --backend http) with data dirs of their own,
// sharing only a PostgreSQL store, in front of one sandbox. A counting proxy between them and the
// sandbox sees every apply that reaches upstream (the sandbox's own Idempotency-Key replay would
// hide a second execution, so the proxy counts what the replicas sent) and can hold one.
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/backend/sandbox.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { catalog } from '../../tools/index.js';
import { embeddedWorkspace } from '../../workspace/index.js';
import { spawnHttpServer } from '../helpers/spawn.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';

const API_KEY = 'replica-test-api-key-0123456789';
const TOKENS = { alice: 'alice-token-0123456789abcdef', carol: 'carol-token-0123456789abcdef', dave: 'dave-token-0123456789abcdef', erin: 'erin-token-0123456789abcdef' };
const RATE_PER_MINUTE = 120;
const LEASE_MS = 1_500;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

let postgres: TestPostgres;
let storeUrl: string;
let sandbox: Sandbox<unknown>;
let proxy: Server;
let apiBase: string;
const dirs: string[] = [];
const children: ChildProcess[] = [];

/** What the proxy saw and does: apply requests forwarded, and whether to hold the next apply. */
const upstream = { applies: 0, holdNext: false, held: [] as { req: IncomingMessage; res: ServerResponse }[] };

async function replica(): Promise<{ url: string; child: ChildProcess }> {
  const dir = mkdtempSync(join(tmpdir(), 'nox-replica-'));
  dirs.push(dir);
  const r = await spawnHttpServer({
    NOX_DATA_DIR: dir,
    NOX_BACKEND: 'http',
    NOX_API_BASE_URL: apiBase,
    NOX_API_KEY: API_KEY,
    NOX_STORE_URL: storeUrl,
    NOX_HTTP_TOKENS: Object.entries(TOKENS)
      .map(([n, t]) => `${n}:${t}`)
      .join(','),
    NOX_INSTANCE_LEASE_MS: String(LEASE_MS),
    NOX_RATE_LIMIT_PER_MINUTE: String(RATE_PER_MINUTE),
    NOX_API_TIMEOUT_MS: '30000',
    NOX_API_MAX_RETRIES: '0',
  });
  children.push(r.child);
  return r;
}

interface Outcome {
  ok: boolean;
  data: any;
}

/** One tools/call as a raw JSON-RPC POST (stateless HTTP needs no session). */
async function call(url: string, who: keyof typeof TOKENS, name: string, args: Record<string, unknown> = {}): Promise<Outcome> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${TOKENS[who]}` },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } }),
  });
  const body = (await res.json()) as any;
  const text = body.result?.content?.[0]?.text;
  if (!text) throw new Error(`no tool result from ${name}: ${JSON.stringify(body)}`);
  return { ok: !body.result.isError, data: JSON.parse(text) };
}

async function ok(url: string, who: keyof typeof TOKENS, name: string, args: Record<string, unknown> = {}): Promise<any> {
  const r = await call(url, who, name, args);
  if (!r.ok) throw new Error(`${name} failed: ${JSON.stringify(r.data)}`);
  return r.data;
}

/** A collection and creators to add to it: one previewable high-risk change per call. */
async function change(url: string, who: keyof typeof TOKENS, name: string): Promise<Record<string, unknown>> {
  const c = await ok(url, who, 'collection_create', { name });
  const creators = (await ok(url, who, 'creator_search', { platform: 'youtube', page_size: 3 })).items.map((x: any) => x.creator_id);
  return { collection_ids: [c.collection_id], platform: 'youtube', creator_ids: creators };
}

let A: string;
let B: string;

beforeAll(async () => {
  postgres = await startPostgres();
  storeUrl = await postgres.freshDatabase('replicas');
  const sbDir = mkdtempSync(join(tmpdir(), 'nox-replica-sandbox-'));
  dirs.push(sbDir);
  const config = loadConfig(['--data-dir', sbDir], { NOX_LOG_LEVEL: 'silent' });
  sandbox = await startSandbox({ ...config, command: 'sandbox', backend: 'local', port: 0, apiKey: API_KEY }, catalog, {
    startJobs: false,
    embedded: embeddedWorkspace,
    logger: createLogger('silent'),
  });
  const target = new URL(sandbox.url);
  proxy = createServer((req, res) => {
    const isApply = req.method === 'POST' && /\/apply(\?|$)/.test(req.url ?? '');
    if (isApply && upstream.holdNext) {
      upstream.holdNext = false;
      upstream.held.push({ req, res });
      return;
    }
    if (isApply) upstream.applies++;
    const fwd = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    fwd.on('error', () => res.destroy());
    req.pipe(fwd);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
  apiBase = `http://127.0.0.1:${(proxy.address() as { port: number }).port}${target.pathname.replace(/\/$/, '')}`;
  [{ url: A }, { url: B }] = await Promise.all([replica(), replica()]);
}, 120_000);

afterAll(async () => {
  const running = children.filter((c) => c.exitCode === null && c.signalCode === null);
  for (const c of running) c.kill('SIGTERM');
  await Promise.all(running.map((c) => new Promise((r) => c.once('exit', r))));
  for (const h of upstream.held) h.res.destroy();
  proxy?.closeAllConnections();
  await new Promise<void>((r) => (proxy ? proxy.close(() => r()) : r()));
  await sandbox?.close();
  await postgres?.dispose();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('two replicas sharing only PostgreSQL', () => {
  it('a token minted on one applies on the other and replays on the first', async () => {
    const args = await change(A, 'alice', 'Minted on A');
    const before = upstream.applies;
    const p = await ok(A, 'alice', 'collection_add_creators_preview', args);
    const applied = await ok(B, 'alice', 'collection_add_creators_apply', { ...args, preview_token: p.preview_token });
    expect(applied).toMatchObject({ applied: true, replayed: false });
    const replayed = await ok(A, 'alice', 'collection_add_creators_apply', { ...args, preview_token: p.preview_token });
    expect(replayed).toMatchObject({ applied: true, replayed: true, token_id: applied.token_id });
    expect(replayed.result).toEqual(applied.result);
    expect(upstream.applies - before).toBe(1);
  });

  it('50 concurrent applies of one token split across both execute exactly once', async () => {
    const args = await change(B, 'alice', 'Fifty at once');
    const before = upstream.applies;
    const p = await ok(B, 'alice', 'collection_add_creators_preview', args);
    const outcomes = await Promise.all(Array.from({ length: 50 }, (_, i) => call(i % 2 ? A : B, 'alice', 'collection_add_creators_apply', { ...args, preview_token: p.preview_token })));
    const fresh = outcomes.filter((o) => o.ok && o.data.replayed === false);
    expect(fresh).toHaveLength(1);
    // The others replay the recorded outcome (or, past the wait, say it is in progress): none ran it.
    for (const o of outcomes) if (!o.ok) expect(o.data.error_code).toBe('APPLY_IN_PROGRESS');
    expect(outcomes.filter((o) => o.ok && o.data.replayed === true).length).toBeGreaterThanOrEqual(45);
    expect(upstream.applies - before).toBe(1);
    expect(await ok(A, 'alice', 'collection_add_creators_apply', { ...args, preview_token: p.preview_token })).toMatchObject({ replayed: true, token_id: fresh[0]!.data.token_id });
  });

  it('a replica killed mid-apply: the other reports APPLY_OUTCOME_UNKNOWN once its lease runs out, and never runs it', async () => {
    const c = await replica();
    const args = await change(c.url, 'erin', 'Killed mid-apply');
    const p = await ok(c.url, 'erin', 'collection_add_creators_preview', args);
    const before = upstream.applies;
    upstream.holdNext = true;
    const dying = call(c.url, 'erin', 'collection_add_creators_apply', { ...args, preview_token: p.preview_token }).catch(() => 'killed');
    for (let i = 0; i < 200 && upstream.held.length === 0; i++) await sleep(25);
    expect(upstream.held).toHaveLength(1);
    c.child.kill('SIGKILL');
    expect(await dying).toBe('killed');
    const started = Date.now();
    const other = await call(B, 'erin', 'collection_add_creators_apply', { ...args, preview_token: p.preview_token });
    expect(other.ok).toBe(false);
    expect(other.data.error_code).toBe('APPLY_OUTCOME_UNKNOWN');
    // It waited for the dead claimant's lease, not for the in-flight wait to give up.
    expect(Date.now() - started).toBeLessThan(10_000);
    const again = await call(A, 'erin', 'collection_add_creators_apply', { ...args, preview_token: p.preview_token });
    expect(again.data.error_code).toBe('APPLY_OUTCOME_UNKNOWN');
    // The held request never reached the sandbox, and nothing else was sent for this token.
    upstream.held.pop()!.res.destroy();
    expect(upstream.applies - before).toBe(0);
  });

  it('a principal has one rate limit across both replicas', async () => {
    const results: Outcome[] = [];
    // Per replica, two buckets would let all of these through.
    const total = RATE_PER_MINUTE + 60;
    const started = Date.now();
    for (let i = 0; i < total; i += 20) {
      results.push(...(await Promise.all(Array.from({ length: Math.min(20, total - i) }, (_, j) => call((i + j) % 2 ? A : B, 'carol', 'campaign_list', {})))));
    }
    const refilled = Math.ceil(((Date.now() - started) / 60_000) * RATE_PER_MINUTE);
    const allowed = results.filter((r) => r.ok).length;
    const limited = results.filter((r) => !r.ok && r.data.error_code === 'RATE_LIMITED').length;
    expect(allowed + limited).toBe(total);
    expect(allowed).toBeGreaterThanOrEqual(RATE_PER_MINUTE);
    expect(allowed).toBeLessThanOrEqual(RATE_PER_MINUTE + refilled + 1);
    expect(limited).toBeGreaterThan(0);
  });

  it('PostgreSQL restarted mid-run: calls fail closed and retryable, then nothing is lost or doubled', async () => {
    const args = await change(A, 'dave', 'Across a restart');
    const p = await ok(A, 'dave', 'collection_add_creators_preview', args);
    const before = upstream.applies;
    await postgres.stop();
    try {
      const down = await call(B, 'dave', 'collection_add_creators_apply', { ...args, preview_token: p.preview_token });
      expect(down.ok).toBe(false);
      expect(down.data).toMatchObject({ error_code: 'STORE_UNAVAILABLE', action: { type: 'retry_later' } });
      expect(down.data.summary).not.toContain(postgres.password);
      const preview = await call(A, 'dave', 'collection_add_creators_preview', args);
      expect(preview.data.error_code).toBe('STORE_UNAVAILABLE');
      // No claim could be recorded, so nothing was sent upstream.
      expect(upstream.applies - before).toBe(0);
      // A load balancer sees it: not ready while the store is gone, live all the same.
      expect((await fetch(new URL('/readyz', A))).status).toBe(503);
      expect((await fetch(new URL('/healthz', A))).status).toBe(200);
    } finally {
      await postgres.start();
    }
    // The pools reconnect by themselves: the token minted before the restart still applies, once.
    let applied: Outcome | undefined;
    for (let i = 0; i < 100; i++) {
      applied = await call(B, 'dave', 'collection_add_creators_apply', { ...args, preview_token: p.preview_token });
      if (applied.ok || applied.data.error_code !== 'STORE_UNAVAILABLE') break;
      await sleep(100);
    }
    expect(applied!.data).toMatchObject({ applied: true, replayed: false });
    expect(await ok(A, 'dave', 'collection_add_creators_apply', { ...args, preview_token: p.preview_token })).toMatchObject({ replayed: true });
    expect(upstream.applies - before).toBe(1);
    expect(await (await fetch(new URL('/readyz', B))).json()).toEqual({ status: 'ready' });
    const client = new pg.Client({ connectionString: storeUrl });
    await client.connect();
    try {
      const journaled = await client.query('SELECT COUNT(*)::int AS n FROM journal WHERE token_id = $1', [applied!.data.token_id]);
      expect(journaled.rows[0].n).toBe(1);
      const token = await client.query('SELECT status FROM preview_tokens WHERE token_id = $1', [applied!.data.token_id]);
      expect(token.rows[0].status).toBe('applied');
    } finally {
      await client.end();
    }
  });

  it('a server with --backend local and a store URL is refused at start, saying why', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nox-replica-local-'));
    dirs.push(dir);
    const err = await spawnHttpServer({ NOX_DATA_DIR: dir, NOX_STORE_URL: storeUrl }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/local backend keeps its workspace in the SQLite store/);
    expect(err!.message).toMatch(/could not commit together/);
    expect(err!.message).not.toContain(postgres.password);
  });

  it('a store that cannot be reached at start is an error naming host and database, never the password', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nox-replica-down-'));
    dirs.push(dir);
    const url = `postgres://nox:Very-secret-pw-77@127.0.0.1:${postgres.port + 1}/team_ledger`;
    const err = await spawnHttpServer({ NOX_DATA_DIR: dir, NOX_BACKEND: 'http', NOX_API_BASE_URL: apiBase, NOX_API_KEY: API_KEY, NOX_STORE_URL: url }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/127\.0\.0\.1:\d+, database team_ledger/);
    expect(err!.message).not.toContain('Very-secret-pw-77');
  });
});
