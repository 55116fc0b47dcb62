// The http backend against faults: a loopback stub plays the misbehaving API for retries,
// timeouts and error mapping; the sandbox behind a response-dropping proxy shows that a write
// whose response was lost is retried with the same Idempotency-Key and takes effect once.
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpBackend } from '../../src/backend/http/index.js';
import { restRoutes } from '../../src/backend/http/rest.js';
import { startSandbox, type Sandbox } from '../../src/backend/sandbox.js';
import { StaleStateError } from '../../src/backend/contract.js';
import { ToolError } from '../../src/errors.js';
import { digest } from '../../src/guard/canonical.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { embeddedWorkspace } from '../../workspace/index.js';
import { catalog, operations } from '../../tools/index.js';
import { startServer, workspaceChecksum } from '../helpers/server.js';

const KEY = 'stub-api-key-0123456789abcdef';
const op = (name: string) => operations.find((o) => o.name === name)!;
const call = { principal: 'tester' };

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A loopback API whose answer to the n-th request (from 0) is given by the test. */
async function stub(answer: (n: number, req: Seen, res: ServerResponse) => void): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const s = { method: req.method!, url: req.url!, headers: req.headers, body };
      seen.push(s);
      answer(seen.length - 1, s, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/html' : 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
};
const success = (data: unknown, meta: Record<string, unknown> = {}) => ({ success: true, data, summary: 'ok', meta });
const campaign = { campaign_id: 'cmp_1', name: 'x' };

function backend(url: string, over: Partial<ConstructorParameters<typeof HttpBackend>[1]> = {}): HttpBackend {
  return new HttpBackend(operations, { baseUrl: url, apiKey: KEY, timeoutMs: 2_000, backoffMs: 5, maxBackoffMs: 20, maxRetries: 3, ...over });
}

async function refusal(p: Promise<unknown>): Promise<ToolError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ToolError) return e;
    throw e;
  }
  throw new Error('expected a ToolError');
}

describe('the REST contract', () => {
  it('derives one unique route per operation and stage, stages as POST <path>/<stage>', () => {
    const routes = restRoutes(operations);
    const keys = routes.map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
    const del = routes.filter((r) => r.op.name === 'campaign.delete').map((r) => `${r.method} ${r.path}`);
    expect(del).toEqual(['POST /campaigns/:campaign_id/preview', 'POST /campaigns/:campaign_id/apply']);
    expect(routes.find((r) => r.op.name === 'campaign.get')).toMatchObject({ method: 'GET', path: '/campaigns/:campaign_id', write: false });
    expect(routes.find((r) => r.op.name === 'campaign.create')).toMatchObject({ method: 'POST', write: true });
  });
});

describe('retries and timeouts (loopback stub)', () => {
  it('honours Retry-After on 429, then succeeds', async () => {
    const s = await stub((n, _r, res) => (n === 0 ? send(res, 429, { success: false, error_code: 'RATE_LIMITED', summary: 'slow down' }, { 'retry-after': '1' }) : send(res, 200, success(campaign))));
    const b = backend(s.url);
    try {
      const t0 = Date.now();
      expect(await b.run(op('campaign.get'), { campaign_id: 'cmp_1' }, call)).toEqual(campaign);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
      expect(s.seen).toHaveLength(2);
      expect(s.seen[0]!.url).toBe('/v1/campaigns/cmp_1');
      expect(s.seen[0]!.headers['x-api-key']).toBe(KEY);
      expect(s.seen[0]!.headers['x-nox-principal']).toBe('tester');
    } finally {
      await b.close();
      await s.close();
    }
  });

  it('retries a 503, then succeeds; reads carry the query, arrays repeated', async () => {
    const s = await stub((n, _r, res) => (n === 0 ? send(res, 503, 'busy') : send(res, 200, success({ items: [], total: 0, page: 2, page_size: 5, has_more: false }))));
    const b = backend(s.url);
    try {
      const out = await b.run(op('campaign.list'), { page: 2, page_size: 5, keyword: 'a b' }, call);
      expect(out).toMatchObject({ total: 0, page: 2 });
      expect(s.seen).toHaveLength(2);
      expect(s.seen[1]!.url).toBe('/v1/campaigns?page=2&page_size=5&keyword=a+b');
    } finally {
      await b.close();
      await s.close();
    }
  });

  it('retries a dropped connection', async () => {
    const s = await stub((n, _r, res) => (n === 0 ? res.socket!.destroy() : send(res, 200, success(campaign))));
    const b = backend(s.url);
    try {
      expect(await b.run(op('campaign.get'), { campaign_id: 'cmp_1' }, call)).toEqual(campaign);
      expect(s.seen).toHaveLength(2);
    } finally {
      await b.close();
      await s.close();
    }
  });

  it('gives up on a response slower than the timeout, saying so', async () => {
    const s = await stub((_n, _r, res) => setTimeout(() => !res.destroyed && send(res, 200, success(campaign)), 1_500));
    const b = backend(s.url, { timeoutMs: 150, maxRetries: 1 });
    try {
      const t0 = Date.now();
      const e = await refusal(b.run(op('campaign.get'), { campaign_id: 'cmp_1' }, call));
      expect(Date.now() - t0).toBeLessThan(1_400);
      expect(e.code).toBe('UPSTREAM_UNAVAILABLE');
      expect(e.message).toContain('no answer within 150 ms');
      expect(s.seen).toHaveLength(2);
    } finally {
      await b.close();
      await s.close();
    }
  });

  it('reports a non-JSON 502 by status and a short excerpt, inventing no action', async () => {
    const page = `<html><body><h1>502 Bad Gateway</h1>${'x'.repeat(2000)} ${KEY}</body></html>`;
    const s = await stub((_n, _r, res) => send(res, 502, page));
    const b = backend(s.url, { maxRetries: 2 });
    try {
      const e = await refusal(b.run(op('campaign.get'), { campaign_id: 'cmp_1' }, call));
      expect(e.code).toBe('UPSTREAM_502');
      expect(e.message).toContain('502 Bad Gateway');
      expect(e.message.length).toBeLessThan(400);
      expect(e.action).toBeUndefined();
      expect(s.seen).toHaveLength(3);
      expect(JSON.stringify(e.toEnvelope())).not.toContain(KEY);
    } finally {
      await b.close();
      await s.close();
    }
  });

  it('keeps the error_code and action of an error envelope and does not retry it', async () => {
    const action = { type: 'look_up_id', hint: 'Campaign ids come from campaign_list.', url: 'https://example.test/docs' };
    const s = await stub((_n, _r, res) => send(res, 404, { success: false, error_code: 'NOT_FOUND', summary: `No campaign (key ${KEY}).`, action }));
    const b = backend(s.url);
    try {
      const e = await refusal(b.run(op('campaign.get'), { campaign_id: 'nope' }, call));
      expect(e.code).toBe('NOT_FOUND');
      expect(e.action).toEqual(action);
      expect(e.message).not.toContain(KEY);
      expect(s.seen).toHaveLength(1);
    } finally {
      await b.close();
      await s.close();
    }
  });

  it('retries a write only with its same Idempotency-Key; an apply nobody confirms is UPSTREAM_UNAVAILABLE', async () => {
    const s = await stub((n, _r, res) => (n === 0 ? send(res, 503, 'busy') : n === 1 ? send(res, 200, success({ ...campaign, status: 'draft' })) : res.socket!.destroy()));
    const b = backend(s.url, { maxRetries: 2 });
    try {
      await b.run(op('campaign.create'), { name: 'x', objective: 'y', markets: [], platforms: [], status: 'draft' }, call);
      expect(s.seen).toHaveLength(2);
      const keys = s.seen.map((r) => r.headers['idempotency-key']);
      expect(keys[0]).toMatch(/^nox-w-/);
      expect(keys[1]).toBe(keys[0]);
      expect(JSON.parse(s.seen[1]!.body)).toEqual({ name: 'x', objective: 'y', markets: [], platforms: [], status: 'draft' });

      let recorded = 0;
      const e = await refusal(b.apply(op('campaign.delete'), { campaign_id: 'cmp_1' }, call, { stateDigest: 'd1', idempotencyKey: 'nox-token1', record: () => recorded++ }));
      expect(e.code).toBe('UPSTREAM_UNAVAILABLE');
      expect(e.action?.type).toBe('read_state');
      expect(recorded).toBe(0);
      const applies = s.seen.slice(2);
      expect(applies).toHaveLength(3);
      expect(applies.every((r) => r.url === '/v1/campaigns/cmp_1/apply' && r.headers['idempotency-key'] === 'nox-token1' && r.headers['x-nox-state-digest'] === 'd1')).toBe(true);
    } finally {
      await b.close();
      await s.close();
    }
  });

  it('turns STATE_CHANGED into a stale-state refusal carrying the new state', async () => {
    const s = await stub((_n, _r, res) => send(res, 409, { success: false, error_code: 'STATE_CHANGED', summary: 'changed', meta: { state: { campaign: { updated_at: 'later' } } } }));
    const b = backend(s.url);
    try {
      const err = await b.apply(op('campaign.delete'), { campaign_id: 'cmp_1' }, call, { stateDigest: 'd', idempotencyKey: 'nox-t', record: () => undefined }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StaleStateError);
      expect((err as StaleStateError).state).toEqual({ campaign: { updated_at: 'later' } });
      expect(s.seen).toHaveLength(1);
    } finally {
      await b.close();
      await s.close();
    }
  });
});

describe('the sandbox behind a proxy that loses write responses', () => {
  let dir: string;
  let sandbox: Sandbox;
  let proxy: Server;
  let proxyUrl: string;
  /** `METHOD /path` of requests whose next response the proxy drops after the sandbox answered. */
  const dropNext = new Set<string>();
  const dropAlways = new Set<string>();
  const forwarded: { url: string; key: string | undefined; status: number; replayed: boolean }[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nox-faults-'));
    const config = loadConfig(['sandbox', '--data-dir', join(dir, 'sandbox'), '--port', '0'], { NOX_API_KEY: KEY, NOX_LOG_LEVEL: 'silent' });
    sandbox = await startSandbox(config, catalog, { startJobs: false, embedded: embeddedWorkspace, logger: createLogger('silent') });
    const target = new URL(sandbox.url);
    proxy = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const up = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (upRes) => {
          const body: Buffer[] = [];
          upRes.on('data', (c: Buffer) => body.push(c));
          upRes.on('end', () => {
            const path = new URL(req.url!, 'http://x').pathname;
            forwarded.push({
              url: `${req.method} ${path}`,
              key: req.headers['idempotency-key'] as string | undefined,
              status: upRes.statusCode!,
              replayed: upRes.headers['idempotent-replayed'] === 'true',
            });
            if (dropNext.delete(`${req.method} ${path}`) || dropAlways.has(`${req.method} ${path}`)) return res.socket!.destroy(); // the write happened; its answer is lost
            res.writeHead(upRes.statusCode!, upRes.headers);
            res.end(Buffer.concat(body));
          });
        });
        up.end(Buffer.concat(chunks));
      });
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    proxy.closeAllConnections();
    await new Promise<void>((r) => proxy.close(() => r()));
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const server = () => startServer({ backend: () => new HttpBackend(operations, { baseUrl: proxyUrl, apiKey: KEY, timeoutMs: 5_000, backoffMs: 5, maxBackoffMs: 20 }) });

  it('a created record whose response was lost exists exactly once', async () => {
    const s = await server();
    try {
      const count = () => sandbox.app.store.prepare(`SELECT COUNT(*) FROM campaigns WHERE name = 'Lost response'`).pluck().get();
      dropNext.add('POST /campaigns');
      const c = await s.ok('campaign_create', { name: 'Lost response', objective: 'Created once.' });
      expect(count()).toBe(1);
      expect((await s.ok('campaign_get', { campaign_id: c.campaign_id })).name).toBe('Lost response');
      const creates = forwarded.filter((f) => f.url === 'POST /campaigns');
      expect(creates).toHaveLength(2);
      expect(creates[1]!.key).toBe(creates[0]!.key);
      expect(creates.map((f) => f.replayed)).toEqual([false, true]);
    } finally {
      await s.close();
    }
  });

  it('an apply whose response was lost is retried with the same key and takes effect once', async () => {
    const s = await server();
    try {
      const cols = await s.ok('collection_list', { page_size: 1 });
      const cid = cols.items[0].collection_id;
      const present = new Set((await s.ok('collection_items', { collection_id: cid, platform: 'youtube', page_size: 100 })).items.map((i: any) => i.creator_id));
      const fresh = (await s.ok('creator_search', { platform: 'youtube', page_size: 100 })).items
        .map((c: any) => c.creator_id)
        .filter((x: string) => !present.has(x))
        .slice(0, 3);
      const args = { collection_ids: [cid], platform: 'youtube', creator_ids: fresh };
      const before = (await s.ok('collection_items', { collection_id: cid, platform: 'youtube', page_size: 1 })).total;
      const p = await s.ok('collection_add_creators_preview', args);
      dropNext.add('POST /collections/add-creators/apply');
      const a = await s.ok('collection_add_creators_apply', { ...args, preview_token: p.preview_token });
      expect(a).toMatchObject({ applied: true, replayed: false });
      expect(a.result.added_count).toBe(3);
      expect((await s.ok('collection_items', { collection_id: cid, platform: 'youtube', page_size: 1 })).total).toBe(before + 3);
      const applies = forwarded.filter((f) => f.url === 'POST /collections/add-creators/apply');
      expect(applies.map((f) => [f.status, f.replayed])).toEqual([
        [200, false],
        [200, true],
      ]);
      expect(applies[1]!.key).toBe(applies[0]!.key);
      expect(applies[0]!.key).toBe(`nox-${a.token_id}`);
      // A repeat of the apply is answered from the guard's ledger: nothing reaches the API.
      const checksum = workspaceChecksum(sandbox.app.store);
      expect((await s.ok('collection_add_creators_apply', { ...args, preview_token: p.preview_token })).replayed).toBe(true);
      expect(forwarded.filter((f) => f.url === 'POST /collections/add-creators/apply')).toHaveLength(2);
      expect(workspaceChecksum(sandbox.app.store)).toBe(checksum);
    } finally {
      await s.close();
    }
  });

  it('an apply the API never confirms is APPLY_OUTCOME_UNKNOWN, took effect once, and is never re-executed', async () => {
    const s = await server();
    try {
      const c = await s.ok('campaign_create', { name: 'Unconfirmed delete', objective: 'x' });
      const p = await s.ok('campaign_delete_preview', { campaign_id: c.campaign_id });
      const route = `POST /campaigns/${c.campaign_id}/apply`;
      dropAlways.add(route);
      const e = await s.err('campaign_delete_apply', { campaign_id: c.campaign_id, preview_token: p.preview_token });
      dropAlways.delete(route);
      expect(e.error_code).toBe('APPLY_OUTCOME_UNKNOWN');
      expect(e.action?.type).toBe('read_state');
      const tries = forwarded.filter((f) => f.url === route);
      expect(tries.length).toBe(4); // the first attempt and three retries, all with the same key
      expect(new Set(tries.map((f) => f.key)).size).toBe(1);
      expect(tries.map((f) => f.replayed)).toEqual([false, true, true, true]);
      expect(sandbox.app.store.prepare('SELECT COUNT(*) FROM campaigns WHERE campaign_id = ?').pluck().get(c.campaign_id)).toBe(0);
      // Reading the state back is what the action says; a repeat of the apply never reaches the API.
      expect((await s.err('campaign_get', { campaign_id: c.campaign_id })).error_code).toBe('NOT_FOUND');
      expect((await s.err('campaign_delete_apply', { campaign_id: c.campaign_id, preview_token: p.preview_token })).error_code).toBe('APPLY_OUTCOME_UNKNOWN');
      expect(forwarded.filter((f) => f.url === route)).toHaveLength(4);
    } finally {
      await s.close();
    }
  });

  // Dot segments and separators in an id would be resolved into another route: collection_id ".."
  // turned POST /collections/../batch/apply into collection.delete's apply.
  const HOSTILE_IDS = ['..', '.', '%2e%2e', '.%2E', '%2e', '%252e%252e', 'a/b', '../x', 'a\\b', '%2F', 'a%5cb', ''];

  it('refuses dot-segment and separator ids with INVALID_REQUEST before anything is sent', async () => {
    const s = await server();
    try {
      const cid = (await s.ok('collection_list', { page_size: 1 })).items[0].collection_id;
      const checksum = workspaceChecksum(sandbox.app.store);
      const sent = forwarded.length;
      for (const id of HOSTILE_IDS) {
        const calls: [string, Record<string, unknown>][] = [
          ['collection_get', { collection_id: id }],
          ['campaign_get', { campaign_id: id }],
          ['collection_update', { collection_id: id, name: 'Renamed by a dot' }],
          ['collection_delete_preview', { collection_id: id }],
          ['collection_batch_validate', { collection_id: id, platform: 'youtube', action: 'delete', creator_ids: ['x'] }],
          ['collection_batch_preview', { collection_id: id, platform: 'youtube', action: 'delete', creator_ids: ['x'] }],
          ['collection_batch_preview', { collection_id: id, platform: 'youtube', action: 'move', creator_ids: ['x'], target_collection_id: cid }],
        ];
        for (const [tool, args] of calls) {
          const e = await s.err(tool, args);
          expect({ tool, id, code: e.error_code }).toEqual({ tool, id, code: 'INVALID_REQUEST' });
          expect(e.action?.hint).toBeTruthy();
        }
        // An apply never gets that far either: there is no preview of it to apply.
        expect((await s.err('collection_batch_apply', { collection_id: id, platform: 'youtube', action: 'delete', creator_ids: ['x'], preview_token: 'pt_forged' })).error_code).toMatch(
          /^(PREVIEW_INVALID|INVALID_REQUEST)$/,
        );
      }
      expect(forwarded.length).toBe(sent);
      expect(workspaceChecksum(sandbox.app.store)).toBe(checksum);
      expect((await s.ok('collection_get', { collection_id: cid })).collection_id).toBe(cid);
    } finally {
      await s.close();
    }
  });

  // An id spelled like a fixed word of the routes would reach another operation: creator_id
  // "archive" turned POST /crm/:creator_id/preview into crm.archive's preview.
  it('refuses ids spelled like a fixed path word before anything is sent', async () => {
    const s = await server();
    try {
      const sent = forwarded.length;
      const calls: [string, Record<string, unknown>][] = [
        ['crm_get', { creator_id: 'labels' }],
        ['crm_update_preview', { creator_id: 'archive', remark: 'x' }],
        ['campaign_get', { campaign_id: 'dropdown' }],
        ['message_get', { thread_id: 'templates' }],
      ];
      for (const [tool, args] of calls) {
        const e = await s.err(tool, args);
        expect({ tool, code: e.error_code }).toEqual({ tool, code: 'INVALID_REQUEST' });
        expect(e.summary).toMatch(/fixed word of the API's paths/);
      }
      expect(forwarded.length).toBe(sent);
      // A near miss is an ordinary id and is sent.
      expect((await s.err('crm_get', { creator_id: 'labels2' })).error_code).toBe('NOT_FOUND');
      expect(forwarded.length).toBe(sent + 1);
    } finally {
      await s.close();
    }
  });

  it('percent-encodes ids with spaces and unicode as one segment, which the sandbox decodes back exactly', async () => {
    const s = await server();
    try {
      for (const id of ['cmp with spaces', 'cmp_ü_✓_名前', '100% sure?#&=+', 'a%41', '...', '.x', 'x..']) {
        const before = forwarded.length;
        const e = await s.err('campaign_get', { campaign_id: id });
        expect({ id, code: e.error_code }).toEqual({ id, code: 'NOT_FOUND' });
        expect(e.summary).toContain(JSON.stringify(id)); // the sandbox read back exactly this id
        const sentNow = forwarded.slice(before);
        expect(sentNow.map((f) => f.url)).toEqual([`GET /campaigns/${encodeURIComponent(id)}`]);
      }
    } finally {
      await s.close();
    }
  });

  it('the sandbox refuses a request whose path holds a dot segment or an encoded separator', async () => {
    // Sent raw (node:http keeps the path as written; fetch and URL would resolve the dots first).
    const post = (path: string, headers: Record<string, string> = {}, body: unknown = {}) =>
      new Promise<{ status: number; body: any }>((resolve, reject) => {
        const t = new URL(sandbox.url);
        const req = httpRequest({ host: t.hostname, port: t.port, method: 'POST', path, headers: { 'content-type': 'application/json', 'x-api-key': KEY, ...headers } }, (res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(body) }));
        });
        req.on('error', reject);
        req.end(JSON.stringify(body));
      });
    const c = await post('/collections', { 'idempotency-key': 'dot-seg-create-0001' }, { name: 'Dot-segment target' });
    expect(c.status).toBe(200);
    const cid = c.body.data.collection_id as string;
    const preview = await post(`/collections/${cid}/preview`);
    expect(preview.status).toBe(200);
    const state = { 'x-nox-state-digest': digest(preview.body.meta.state) };
    const checksum = workspaceChecksum(sandbox.app.store);
    let n = 0;
    // Each would otherwise be resolved to /collections/<cid>/apply: a delete nobody previewed by that path.
    for (const path of [
      `/collections/${cid}/batch/../apply`,
      `/collections/${cid}/batch/%2e%2e/apply`,
      `/collections/${cid}/x/.%2E/apply`,
      `/collections/${cid}/./apply`,
      `/collections/${cid}/batch/..\\apply`,
    ]) {
      const r = await post(path, { ...state, 'idempotency-key': `dot-seg-apply-${n++}-000` });
      expect({ path, status: r.status, code: r.body.error_code }).toEqual({ path, status: 400, code: 'INVALID_REQUEST' });
    }
    for (const path of [`/collections/a%2Fb/preview`, `/collections/a%5Cb/preview`, `/collections/%252e%252e/preview`]) {
      const r = await post(path);
      expect({ path, status: r.status, code: r.body.error_code }).toEqual({ path, status: 400, code: 'INVALID_REQUEST' });
    }
    expect(workspaceChecksum(sandbox.app.store)).toBe(checksum);
    expect(sandbox.app.store.prepare('SELECT COUNT(*) FROM collections WHERE collection_id = ?').pluck().get(cid)).toBe(1);
  });

  it('refuses a reused Idempotency-Key with another body, a missing key, and a wrong API key', async () => {
    const post = (headers: Record<string, string>, body: unknown) =>
      fetch(`${sandbox.url}/campaigns`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) }).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as any,
      }));
    const first = await post({ 'x-api-key': KEY, 'idempotency-key': 'key-reuse-0001' }, { name: 'Once', objective: 'a' });
    expect(first.status).toBe(200);
    const same = await post({ 'x-api-key': KEY, 'idempotency-key': 'key-reuse-0001' }, { name: 'Once', objective: 'a' });
    expect(same.body.data.campaign_id).toBe(first.body.data.campaign_id);
    const other = await post({ 'x-api-key': KEY, 'idempotency-key': 'key-reuse-0001' }, { name: 'Twice', objective: 'b' });
    expect(other.status).toBe(422);
    expect(other.body).toMatchObject({ success: false, error_code: 'IDEMPOTENCY_KEY_REUSED' });
    expect((await post({ 'x-api-key': KEY }, { name: 'No key', objective: 'c' })).status).toBe(400);
    const wrong = await post({ 'x-api-key': 'nope', 'idempotency-key': 'key-reuse-0002' }, { name: 'x', objective: 'd' });
    expect(wrong).toMatchObject({ status: 401, body: { success: false, error_code: 'INVALID_API_KEY' } });
    expect(sandbox.app.store.prepare(`SELECT COUNT(*) FROM campaigns WHERE name IN ('Once','Twice','No key')`).pluck().get()).toBe(1);
    const health = await fetch(`${sandbox.url}/healthz`);
    expect(health.status).toBe(200);
  });
});

describe('query encoding', () => {
  it('round-trips typed values through a GET query by the input schema', async () => {
    const { z } = await import('zod');
    const { defineContract } = await import('../../src/catalog.js');
    const { encodeRequest, decodeRequest } = await import('../../src/backend/http/rest.js');
    const probe = defineContract({
      name: 'probe.read',
      toolset: 'probe',
      title: 'Probe',
      description: 'Probe.',
      kind: 'read',
      risk: 'low',
      route: { method: 'GET', path: '/probes/:probe_id' },
      input: z.strictObject({
        probe_id: z.string(),
        keyword: z.string().optional(),
        page: z.int().default(1),
        flag: z.boolean().optional(),
        ids: z.array(z.string()).optional(),
        nums: z.array(z.int()).optional(),
        where: z.object({ a: z.int() }).optional(),
      }),
      output: z.object({}),
    });
    const [route] = restRoutes([probe]);
    for (const input of [
      { probe_id: 'p 1 x ü%', keyword: '123', page: 3, flag: false, ids: ['only'], nums: [1, 2], where: { a: 1 } },
      { probe_id: 'p2', keyword: 'true', ids: [], nums: [] },
      { probe_id: 'p3', ids: ['a,b', '[x]'] },
    ]) {
      const enc = encodeRequest(route!, input);
      const url = new URL(enc.path, 'http://x');
      expect(url.pathname.startsWith('/probes/')).toBe(true);
      const { matchRoute } = await import('../../src/backend/http/rest.js');
      const m = matchRoute([route!], 'GET', url.pathname);
      expect(m).not.toBe('method');
      const back = decodeRequest(route!, (m as { params: Record<string, string> }).params, url.searchParams, undefined);
      expect(back).toEqual(input);
    }
  });
});
