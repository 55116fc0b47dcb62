// One configuration, from command-line flags over environment variables over defaults, checked by
// zod. The table in README.md lists the same settings; CONFIG_DOC below is its source.
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { DEFAULT_INSTANCE_LEASE_MS } from './instance.js';
import { dataDirOf, readArgs } from './args.js';

const list = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean),
);
const bool = z.union([z.boolean(), z.enum(['1', 'true', 'yes', 'on', '0', 'false', 'no', 'off', ''])]).transform((v) => v === true || v === '1' || v === 'true' || v === 'yes' || v === 'on');

export const configSchema = z.object({
  command: z.enum(['serve', 'seed', 'sandbox', 'doctor']).default('serve'),
  transport: z.enum(['stdio', 'http']).default('stdio'),
  host: z.string().default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65535).default(8765),
  dataDir: z.string().min(1),
  storeUrl: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S+$/, 'NOX_STORE_URL must be a postgres:// or postgresql:// URL')
    .optional(),
  storePoolSize: z.coerce.number().int().min(1).max(200).default(10),
  filesDir: z.string().min(1),
  backend: z.enum(['local', 'http', 'cli']).default('local'),
  cliExecutable: z.string().min(1).default('noxinfluencer'),
  cliTimeoutMs: z.coerce.number().int().min(100).max(600_000).default(60_000),
  cliConcurrency: z.coerce.number().int().min(1).max(32).default(4),
  cliMaxOutputBytes: z.coerce
    .number()
    .int()
    .min(1024)
    .max(256 * 1024 * 1024)
    .default(16 * 1024 * 1024),
  cliMaxRetries: z.coerce.number().int().min(0).max(10).default(2),
  apiBaseUrl: z.url().optional(),
  apiKey: z.string().min(1).optional(),
  apiTimeoutMs: z.coerce.number().int().min(100).max(300_000).default(15_000),
  apiMaxRetries: z.coerce.number().int().min(0).max(10).default(3),
  toolsets: list.optional(),
  readOnly: bool.default(false),
  tools: list.optional(),
  surface: z.enum(['default', 'compact']).default('default'),
  outputSchemas: bool.default(true),
  previewTtlSeconds: z.coerce.number().int().min(5).max(86_400).default(600),
  instanceLeaseMs: z.coerce.number().int().min(300).max(600_000).default(DEFAULT_INSTANCE_LEASE_MS),
  requireConfirmation: bool.default(false),
  principal: z.string().min(1).max(200).default('local'),
  httpToken: z.string().min(16, 'NOX_HTTP_TOKEN must be at least 16 characters').optional(),
  /** Named bearer tokens: identity → token (NOX_HTTP_TOKENS=`name:token,...`). */
  httpTokens: z
    .string()
    .transform((s, ctx) => {
      const out: Record<string, string> = {};
      for (const pair of s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)) {
        const i = pair.indexOf(':');
        const name = i > 0 ? pair.slice(0, i).trim() : '';
        const token = i > 0 ? pair.slice(i + 1).trim() : '';
        if (!/^[A-Za-z0-9_.@-]{1,64}$/.test(name) || token.length < 16) {
          ctx.addIssue({ code: 'custom', message: 'NOX_HTTP_TOKENS is name:token,... with names of letters, digits, _ . @ - and tokens of at least 16 characters' });
          return z.NEVER;
        }
        if (name in out || Object.values(out).includes(token)) {
          ctx.addIssue({ code: 'custom', message: `NOX_HTTP_TOKENS repeats the name or token of ${name}` });
          return z.NEVER;
        }
        out[name] = token;
      }
      return out;
    })
    .optional(),
  allowedHosts: list.optional(),
  allowedOrigins: list.optional(),
  maxBodyBytes: z.coerce
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(4 * 1024 * 1024),
  rateLimitPerMinute: z.coerce.number().int().min(1).max(100_000).default(600),
  stateless: bool.default(true),
  seedDemo: bool.default(true),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = z.output<typeof configSchema>;

/** Flag, environment variable and meaning of every setting (README's configuration table). */
export const CONFIG_DOC: { key: keyof Config; flag?: string; env?: string; default: string; meaning: string }[] = [
  { key: 'transport', flag: '--http', default: 'stdio', meaning: 'Serve Streamable HTTP on /mcp instead of stdio.' },
  { key: 'host', flag: '--host', env: 'NOX_HOST', default: '127.0.0.1', meaning: 'HTTP bind address (a non-loopback address needs NOX_HTTP_TOKEN).' },
  { key: 'port', flag: '--port', env: 'NOX_PORT', default: '8765 (sandbox: 8766)', meaning: 'HTTP port; for `sandbox` the REST port (env NOX_SANDBOX_PORT); 0 picks a free port.' },
  {
    key: 'dataDir',
    flag: '--data-dir',
    env: 'NOX_DATA_DIR',
    default: '~/.nox-campaign-mcp',
    meaning:
      'Where the SQLite store (workspace, jobs, and the preview ledger and journal unless NOX_STORE_URL is set), the files root and the answers a stdio start recorded for the next one (start-answers/) live.',
  },
  {
    key: 'storeUrl',
    flag: '--store-url',
    env: 'NOX_STORE_URL',
    default: '— (SQLite in the data dir)',
    meaning:
      "The server's own state (preview ledger, idempotency records, journal, instance leases, rate limits) in PostgreSQL, shared by replicas: `postgres://user:password@host:5432/db`. Prefer the variable to the flag, which other users of the machine can read. Not with `--backend local`.",
  },
  { key: 'storePoolSize', env: 'NOX_STORE_POOL_SIZE', default: '10', meaning: 'Connections each replica keeps to the PostgreSQL store.' },
  { key: 'filesDir', flag: '--files-dir', env: 'NOX_FILES_DIR', default: '<data dir>/files', meaning: 'The files root: every file a tool reads or writes is inside it.' },
  {
    key: 'backend',
    flag: '--backend',
    env: 'NOX_BACKEND',
    default: 'local',
    meaning: '`local` (embedded workspace), `http` (a Nox-compatible REST API) or `cli` (your NoxInfluencer account through the official `noxinfluencer` CLI).',
  },
  { key: 'cliExecutable', env: 'NOX_CLI', default: 'noxinfluencer', meaning: 'The NoxInfluencer CLI the cli backend runs (a name on PATH or a path).' },
  { key: 'cliTimeoutMs', env: 'NOX_CLI_TIMEOUT_MS', default: '60000', meaning: 'Per-call timeout of the cli backend; a call past it is stopped (an apply then has an unknown outcome).' },
  { key: 'cliConcurrency', env: 'NOX_CLI_CONCURRENCY', default: '4', meaning: 'At most this many CLI processes at once.' },
  { key: 'cliMaxOutputBytes', env: 'NOX_CLI_MAX_OUTPUT_BYTES', default: '16777216', meaning: 'Largest output accepted from one CLI call; a larger one is stopped.' },
  { key: 'cliMaxRetries', env: 'NOX_CLI_MAX_RETRIES', default: '2', meaning: 'Retries of a CLI read on the exit codes `agent exit-codes` calls retryable (writes are never retried).' },
  { key: 'apiBaseUrl', flag: '--api-base-url', env: 'NOX_API_BASE_URL', default: '—', meaning: 'Base URL of the REST API for the http backend.' },
  { key: 'apiKey', env: 'NOX_API_KEY', default: '—', meaning: 'API key the http backend sends (X-Api-Key) and the `sandbox` requires (never logged).' },
  { key: 'apiTimeoutMs', env: 'NOX_API_TIMEOUT_MS', default: '15000', meaning: 'Per-request timeout of the http backend.' },
  { key: 'apiMaxRetries', env: 'NOX_API_MAX_RETRIES', default: '3', meaning: 'Retries of the http backend on 429, 5xx and connection errors (writes only with their same Idempotency-Key).' },
  { key: 'toolsets', flag: '--toolsets', env: 'NOX_TOOLSETS', default: 'all', meaning: 'Comma-separated toolsets to expose (campaign, discovery, collection, ...).' },
  { key: 'readOnly', flag: '--read-only', env: 'NOX_READ_ONLY', default: 'false', meaning: 'Expose only reads, validates and previews.' },
  { key: 'tools', flag: '--tools', env: 'NOX_TOOLS', default: 'all', meaning: 'Explicit allow-list of tool names.' },
  {
    key: 'surface',
    flag: '--surface',
    env: 'NOX_SURFACE',
    default: 'default',
    meaning: '`default`: one tool per operation stage. `compact`: core reads plus find_tools and call_read / call_write / call_apply, reaching every selected tool in under 2,000 tokens.',
  },
  {
    key: 'outputSchemas',
    flag: '--no-output-schemas',
    env: 'NOX_OUTPUT_SCHEMAS',
    default: 'true',
    meaning: "List each tool's outputSchema; `--no-output-schemas` (or `false`) leaves them out for clients that only relay text.",
  },
  { key: 'previewTtlSeconds', flag: '--preview-ttl', env: 'NOX_PREVIEW_TTL_SECONDS', default: '600', meaning: 'How long a preview token stays valid.' },
  {
    key: 'instanceLeaseMs',
    env: 'NOX_INSTANCE_LEASE_MS',
    default: String(DEFAULT_INSTANCE_LEASE_MS),
    meaning: 'How long a server process counts as alive after its last heartbeat in the store (it beats every third of it); claims and job leases of a process silent for longer are treated as dead.',
  },
  {
    key: 'requireConfirmation',
    flag: '--require-confirmation',
    env: 'NOX_REQUIRE_CONFIRMATION',
    default: 'false',
    meaning: 'Refuse sends, deletes and access changes when the client cannot ask the person (elicitation).',
  },
  { key: 'principal', env: 'NOX_PRINCIPAL', default: 'local', meaning: 'Who unauthenticated calls act as (stdio); tokens are bound to it.' },
  { key: 'httpToken', env: 'NOX_HTTP_TOKEN', default: '—', meaning: 'Bearer token required on HTTP (mandatory off loopback); its calls act as NOX_PRINCIPAL.' },
  { key: 'httpTokens', env: 'NOX_HTTP_TOKENS', default: '—', meaning: 'Several bearer tokens as `name:token,...`; each name is its own principal (previews bind to it).' },
  { key: 'allowedHosts', env: 'NOX_ALLOWED_HOSTS', default: 'loopback names', meaning: 'Host header allow-list for HTTP.' },
  { key: 'allowedOrigins', env: 'NOX_ALLOWED_ORIGINS', default: 'none (loopback only)', meaning: 'Origin header allow-list for HTTP.' },
  { key: 'maxBodyBytes', env: 'NOX_MAX_BODY_BYTES', default: '4194304', meaning: 'Largest HTTP request body accepted.' },
  { key: 'rateLimitPerMinute', env: 'NOX_RATE_LIMIT_PER_MINUTE', default: '600', meaning: 'Tool calls per principal per minute over HTTP.' },
  { key: 'seedDemo', env: 'NOX_SEED_DEMO', default: 'true', meaning: 'Seed the demo workspace on first start of the local backend.' },
  { key: 'logLevel', flag: '--log-level', env: 'NOX_LOG_LEVEL', default: 'info', meaning: 'pino level; logs go to stderr only.' },
];

export class ConfigError extends Error {}

/** Why the embedded workspace cannot run on a shared store: said at start, before anything is opened. */
export const LOCAL_NEEDS_SQLITE =
  'the local backend keeps its workspace in the SQLite store of the data dir, where an apply commits its change and its ledger outcome in one transaction; with a store URL (NOX_STORE_URL, --store-url) the ledger would live in PostgreSQL, so a claim and its effect could not commit together. Use --backend http or cli with a store URL, or drop the store URL';

export function loadConfig(argv: string[], env: NodeJS.ProcessEnv): Config {
  let parsed;
  try {
    parsed = readArgs(argv);
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
  const f = parsed.values;
  const dataDir = dataDirOf(f['data-dir'], env);
  const command = parsed.positionals[0];
  const raw = {
    command,
    transport: f.http ? 'http' : undefined,
    host: f.host ?? env.NOX_HOST,
    port: f.port ?? (command === 'sandbox' ? (env.NOX_SANDBOX_PORT ?? '8766') : env.NOX_PORT),
    dataDir,
    storeUrl: f['store-url'] ?? env.NOX_STORE_URL,
    storePoolSize: env.NOX_STORE_POOL_SIZE,
    filesDir: resolve(f['files-dir'] ?? env.NOX_FILES_DIR ?? join(dataDir, 'files')),
    backend: f.backend ?? env.NOX_BACKEND,
    apiBaseUrl: f['api-base-url'] ?? env.NOX_API_BASE_URL,
    apiKey: env.NOX_API_KEY,
    apiTimeoutMs: env.NOX_API_TIMEOUT_MS,
    apiMaxRetries: env.NOX_API_MAX_RETRIES,
    cliExecutable: env.NOX_CLI,
    cliTimeoutMs: env.NOX_CLI_TIMEOUT_MS,
    cliConcurrency: env.NOX_CLI_CONCURRENCY,
    cliMaxOutputBytes: env.NOX_CLI_MAX_OUTPUT_BYTES,
    cliMaxRetries: env.NOX_CLI_MAX_RETRIES,
    toolsets: f.toolsets ?? env.NOX_TOOLSETS,
    readOnly: f['read-only'] ?? env.NOX_READ_ONLY,
    tools: f.tools ?? env.NOX_TOOLS,
    surface: f.surface ?? env.NOX_SURFACE,
    outputSchemas: f['no-output-schemas'] ? false : env.NOX_OUTPUT_SCHEMAS,
    previewTtlSeconds: f['preview-ttl'] ?? env.NOX_PREVIEW_TTL_SECONDS,
    instanceLeaseMs: env.NOX_INSTANCE_LEASE_MS,
    requireConfirmation: f['require-confirmation'] ?? env.NOX_REQUIRE_CONFIRMATION,
    principal: env.NOX_PRINCIPAL,
    httpToken: env.NOX_HTTP_TOKEN,
    httpTokens: env.NOX_HTTP_TOKENS,
    allowedHosts: env.NOX_ALLOWED_HOSTS,
    allowedOrigins: env.NOX_ALLOWED_ORIGINS,
    maxBodyBytes: env.NOX_MAX_BODY_BYTES,
    rateLimitPerMinute: env.NOX_RATE_LIMIT_PER_MINUTE,
    seedDemo: env.NOX_SEED_DEMO,
    logLevel: f['log-level'] ?? env.NOX_LOG_LEVEL,
  };
  const res = configSchema.safeParse(Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)));
  if (!res.success) {
    throw new ConfigError(res.error.issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`).join('\n'));
  }
  if (res.data.command === 'sandbox' && !res.data.apiKey) {
    throw new ConfigError('sandbox needs NOX_API_KEY: the API key its clients must send in X-Api-Key');
  }
  if (res.data.command === 'sandbox' && res.data.backend !== 'local') {
    throw new ConfigError('sandbox serves the local backend; drop --backend http');
  }
  if (res.data.command === 'serve' && res.data.backend === 'local' && res.data.storeUrl) throw new ConfigError(LOCAL_NEEDS_SQLITE);
  if (res.data.command !== 'sandbox' && res.data.backend === 'http' && (!res.data.apiBaseUrl || !res.data.apiKey)) {
    throw new ConfigError('backend http needs NOX_API_BASE_URL (or --api-base-url) and NOX_API_KEY');
  }
  return res.data;
}

export function wantsHelp(argv: string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}
