// The sandbox: serves the local backend over the REST contract of docs/api.md on 127.0.0.1, so
// the http backend is exercised end to end over real sockets. API-key auth, the success and error
// envelopes, and idempotency: a write's Idempotency-Key is recorded in the same transaction as the
// write, a repeated key returns the first answer, and the same key with another body is refused.
// Keys are scoped to the principal and the operation and kept 24 hours, like the MCP server's own
// idempotency records, so a caller's idempotency_key forwarded here means the same thing.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { CallInfo, Catalog } from '../catalog.js';
import type { Config } from '../config.js';
import { createApp, type App, type AppOptions } from '../app.js';
import type { Migration } from '../store.js';
import { issuesOf, ToolError } from '../errors.js';
import { stagesOf } from '../invoke.js';
import { digest } from '../guard/canonical.js';
import { StaleStateError } from './contract.js';
import {
  API_KEY_HEADER,
  IDEMPOTENCY_HEADER,
  PRINCIPAL_HEADER,
  REPLAYED_HEADER,
  STATE_CHANGED,
  STATE_DIGEST_HEADER,
  decodeRequest,
  matchRoute,
  restRoutes,
  statusOf,
  unsafeSegment,
  type FailureEnvelope,
  type RestRoute,
  type SuccessEnvelope,
} from './http/rest.js';
import { readBody } from '../request-body.js';

export const sandboxMigrations: Migration[] = [
  {
    id: 'sandbox_001_idempotency',
    sql: `
      CREATE TABLE sandbox_idempotency (
        idempotency_key TEXT PRIMARY KEY,
        request_digest  TEXT NOT NULL,
        status          INTEGER NOT NULL,
        response_json   TEXT NOT NULL,
        created_at      TEXT NOT NULL
      );
    `,
  },
  {
    // Keys scoped to the principal and the operation (the caller's own idempotency_key travels
    // here); the records are ephemeral, so the old table is simply replaced.
    id: 'sandbox_002_idempotency_scope',
    sql: `
      DROP TABLE sandbox_idempotency;
      CREATE TABLE sandbox_idempotency (
        principal       TEXT NOT NULL,
        operation       TEXT NOT NULL,
        idempotency_key TEXT NOT NULL,
        request_digest  TEXT NOT NULL,
        status          INTEGER NOT NULL,
        response_json   TEXT NOT NULL,
        created_at      TEXT NOT NULL,
        PRIMARY KEY (principal, operation, idempotency_key)
      );
    `,
  },
];

export interface Sandbox<Ctx = unknown> {
  url: string;
  port: number;
  app: App<Ctx>;
  server: Server;
  close(): Promise<void>;
}

interface Answer {
  status: number;
  body: SuccessEnvelope | FailureEnvelope;
  headers?: Record<string, string>;
}

class Refusal extends Error {
  constructor(readonly answer: Answer) {
    super(answer.body.success ? 'ok' : answer.body.summary);
  }
}

const fail = (status: number, code: string, summary: string, extra: Partial<FailureEnvelope> = {}, headers?: Record<string, string>): Answer => ({
  status,
  body: { success: false, error_code: code, summary, ...extra },
  ...(headers ? { headers } : {}),
});

export async function startSandbox<Ctx>(config: Config, catalog: Catalog, opts: AppOptions<Ctx>): Promise<Sandbox<Ctx>> {
  if (!config.apiKey) throw new Error('the sandbox needs an API key (NOX_API_KEY)');
  const app = createApp({ ...config, backend: 'local' }, catalog, { ...opts, migrations: [...(opts.migrations ?? []), ...sandboxMigrations] });
  const routes = restRoutes(catalog.operations);
  const stages = stagesOf(app.engine);
  const now = app.engine.now;
  const db = app.store;
  const log = app.log;
  const expectedKey = createHash('sha256').update(config.apiKey).digest();
  const inFlight = new Set<string>();
  const lookup = db.prepare('SELECT request_digest, status, response_json FROM sandbox_idempotency WHERE principal = ? AND operation = ? AND idempotency_key = ? AND created_at >= ?');
  const dropExpired = db.prepare('DELETE FROM sandbox_idempotency WHERE principal = ? AND operation = ? AND idempotency_key = ? AND created_at < ?');
  // A plain INSERT: a live row of the same key (another process's) makes the write's transaction roll back.
  const insertRow = db.prepare('INSERT INTO sandbox_idempotency (principal, operation, idempotency_key, request_digest, status, response_json, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  // Keys are kept a day (far longer than any client retries one write); older ones are ignored, and swept now and then.
  const keptSince = () => new Date(now().getTime() - 24 * 3600_000).toISOString();
  const sweep = () => db.prepare('DELETE FROM sandbox_idempotency WHERE created_at < ?').run(keptSince());
  sweep();
  let writes = 0;

  const server = createServer((req, res) => {
    handle(req)
      .then((a) => reply(res, a))
      .catch((err: unknown) => {
        if (err instanceof Refusal) return reply(res, err.answer);
        log.error({ err: err instanceof Error ? `${err.name}: ${err.message}` : String(err) }, 'sandbox request failed');
        reply(res, fail(500, 'INTERNAL_ERROR', 'The sandbox failed while handling this request; any write was rolled back.'));
      });
  });

  async function handle(req: IncomingMessage): Promise<Answer> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    if (url.pathname === '/healthz') return { status: 200, body: { success: true, data: { status: 'ok' }, summary: 'ok', meta: {} } };
    if (!keyMatches(req.headers[API_KEY_HEADER])) {
      return fail(401, 'INVALID_API_KEY', 'A valid API key is required in the X-Api-Key header.', {
        action: { type: 'fix_credentials', hint: 'Send the key the sandbox was started with (NOX_API_KEY).' },
      });
    }
    // Checked on the raw target: the URL parser above has already resolved `..` into another route.
    for (const seg of (req.url ?? '/').split(/[?#]/)[0]!.split('/')) {
      const why = seg === '' ? undefined : unsafeSegment(seg);
      if (why)
        return fail(400, 'INVALID_REQUEST', `A path segment ${why}; nothing was run.`, {
          action: { type: 'fix_request', hint: 'Send each path parameter percent-encoded as one segment; ids are never "." or ".." and contain no "/" or "\\".' },
        });
    }
    const match = matchRoute(routes, req.method ?? 'GET', url.pathname);
    if (match === undefined) return fail(404, 'NOT_FOUND', `No route ${req.method} ${url.pathname}.`, { action: { type: 'fix_request', hint: 'The routes are listed in docs/api.md.' } });
    if (match === 'method')
      return fail(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${url.pathname}.`, { action: { type: 'fix_request', hint: 'The routes are listed in docs/api.md.' } });
    const { route, params } = match;
    let body: unknown;
    if (route.method !== 'GET') {
      const raw = await readBody(req, config.maxBodyBytes);
      if (raw === 'too_large') return fail(413, 'LIMIT_EXCEEDED', `The request body is over ${config.maxBodyBytes} bytes.`);
      try {
        body = raw.length ? JSON.parse(raw.toString('utf8')) : {};
      } catch {
        return fail(400, 'INVALID_REQUEST', 'The request body is not JSON.', { action: { type: 'fix_request', hint: 'Send a JSON object.' } });
      }
    }
    const rawInput = decodeRequest(route, params, url.searchParams, body);
    const principal = String(req.headers[PRINCIPAL_HEADER] ?? 'api').slice(0, 200) || 'api';
    const call: CallInfo = { principal };
    if (!route.write) return execute(route, rawInput, call, req);

    const key = String(req.headers[IDEMPOTENCY_HEADER] ?? '');
    if (!/^[\x21-\x7e]{8,200}$/.test(key))
      return fail(400, 'INVALID_REQUEST', 'Every write needs an Idempotency-Key header (8 to 200 visible characters).', {
        action: { type: 'fix_request', hint: 'Send a unique key per change and the same key on its retries.' },
      });
    // An apply's state digest is not part of the request: a key reused after a fresh preview (the
    // caller lost the outcome) gets the recorded answer, not a refusal.
    const requestDigest = digest({ stage: route.stage, input: rawInput });
    const scope = [principal, route.op.name, key] as const;
    const insert = (status: number, body: string) => {
      dropExpired.run(...scope, keptSince());
      insertRow.run(...scope, requestDigest, status, body, now().toISOString());
    };
    const first = replay(scope, requestDigest);
    if (first) return first;
    const flightKey = scope.join('\n');
    if (inFlight.has(flightKey))
      return fail(
        409,
        'IDEMPOTENCY_IN_PROGRESS',
        'A request with this Idempotency-Key is still being executed.',
        { action: { type: 'retry_later', hint: 'Repeat the same request in a moment to get its outcome.' } },
        { 'retry-after': '1' },
      );
    inFlight.add(flightKey);
    if (++writes % 500 === 0) sweep();
    try {
      const answer = await execute(route, rawInput, call, req, (a) => insert(a.status, JSON.stringify(a.body)));
      return answer;
    } catch (err) {
      const again = replay(scope, requestDigest); // another process recorded the same key first
      if (again) return again;
      const answer = err instanceof Refusal ? err.answer : undefined;
      // A definite refusal is remembered too, so a retry gets the same answer; a 5xx is not (nothing
      // was written), nor a changed state (it depends on the preview, and a fresh one may apply).
      const remembered = answer && answer.status < 500 && !(answer.body.success === false && answer.body.error_code === STATE_CHANGED);
      if (remembered) insert(answer.status, JSON.stringify(answer.body));
      throw err;
    } finally {
      inFlight.delete(flightKey);
    }
  }

  function replay(scope: readonly [string, string, string], requestDigest: string): Answer | undefined {
    const row = lookup.get(...scope, keptSince()) as { request_digest: string; status: number; response_json: string } | undefined;
    if (!row) return undefined;
    if (row.request_digest !== requestDigest) {
      return fail(422, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used for a different request.', {
        action: { type: 'fix_request', hint: 'Use a new key for a new change; repeat a key only to retry exactly the same request.' },
      });
    }
    return { status: row.status, body: JSON.parse(row.response_json) as Answer['body'], headers: { [REPLAYED_HEADER]: 'true' } };
  }

  /**
   * Runs one stage through the engine's stage runner, which journals every write: the API keeps
   * its own journal, so the campaign context read through it shows what was applied here.
   * `remember` records a write's answer inside the write's transaction.
   */
  async function execute(route: RestRoute, rawInput: Record<string, unknown>, call: CallInfo, req: IncomingMessage, remember?: (a: Answer) => void): Promise<Answer> {
    const { op } = route;
    const parsed = op.input.safeParse(rawInput);
    if (!parsed.success) {
      const issues = issuesOf(parsed.error, '(body)');
      throw new Refusal(
        fail(400, 'INVALID_REQUEST', `Invalid request for ${op.name}: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`, {
          action: { type: 'fix_request', hint: 'See docs/api.md for the fields.' },
          details: { issues },
        }),
      );
    }
    const input = parsed.data as Record<string, unknown>;
    const meta = { operation: op.name, stage: route.stage, request_id: randomBytes(6).toString('hex') };
    const ok = (data: unknown, summary: string, extra: Record<string, unknown> = {}): Answer => ({ status: 200, body: { success: true, data, summary, meta: { ...meta, ...extra } } });
    const answer = (result: Record<string, unknown>) => ok(result, summaryOf(result, op.title));
    try {
      switch (route.stage) {
        case 'run': {
          let remembered: Answer | undefined;
          const result = await stages.run(op, input, call, route.write ? (out) => remember?.((remembered = answer(out))) : undefined);
          return remembered ?? answer(result);
        }
        case 'validate': {
          const problems = await stages.validate(op, input, call);
          return ok({ problems }, problems.length === 0 ? 'The body is valid.' : `${problems.length} problem(s) found.`);
        }
        case 'preview': {
          const reading = await stages.preview(op, input, call);
          return ok({ effect: reading.effect }, reading.summary, { state: reading.state });
        }
        case 'apply': {
          const stateDigest = req.headers[STATE_DIGEST_HEADER];
          if (typeof stateDigest !== 'string' || !stateDigest)
            throw new Refusal(fail(400, 'INVALID_REQUEST', 'An apply needs the X-Nox-State-Digest header: the digest of the state its preview read.'));
          let remembered: Answer | undefined;
          const result = await stages.apply(op, input, call, { stateDigest, idempotencyKey: String(req.headers[IDEMPOTENCY_HEADER]), record: (out) => remember?.((remembered = answer(out))) });
          return remembered ?? answer(result);
        }
      }
    } catch (err) {
      if (err instanceof Refusal) throw err;
      if (err instanceof StaleStateError) {
        throw new Refusal(
          fail(409, STATE_CHANGED, 'The state this preview read has changed; nothing was applied.', {
            action: { type: 'preview_again', hint: 'Preview again, then apply the new preview.' },
            meta: { state: err.state },
          }),
        );
      }
      if (err instanceof ToolError) {
        const e = err.toEnvelope();
        throw new Refusal(fail(statusOf(e.error_code), e.error_code, e.summary, { ...(e.action ? { action: e.action } : {}), ...(e.details ? { details: e.details } : {}) }));
      }
      throw err;
    }
  }

  function keyMatches(header: string | string[] | undefined): boolean {
    if (typeof header !== 'string' || !header) return false;
    return timingSafeEqual(createHash('sha256').update(header).digest(), expectedKey);
  }

  function reply(res: ServerResponse, a: Answer): void {
    if (res.headersSent) return void res.end();
    res.writeHead(a.status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...(a.headers ?? {}) });
    res.end(JSON.stringify(a.body));
  }

  // Loopback only: the sandbox is for tests and demos.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const url = `http://127.0.0.1:${port}`;
  log.info({ url, routes: routes.length }, 'sandbox serving the local backend over REST');
  let closed = false;
  return {
    url,
    port,
    app,
    server,
    close: async () => {
      if (closed) return;
      closed = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await app.close();
    },
  };
}

function summaryOf(result: unknown, fallback: string): string {
  const s = result && typeof result === 'object' ? (result as { summary?: unknown }).summary : undefined;
  return typeof s === 'string' ? s : fallback;
}
