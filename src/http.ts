// Streamable HTTP transport on /mcp. Stateless: every request gets a fresh MCP server over the
// shared engine, so several instances can share one data dir (all shared state is in the store).
// Binds loopback by default; a bearer token is required off loopback; Host and Origin are checked.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual, createHash } from 'node:crypto';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Config } from './config.js';
import type { ServerParts } from './server.js';
import { createMcpServer } from './server.js';
import type { Logger } from './log.js';

const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '[::1]', '::1'];

export interface HttpHandle {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

export async function serveHttp(config: Config, parts: ServerParts, log: Logger): Promise<HttpHandle> {
  if (!isLoopback(config.host) && !config.httpToken) {
    throw new Error(`refusing to listen on ${config.host} without NOX_HTTP_TOKEN: a bearer token is required off loopback`);
  }
  const allowedHosts = config.allowedHosts ?? LOOPBACK_HOSTS;
  const allowedOrigins = config.allowedOrigins ?? [];
  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      log.error({ err: String(err) }, 'http request failed');
      if (!res.headersSent) json(res, 500, { error: 'internal error' });
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://placeholder');
    if (url.pathname === '/healthz') return json(res, 200, { status: 'ok' });
    if (url.pathname !== '/mcp') return json(res, 404, { error: 'not found' });
    const hostName = (req.headers.host ?? '').replace(/:\d+$/, '');
    if (!allowedHosts.includes(hostName)) return json(res, 403, { error: 'host not allowed' });
    const origin = req.headers.origin;
    if (origin && !originAllowed(origin, allowedOrigins)) return json(res, 403, { error: 'origin not allowed' });
    const principal = authenticate(req);
    if (principal === null) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      return json(res, 401, { error: 'a valid bearer token is required' });
    }
    let body: unknown;
    if (req.method === 'POST') {
      const raw = await readBody(req, config.maxBodyBytes);
      if (raw === 'too_large') return json(res, 413, { error: `request body over ${config.maxBodyBytes} bytes` });
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return json(res, 400, { jsonrpc: '2.0', error: { code: -32700, message: 'Parse error' }, id: null });
      }
    } else if (req.method !== 'GET' && req.method !== 'DELETE') {
      return json(res, 405, { error: 'method not allowed' });
    }
    const mcp = createMcpServer({ ...parts, defaultPrincipal: principal });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      void transport.close();
      void mcp.close();
    });
    await mcp.connect(transport);
    await transport.handleRequest(req, res, body);
  }

  /** The principal of a request: the token's identity, or the default on loopback without a token. */
  function authenticate(req: IncomingMessage): string | null {
    const header = req.headers.authorization;
    if (!config.httpToken) return parts.defaultPrincipal;
    if (!header?.startsWith('Bearer ')) return null;
    const presented = createHash('sha256').update(header.slice(7).trim()).digest();
    const expected = createHash('sha256').update(config.httpToken).digest();
    return timingSafeEqual(presented, expected) ? `bearer:${expected.toString('hex').slice(0, 16)}` : null;
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
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function originAllowed(origin: string, allowed: string[]): boolean {
  if (allowed.includes(origin)) return true;
  try {
    return isLoopback(new URL(origin).hostname.replace(/^\[|\]$/g, ''));
  } catch {
    return false;
  }
}

function readBody(req: IncomingMessage, max: number): Promise<Buffer | 'too_large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) over = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(over ? 'too_large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
