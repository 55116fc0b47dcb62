// The Streamable HTTP transport, hardened: bearer identities, Host/Origin checks, the body cap,
// per-principal rate limits, previews bound to the bearer identity; and the built CLI end to end
// over Streamable HTTP on the http backend against a spawned sandbox.
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { loadConfig } from '../../src/config.js';
import { createApp, type App } from '../../src/app.js';
import { RateLimiter, isLoopback, serveHttp, type HttpHandle } from '../../src/http.js';
import { createLogger } from '../../src/log.js';
import { embeddedWorkspace } from '../../workspace/index.js';
import { catalog } from '../../tools/index.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const ALICE = 'alice-token-0123456789abcdef';
const BOB = 'bob-token-0123456789abcdef00';
const dirs: string[] = [];

async function serve(env: Record<string, string>): Promise<{ app: App; http: HttpHandle; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'nox-http-'));
  dirs.push(dir);
  const config = loadConfig(['--http', '--port', '0', '--data-dir', dir], { NOX_LOG_LEVEL: 'silent', ...env });
  const app = createApp(config, catalog, { startJobs: false, embedded: embeddedWorkspace, logger: createLogger('silent') });
  const http = await serveHttp(config, app.serverParts(), app.log);
  return {
    app,
    http,
    close: async () => {
      await http.close();
      await app.close();
    },
  };
}

async function connect(url: string, token?: string): Promise<Client> {
  const client = new Client({ name: 'http-test', version: '0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), token ? { requestInit: { headers: { authorization: `Bearer ${token}` } } } : {}));
  return client;
}

/** A raw request (fetch cannot set Host). */
function raw(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...opts.headers } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(opts.body ?? '');
  });
}

const rpc = (id: number, method: string, params: Record<string, unknown> = {}) => JSON.stringify({ jsonrpc: '2.0', id, method, params });
const envelope = (res: any) => JSON.parse(res.content[0].text);

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('bearer identities, Host and Origin, body cap', () => {
  let s: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    s = await serve({ NOX_HTTP_TOKENS: `alice:${ALICE},bob:${BOB}`, NOX_MAX_BODY_BYTES: '2048' });
  });
  afterAll(() => s.close());

  it('answers 401 without a token or with a wrong one, and serves a valid one', async () => {
    const list = rpc(1, 'tools/list');
    const none = await raw(s.http.url, { body: list });
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    expect((await raw(s.http.url, { body: list, headers: { authorization: `Bearer ${ALICE}x` } })).status).toBe(401);
    expect((await raw(s.http.url, { body: list, headers: { authorization: `Basic ${ALICE}` } })).status).toBe(401);
    const ok = await raw(s.http.url, { body: list, headers: { authorization: `Bearer ${BOB}` } });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body).result.tools.length).toBeGreaterThan(10);
    expect(none.body).not.toContain(ALICE);
  });

  it('answers 403 to a foreign Host or Origin, even with a valid token', async () => {
    const auth = { authorization: `Bearer ${ALICE}` };
    expect((await raw(s.http.url, { body: rpc(1, 'tools/list'), headers: { ...auth, host: 'evil.example' } })).status).toBe(403);
    expect((await raw(s.http.url, { body: rpc(1, 'tools/list'), headers: { ...auth, origin: 'https://evil.example' } })).status).toBe(403);
    expect((await raw(s.http.url, { body: rpc(1, 'tools/list'), headers: { ...auth, origin: 'http://localhost:3000' } })).status).toBe(200);
  });

  it('answers 413 to a body over the cap, declared or streamed', async () => {
    const big = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { pad: 'x'.repeat(4096) } });
    const declared = await raw(s.http.url, { body: big, headers: { authorization: `Bearer ${ALICE}` } });
    expect(declared.status).toBe(413);
    const streamed = await raw(s.http.url, { body: big, headers: { authorization: `Bearer ${ALICE}`, 'transfer-encoding': 'chunked' } });
    expect(streamed.status).toBe(413);
  });

  it('answers /healthz without auth and says nothing else', async () => {
    const h = await raw(s.http.url.replace('/mcp', '/healthz'), { method: 'GET' });
    expect(h.status).toBe(200);
    expect(JSON.parse(h.body)).toEqual({ status: 'ok' });
  });

  it("tells a remote client the files root as its resource prefix, never the server's folders", async () => {
    const auth = { authorization: `Bearer ${ALICE}` };
    const call = (id: number, name: string, args: Record<string, unknown>) => raw(s.http.url, { body: rpc(id, 'tools/call', { name, arguments: args }), headers: auth });
    const listed = await call(1, 'files_list', {});
    expect(JSON.parse(listed.body).result.structuredContent.files_root).toBe('nox://files/');
    const missing = await call(2, 'collection_import_file_preview', { collection_id: 'c1', path: 'nope/creators.xlsx' });
    expect(missing.status).toBe(200);
    expect(missing.body).toContain('nox://files/');
    for (const body of [listed.body, missing.body]) expect(body).not.toContain(s.app.files.root);
  });

  it('binds previews to the bearer identity: another identity gets PREVIEW_INVALID, the owner applies', async () => {
    const alice = await connect(s.http.url, ALICE);
    const bob = await connect(s.http.url, BOB);
    try {
      const cols = (await alice.callTool({ name: 'collection_list', arguments: {} })).structuredContent as any;
      const cid = cols.items[0].collection_id;
      const p = (await alice.callTool({ name: 'collection_delete_preview', arguments: { collection_id: cid } })).structuredContent as any;
      const stolen = await bob.callTool({ name: 'collection_delete_apply', arguments: { collection_id: cid, preview_token: p.preview_token } });
      expect(stolen.isError).toBe(true);
      expect(envelope(stolen)).toMatchObject({ error_code: 'PREVIEW_INVALID' });
      expect(envelope(stolen).summary).toContain('another principal');
      const own = await alice.callTool({ name: 'collection_delete_apply', arguments: { collection_id: cid, preview_token: p.preview_token } });
      expect((own.structuredContent as any).result.deleted).toBe(true);
      const journal = s.app.store.prepare(`SELECT principal FROM journal WHERE operation = 'collection.delete'`).pluck().all();
      expect(journal).toEqual(['alice']);
    } finally {
      await alice.close();
      await bob.close();
    }
  });
});

describe('Origin and Host are compared exactly, never by prefix', () => {
  let s: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    s = await serve({ NOX_ALLOWED_ORIGINS: 'https://app.example.com,http://tools.example.org:8080/' });
  });
  afterAll(() => s.close());
  const list = (headers: Record<string, string>) => raw(s.http.url, { body: rpc(1, 'tools/list'), headers });

  it('refuses look-alike, malformed and null origins with 403', async () => {
    const hostile = [
      'http://127.0.0.1.evil.example',
      'http://127.attacker.example',
      'http://127.0.0.1.nip.io',
      'http://127.0.0.1.nip.io:8765',
      'http://localhost.evil.example',
      'http://localhost.:3000',
      'http://[::1].evil.example',
      'https://app.example.com.evil.example',
      'https://app.example.com:444',
      'http://app.example.com',
      'http://tools.example.org:8081',
      'http://tools.example.org',
      'http://localhost:3000/path',
      'http://user@localhost:3000',
      'file://localhost',
      'null',
      'localhost',
      '',
    ];
    for (const origin of hostile) expect({ origin, status: (await list({ origin })).status }).toEqual({ origin, status: 403 });
  });

  it('serves loopback origins on any port and the configured origins exactly', async () => {
    const port = new URL(s.http.url).port;
    const legit = [
      `http://localhost:${port}`,
      `http://127.0.0.1:${port}`,
      `http://[::1]:${port}`,
      'http://127.4.5.6:5173',
      'https://localhost',
      'https://app.example.com',
      'http://tools.example.org:8080',
    ];
    for (const origin of legit) expect({ origin, status: (await list({ origin })).status }).toEqual({ origin, status: 200 });
    expect((await list({})).status).toBe(200); // no Origin: not a browser
  });

  it('serves loopback Host names and refuses look-alike or malformed ones', async () => {
    const port = new URL(s.http.url).port;
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, 'localhost']) expect({ host, status: (await list({ host })).status }).toEqual({ host, status: 200 });
    for (const host of [
      '127.0.0.1.evil.example',
      `127.0.0.1.nip.io:${port}`,
      '127.attacker.example',
      'localhost.evil.example',
      `localhost:${port}@evil.example`,
      'evil.example',
      `localhost:${port}:1`,
    ])
      expect({ host, status: (await list({ host })).status }).toEqual({ host, status: 403 });
  });

  it('treats as loopback only exact names and 127.0.0.0/8 dotted quads', () => {
    for (const h of ['localhost', '127.0.0.1', '127.255.0.9', '::1', '[::1]']) expect({ h, loopback: isLoopback(h) }).toEqual({ h, loopback: true });
    for (const h of ['127.attacker.example', '127.0.0.1.nip.io', '127.0.0.1.evil.example', '127.1', '127.0.0.256', '127.0.0.01', '0.0.0.0', 'localhost.example', '::ffff:127.0.0.1'])
      expect({ h, loopback: isLoopback(h) }).toEqual({ h, loopback: false });
  });

  it('refuses to start on a look-alike loopback name without a token, and on a malformed allowed origin', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nox-http-'));
    dirs.push(dir);
    // Refused before any lookup or listen: the name is never resolved.
    const lookalike = loadConfig(['--http', '--host', '127.attacker.example', '--port', '0', '--data-dir', dir], { NOX_LOG_LEVEL: 'silent' });
    await expect(serveHttp(lookalike, {} as never, createLogger('silent'))).rejects.toThrow(/bearer token is required/);
    const badOrigin = loadConfig(['--http', '--port', '0', '--data-dir', dir], { NOX_LOG_LEVEL: 'silent', NOX_ALLOWED_ORIGINS: 'https://app.example.com/path' });
    await expect(serveHttp(badOrigin, {} as never, createLogger('silent'))).rejects.toThrow(/NOX_ALLOWED_ORIGINS/);
  });
});

describe('no event stream: GET and DELETE on /mcp are 405', () => {
  let s: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    s = await serve({});
  });
  afterAll(() => s.close());

  /** One request on its own connection (Connection: close), failing after `ms` instead of waiting for a stream that never ends. */
  function once(method: string, ms = 5_000): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request(s.http.url, { method, agent: false, headers: { accept: 'application/json, text/event-stream' } }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        });
      });
      const timer = setTimeout(() => {
        req.destroy();
        reject(new Error(`${method} /mcp did not finish within ${ms} ms`));
      }, ms);
      req.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      req.end();
    });
  }

  const openConnections = () => new Promise<number>((r, j) => s.http.server.getConnections((e, n) => (e ? j(e) : r(n))));

  it('answers 50 concurrent GETs with 405, Allow: POST and a JSON-RPC error, and keeps no connection open', async () => {
    const t0 = Date.now();
    const all = await Promise.all(Array.from({ length: 50 }, () => once('GET')));
    expect(Date.now() - t0).toBeLessThan(5_000);
    for (const r of all) {
      expect(r.status).toBe(405);
      expect(r.headers.allow).toBe('POST');
      expect(r.headers['content-type']).toMatch(/^application\/json/);
      expect(JSON.parse(r.body)).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: expect.any(Number), message: expect.any(String) } });
    }
    let open = await openConnections();
    for (let i = 0; i < 40 && open > 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      open = await openConnections();
    }
    expect(open).toBe(0);
  });

  it('answers DELETE and other methods with 405 and Allow: POST; POST still works', async () => {
    for (const method of ['DELETE', 'PUT', 'PATCH']) {
      const r = await once(method);
      expect({ method, status: r.status, allow: r.headers.allow }).toEqual({ method, status: 405, allow: 'POST' });
    }
    const client = await connect(s.http.url); // the SDK client's own GET probe gets 405 and carries on
    try {
      expect((await client.listTools()).tools.length).toBeGreaterThan(10);
    } finally {
      await client.close();
    }
  });
});

describe("the SDK's Streamable HTTP checks and JSON-RPC shapes, over the per-request server", () => {
  let s: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    s = await serve({});
  });
  afterAll(() => s.close());

  const post = (body: unknown, headers: Record<string, string> = {}) => raw(s.http.url, { body: typeof body === 'string' ? body : JSON.stringify(body), headers });
  const call = (id: number, name: string, args: Record<string, unknown> = {}) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args } });
  const req = (id: number, method: string, params: Record<string, unknown> = {}) => ({ jsonrpc: '2.0', id, method, params });

  it('answers a batch with one response per request, in one JSON array', async () => {
    const r = await post([req(1, 'ping'), call(2, 'campaign_list')]);
    expect(r.status).toBe(200);
    const replies = JSON.parse(r.body) as any[];
    expect(replies.map((m) => m.id).sort()).toEqual([1, 2]);
    expect(replies.find((m) => m.id === 2).result.structuredContent.items.length).toBeGreaterThan(0);
  });

  it('serves prompts, resources and completions beside tool calls in a batch, and alone', async () => {
    const campaignId = (JSON.parse((await post(call(1, 'campaign_list'))).body) as any).result.structuredContent.items[0].campaign_id;
    const r = await post([
      call(1, 'campaign_list'),
      req(2, 'prompts/list'),
      req(3, 'resources/templates/list'),
      req(4, 'prompts/get', { name: 'run_campaign_workflow', arguments: { campaign_id: campaignId } }),
    ]);
    expect(r.status).toBe(200);
    const byId = new Map((JSON.parse(r.body) as any[]).map((m) => [m.id, m]));
    expect(byId.get(1).result.isError).toBeFalsy();
    expect(byId.get(2).result.prompts.map((p: any) => p.name)).toContain('run_campaign_workflow');
    expect(byId.get(3).result.resourceTemplates.map((t: any) => t.name)).toEqual(expect.arrayContaining(['campaign-context', 'files']));
    expect(byId.get(4).result.messages[0].content.text).toContain('campaign_');
    for (const method of ['prompts/list', 'resources/list', 'resources/templates/list']) {
      const alone = JSON.parse((await post(req(7, method))).body);
      expect({ method, answered: alone.result !== undefined }).toEqual({ method, answered: true });
    }
    const read = JSON.parse((await post(req(5, 'resources/read', { uri: `nox://campaigns/${campaignId}/context` }))).body);
    expect(read.result.contents[0].mimeType).toBe('application/json');
    const complete = JSON.parse((await post(req(6, 'completion/complete', { ref: { type: 'ref/prompt', name: 'run_campaign_workflow' }, argument: { name: 'campaign_id', value: '' } }))).body);
    expect(complete.result.completion.values).toContain(campaignId);
  });

  it('announces tools, resources, prompts and completions on initialize', async () => {
    const init = req(1, 'initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'http-test', version: '0' } });
    const r = await post(init);
    expect(r.status).toBe(200);
    expect(Object.keys(JSON.parse(r.body).result.capabilities).sort()).toEqual(['completions', 'logging', 'prompts', 'resources', 'tools']);
  });

  it('answers a post of notifications only with 202 and no body', async () => {
    const r = await post([
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 9 } },
    ]);
    expect({ status: r.status, body: r.body }).toEqual({ status: 202, body: '' });
  });

  it('refuses a bad Accept (406), a non-JSON Content-Type (415) and an unsupported MCP-Protocol-Version (400)', async () => {
    const ping = req(1, 'ping');
    const accept = await post(ping, { accept: 'application/json' });
    expect(accept.status).toBe(406);
    expect(JSON.parse(accept.body)).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32000, message: expect.stringContaining('Not Acceptable') } });
    expect((await post(ping, { 'content-type': 'text/plain' })).status).toBe(415);
    const version = await post(ping, { 'mcp-protocol-version': '1999-01-01' });
    expect(version.status).toBe(400);
    expect(JSON.parse(version.body).error.message).toContain('Unsupported protocol version');
    expect((await post(ping, { 'mcp-protocol-version': '2025-06-18' })).status).toBe(200);
  });

  it('answers JSON that is not JSON-RPC, and a batch over the limit, with 400 and a JSON-RPC error', async () => {
    const notRpc = await post({ hello: 1 });
    expect(notRpc.status).toBe(400);
    expect(JSON.parse(notRpc.body).error.code).toBe(-32700);
    const big = await post(Array.from({ length: 101 }, (_, i) => req(i, 'ping')));
    expect(big.status).toBe(400);
    expect(JSON.parse(big.body).error.code).toBe(-32600);
  });
});

describe('rate limits per principal', () => {
  it('refuses tool calls over the limit with RATE_LIMITED and a wait, per identity', async () => {
    const s = await serve({ NOX_HTTP_TOKENS: `alice:${ALICE},bob:${BOB}`, NOX_RATE_LIMIT_PER_MINUTE: '3' });
    const alice = await connect(s.http.url, ALICE);
    const bob = await connect(s.http.url, BOB);
    try {
      for (let i = 0; i < 3; i++) expect((await alice.callTool({ name: 'campaign_list', arguments: {} })).isError).toBeFalsy();
      const limited = await alice.callTool({ name: 'campaign_list', arguments: {} });
      expect(limited.isError).toBe(true);
      const e = envelope(limited);
      expect(e).toMatchObject({ error_code: 'RATE_LIMITED', action: { type: 'retry_later' } });
      expect(e.details.retry_after_seconds).toBeGreaterThanOrEqual(1);
      expect(e.summary).toContain('3 per minute');
      // Listing is not a tool call; another identity has its own budget.
      expect((await alice.listTools()).tools.length).toBeGreaterThan(0);
      expect((await bob.callTool({ name: 'campaign_list', arguments: {} })).isError).toBeFalsy();
      const rawLimited = await raw(s.http.url, { body: rpc(9, 'tools/call', { name: 'campaign_list', arguments: {} }), headers: { authorization: `Bearer ${ALICE}` } });
      expect(Number(rawLimited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    } finally {
      await alice.close();
      await bob.close();
      await s.close();
    }
  });

  it('refills continuously', () => {
    let t = 0;
    const l = new RateLimiter(60, () => t);
    for (let i = 0; i < 60; i++) expect(l.take('p')).toBe(0);
    expect(l.take('p')).toBe(1000);
    t += 1000;
    expect(l.take('p')).toBe(0);
    expect(l.take('q')).toBe(0);
  });

  it('refuses to start off loopback without a token', async () => {
    const config = loadConfig(['--http', '--host', '0.0.0.0', '--port', '0', '--data-dir', mkdtempSync(join(tmpdir(), 'nox-http-'))], { NOX_LOG_LEVEL: 'silent' });
    dirs.push(config.dataDir);
    await expect(serveHttp(config, {} as never, createLogger('silent'))).rejects.toThrow(/bearer token is required/);
  });
});

describe('the built CLI over Streamable HTTP, on the http backend against a spawned sandbox', () => {
  const children: ChildProcess[] = [];
  let url: string;
  const apiKey = 'e2e-sandbox-key-0123456789';

  function start(args: string[], env: Record<string, string>, pattern: RegExp): Promise<{ child: ChildProcess; match: string; stderr: () => string }> {
    // debug: the most a log can say, and still no secret may appear in it
    const child = spawn(process.execPath, [join(root, 'dist/src/cli.js'), ...args], { env: { ...process.env, NOX_LOG_LEVEL: 'debug', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(child);
    let buf = '';
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no match in: ${buf}`)), 20_000);
      child.stderr!.on('data', (d) => {
        buf += d;
        const m = pattern.exec(buf);
        if (m) {
          clearTimeout(timer);
          resolve({ child, match: m[1]!, stderr: () => buf });
        }
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${buf}`)));
    });
  }

  let serverLog: () => string;
  let sandboxLog: () => string;
  beforeAll(async () => {
    if (!existsSync(join(root, 'dist/src/cli.js'))) throw new Error('build first: npm run build (npm test does it)');
    const dir = mkdtempSync(join(tmpdir(), 'nox-e2e-http-'));
    dirs.push(dir);
    const sandbox = await start(['sandbox', '--port', '0'], { NOX_DATA_DIR: join(dir, 'api'), NOX_API_KEY: apiKey }, /"url":"(http:\/\/127\.0\.0\.1:\d+)"/);
    sandboxLog = sandbox.stderr;
    const server = await start(
      ['--http', '--port', '0', '--backend', 'http', '--api-base-url', sandbox.match],
      { NOX_DATA_DIR: join(dir, 'mcp'), NOX_API_KEY: apiKey, NOX_HTTP_TOKENS: `alice:${ALICE}` },
      /"url":"(http:\/\/127\.0\.0\.1:\d+\/mcp)"/,
    );
    serverLog = server.stderr;
    url = server.match;
  });
  afterAll(() => {
    for (const c of children) c.kill('SIGTERM');
  });

  it('runs the workflow first steps through the SDK client, and no log holds a secret', async () => {
    const client = await connect(url, ALICE);
    let previewToken: string;
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toContain('collection_add_creators_apply');
      const campaigns = (await client.callTool({ name: 'campaign_list', arguments: {} })).structuredContent as any;
      expect(campaigns.total).toBeGreaterThanOrEqual(3);
      const campaign = (await client.callTool({ name: 'campaign_get', arguments: { campaign_id: campaigns.items[0].campaign_id } })).structuredContent as any;
      expect(campaign.campaign_id).toBe(campaigns.items[0].campaign_id);
      const found = (await client.callTool({ name: 'creator_search', arguments: { platform: 'youtube', page_size: 50 } })).structuredContent as any;
      const col = (await client.callTool({ name: 'collection_create', arguments: { name: 'E2E picks', campaign_id: campaign.campaign_id } })).structuredContent as any;
      const args = { collection_ids: [col.collection_id], platform: 'youtube', creator_ids: found.items.slice(0, 4).map((c: any) => c.creator_id) };
      const p = (await client.callTool({ name: 'collection_add_creators_preview', arguments: args })).structuredContent as any;
      expect(p.effect.will_add_count).toBe(4);
      previewToken = p.preview_token;
      const a = (await client.callTool({ name: 'collection_add_creators_apply', arguments: { ...args, preview_token: p.preview_token } })).structuredContent as any;
      expect(a).toMatchObject({ applied: true, replayed: false });
      expect(a.result.added_count).toBe(4);
      const items = (await client.callTool({ name: 'collection_items', arguments: { collection_id: col.collection_id, platform: 'youtube' } })).structuredContent as any;
      expect(items.total).toBe(4);
      const missing = await client.callTool({ name: 'campaign_get', arguments: { campaign_id: 'cmp_missing' } });
      expect(envelope(missing).error_code).toBe('NOT_FOUND');
      expect(envelope(missing).action.hint).toBeTruthy();
    } finally {
      await client.close();
    }
    // a refused bearer token is not echoed into the log either
    expect((await fetch(url, { method: 'POST', headers: { authorization: 'Bearer not-the-token-0123456789', 'content-type': 'application/json' }, body: '{}' })).status).toBe(401);
    // The logger writes asynchronously: wait for the refusal's debug line before reading the whole log.
    for (let i = 0; i < 100 && !serverLog().includes('"level":20'); i++) await new Promise((r) => setTimeout(r, 20));
    expect(serverLog()).toContain('"level":20'); // debug lines were written
    for (const log of [serverLog(), sandboxLog()]) {
      expect(log).not.toContain(apiKey);
      expect(log).not.toContain(ALICE);
      expect(log).not.toContain('not-the-token-0123456789');
      expect(log).not.toContain(previewToken);
      expect(log).not.toContain(previewToken.split('.')[2]); // the token's secret part alone
    }
  });
});
