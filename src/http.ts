// Streamable HTTP transport on /mcp. Stateless: every request gets a fresh MCP server over the
// shared engine, so several instances can share one data dir (all shared state is in the store).
// Binds loopback by default; a bearer token is required off loopback; Host and Origin are checked;
// bodies are capped; tool calls are rate-limited per principal (across replicas on a shared store). Each bearer token maps to an
// identity (the principal), and preview tokens are bound to it: one identity cannot apply another's.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual, createHash } from 'node:crypto';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Config } from './config.js';
import type { ServerParts } from './server.js';
import { createMcpServer } from './server.js';
import type { Logger } from './log.js';
import { readBody } from './request-body.js';
import { ToolError, type ErrorEnvelope } from './errors.js';

// The in-process limiter of the SQLite store; kept importable from here.
export { RateLimiter } from './state/sqlite.js';

/** 127.0.0.0/8 written as exactly four decimal octets (no leading zeros, which some parsers read as octal). */
const LOOPBACK_V4 = /^127(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
/** A Host header: a name or bracketed IPv6 address and an optional port, nothing else (no userinfo, path or second port). */
const HOST_HEADER = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::\d{1,5})?$/i;

export interface HttpHandle {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** Exactly a loopback name or address; never by prefix (`127.attacker.example` is a DNS name anyone can point anywhere). */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || h === '[::1]' || LOOPBACK_V4.test(h);
}

/** The serialized origin (scheme://host[:port]) of an Origin value, or undefined when it is not exactly one. */
function parseOrigin(value: string): string | undefined {
  try {
    const u = new URL(value);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
    // Browsers send the serialized form; a path, credentials, default port or odd spelling means a forged header.
    return u.origin === value.toLowerCase() ? u.origin : undefined;
  } catch {
    return undefined; // `null`, empty, not a URL
  }
}

/** Origins as the server compares them: each entry of NOX_ALLOWED_ORIGINS must be an origin (a trailing slash is tolerated). */
function allowedOriginSet(entries: string[]): Set<string> {
  const set = new Set<string>();
  for (const e of entries) {
    const o = parseOrigin(e.replace(/\/$/, ''));
    if (!o) throw new Error(`NOX_ALLOWED_ORIGINS: ${JSON.stringify(e)} is not an origin (scheme://host[:port], http or https)`);
    set.add(o);
  }
  return set;
}

/** sha256(token) → principal, from NOX_HTTP_TOKEN (acting as NOX_PRINCIPAL) and NOX_HTTP_TOKENS (name:token). */
export function tokenTable(config: Pick<Config, 'httpToken' | 'httpTokens' | 'principal'>): Map<string, string> {
  const table = new Map<string, string>();
  if (config.httpToken) table.set(sha256hex(config.httpToken), config.principal);
  for (const [name, token] of Object.entries(config.httpTokens ?? {})) table.set(sha256hex(token), name);
  return table;
}

export async function serveHttp(config: Config, parts: ServerParts, log: Logger): Promise<HttpHandle> {
  const tokens = tokenTable(config);
  if (!isLoopback(config.host) && tokens.size === 0) {
    throw new Error(`refusing to listen on ${config.host} without NOX_HTTP_TOKEN or NOX_HTTP_TOKENS: a bearer token is required off loopback`);
  }
  const allowedHosts = config.allowedHosts?.map((h) => h.toLowerCase());
  const allowedOrigins = allowedOriginSet(config.allowedOrigins ?? []);
  // Per process on SQLite; one bucket row per principal shared by every replica on PostgreSQL.
  const limiter = parts.engine.store.rateLimit(config.rateLimitPerMinute, Date.now);
  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      log.error({ err: String(err) }, 'http request failed');
      if (!res.headersSent) json(res, 500, { error: 'internal error' });
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://placeholder');
    // Liveness only: no version, counts, paths or configuration.
    if (url.pathname === '/healthz') return json(res, 200, { status: 'ok' });
    // Readiness: whether this replica reaches its state store (a load balancer sends calls only to ready ones).
    if (url.pathname === '/readyz') {
      const ready = await parts.engine.store.ping().then(
        () => true,
        () => false,
      );
      return json(res, ready ? 200 : 503, { status: ready ? 'ready' : 'store unavailable' });
    }
    if (url.pathname !== '/mcp') return json(res, 404, { error: 'not found' });
    if (!hostAllowed(req.headers.host, allowedHosts)) return json(res, 403, { error: 'host not allowed' });
    const origin = req.headers.origin;
    if (origin !== undefined && !originAllowed(origin, allowedOrigins)) return json(res, 403, { error: 'origin not allowed' });
    const principal = authenticate(req);
    if (principal === null) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      return json(res, 401, { error: 'a valid bearer token is required' });
    }
    // Stateless and no server-initiated messages: no SSE stream on GET and no session to DELETE,
    // so both are 405 (the spec's answer for a server without a GET stream) instead of a stream held open.
    if (req.method !== 'POST') return methodNotAllowed(res);
    let body: unknown;
    const tooLarge = () => {
      res.setHeader('connection', 'close');
      json(res, 413, { error: `request body over ${config.maxBodyBytes} bytes` });
    };
    if (Number(req.headers['content-length'] ?? 0) > config.maxBodyBytes) return tooLarge();
    const raw = await readBody(req, config.maxBodyBytes);
    if (raw === 'too_large') return tooLarge();
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return json(res, 400, { jsonrpc: '2.0', error: { code: -32700, message: 'Parse error' }, id: null });
    }
    const calls = toolCalls(body);
    if (calls.length > 0) {
      let wait: number;
      try {
        wait = await limiter.take(principal, calls.length);
      } catch (err) {
        // The shared bucket cannot be read: fail closed, with a retryable refusal.
        if (!(err instanceof ToolError)) throw err;
        return refuseCalls(res, calls, err.toEnvelope(), Array.isArray(body), 503);
      }
      if (wait > 0) return rateLimited(res, calls, wait, config.rateLimitPerMinute, Array.isArray(body));
    }
    const mcp = createMcpServer({ ...parts, defaultPrincipal: principal }, { toolsOnly: toolsOnly(body) });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      void transport.close();
      void mcp.close();
    });
    await mcp.connect(transport);
    await transport.handleRequest(req, res, body);
  }

  /** The principal of a request: its token's identity, or the default when no token is configured (loopback only). */
  function authenticate(req: IncomingMessage): string | null {
    if (tokens.size === 0) return parts.defaultPrincipal;
    const header = req.headers.authorization;
    const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!m) return null;
    // Hashes have one length, so the comparison is constant-time and looks at every entry.
    const presented = Buffer.from(sha256hex(m[1]!), 'hex');
    let found: string | null = null;
    for (const [hash, principal] of tokens) if (timingSafeEqual(presented, Buffer.from(hash, 'hex'))) found = principal;
    return found;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}/mcp`;
  log.info({ url }, 'serving Streamable HTTP');
  return {
    server,
    url,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

function sha256hex(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

interface RpcMessage {
  jsonrpc?: unknown;
  id?: string | number | null;
  method?: unknown;
}

/**
 * Methods that a server without resources and prompts answers exactly as the whole one does: they
 * never reach those handlers, and the capabilities that registering adds are only shown by initialize.
 */
const TOOLS_ONLY_METHODS = new Set(['tools/call', 'tools/list', 'ping', 'notifications/initialized', 'notifications/cancelled']);

/** Whether every message of a body is one of TOOLS_ONLY_METHODS (anything else, odd messages included, gets the whole server). */
function toolsOnly(body: unknown): boolean {
  const msgs = (Array.isArray(body) ? body : [body]) as RpcMessage[];
  return msgs.every((m) => m !== null && typeof m === 'object' && typeof m.method === 'string' && TOOLS_ONLY_METHODS.has(m.method));
}

/** The tools/call requests of a JSON-RPC body (a single message or a batch). */
function toolCalls(body: unknown): RpcMessage[] {
  const msgs = (Array.isArray(body) ? body : [body]) as RpcMessage[];
  return msgs.filter((m) => m && typeof m === 'object' && m.method === 'tools/call');
}

/**
 * Over the limit: each tool call gets a tool error (RATE_LIMITED, with how long to wait) that the
 * agent reads like any other refusal; a batch holding other requests gets HTTP 429.
 */
function rateLimited(res: ServerResponse, calls: RpcMessage[], waitMs: number, perMinute: number, batch: boolean): void {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  res.setHeader('retry-after', String(seconds));
  const envelope = {
    error_code: 'RATE_LIMITED',
    summary: `Too many tool calls: this principal may make ${perMinute} per minute. Nothing was run.`,
    action: { type: 'retry_later', hint: `Wait ${seconds} s, then repeat the call.` },
    details: { retry_after_seconds: seconds, limit_per_minute: perMinute },
  };
  refuseCalls(res, calls, envelope, batch);
}

/** Each tool call gets the envelope as its tool error; a batch holding other requests gets `batchStatus`. */
function refuseCalls(res: ServerResponse, calls: RpcMessage[], envelope: ErrorEnvelope, batch: boolean, batchStatus = 429): void {
  const replies = calls
    .filter((c) => c.id !== undefined && c.id !== null)
    .map((c) => ({ jsonrpc: '2.0', id: c.id, result: { isError: true, content: [{ type: 'text', text: JSON.stringify(envelope) }] } }));
  if (!batch && replies.length === 1) return json(res, 200, replies[0]);
  json(res, batchStatus, { jsonrpc: '2.0', id: null, error: { code: -32000, message: envelope.summary, data: envelope } });
}

/** The Host's name, exactly: in NOX_ALLOWED_HOSTS when set, else a loopback name or address. */
function hostAllowed(header: string | undefined, allowed: string[] | undefined): boolean {
  const m = header ? HOST_HEADER.exec(header) : null;
  if (!m) return false;
  const name = m[1]!.toLowerCase();
  return allowed ? allowed.includes(name) : isLoopback(name);
}

/** A configured origin (scheme, host and port exactly), or a loopback origin on any port. */
function originAllowed(origin: string, allowed: Set<string>): boolean {
  const o = parseOrigin(origin);
  if (!o) return false;
  return allowed.has(o) || isLoopback(new URL(o).hostname);
}

function methodNotAllowed(res: ServerResponse): void {
  res.setHeader('allow', 'POST');
  json(res, 405, { jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed: this server takes JSON-RPC over POST only and offers no event stream.' }, id: null });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}
