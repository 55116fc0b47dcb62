// Assembles a running engine from a configuration and a catalog: the store, the files root, the
// job runner, the backend, the guard and the selected tools. The CLI, the tests and the benchmark
// all start the server through here.
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { LOCAL_NEEDS_SQLITE, type Config } from './config.js';
import type { Catalog, CatalogReader, ToolSpec } from './catalog.js';
import { selectTools } from './catalog.js';
import { surfaceGuide, surfaceOf, type SurfaceTool } from './surface.js';
import { openStore, metaGetOrCreate, type Db, type Migration } from './store.js';
import type { ServerStore } from './state/contract.js';
import { SqliteState } from './state/sqlite.js';
import { FilesRoot } from './files.js';
import { FILES_URI_PREFIX } from './file-names.js';
import { JobRunner } from './jobs.js';
import { Instance } from './instance.js';
import { createLogger, type Logger } from './log.js';
import { Guard } from './guard/index.js';
import { IdempotencyStore } from './guard/idempotency.js';
import { LocalBackend } from './backend/local/index.js';
import { indexImplementations, type EmbeddedWorkspace } from './backend/local/implementation.js';
import type { NoxBackend } from './backend/contract.js';
import { HttpBackend } from './backend/http/index.js';
import { CliBackend, type CliProbe } from './backend/cli/index.js';
import type { Engine } from './invoke.js';
import type { ServerParts } from './server.js';
import type { SchemaTable } from './listing.js';
import { isServerOperation, serverHandlers, serverOperations } from './server-tools.js';

export interface App<Ctx = unknown> {
  config: Config;
  engine: Engine;
  /** The selected granular tools; `surface` is what the server lists (the same, or the compact surface reaching them). */
  tools: ToolSpec[];
  surface: SurfaceTool[];
  /** The SQLite store of the data dir: the embedded workspace and its job queue (and, by default, the server's state). */
  store: Db;
  /** The server's own state: ledger, idempotency records, journal, instances, rate limits. */
  state: ServerStore;
  files: FilesRoot;
  jobs: JobRunner;
  /** The embedded workspace's context, on the local backend. */
  workspace: Ctx | undefined;
  log: Logger;
  serverParts(): ServerParts;
  close(): Promise<void>;
}

export interface AppOptions<Ctx = unknown> {
  /** The embedded workspace: required on the local backend, never loaded for the http backend. */
  embedded?: EmbeddedWorkspace<Ctx>;
  now?: () => Date;
  logger?: Logger;
  /** Start polling the job runner (tests may drain it by hand instead). */
  startJobs?: boolean;
  backend?: (ws: Ctx, workspaceId: string) => NoxBackend;
  /** Extra store migrations (the sandbox's idempotency table). */
  migrations?: Migration[];
  /** The cli backend: what the installed CLI said about itself at start (probeCli). */
  cliProbe?: CliProbe;
  /** The server's state elsewhere than the data dir's SQLite (PostgreSQL, opened by the caller); the app closes it. */
  state?: ServerStore;
  /** The build's tools/list schemas of this catalog (src/listing.ts); without them they are derived. */
  schemas?: SchemaTable;
}

/** Every operation this server lists: the catalog's, then this server's own (src/server-tools.ts). */
export function servedOperations(catalog: Pick<Catalog, 'operations'>) {
  return [...catalog.operations, ...serverOperations];
}

export function storePath(dataDir: string): string {
  return join(dataDir, 'nox.sqlite');
}

export function createApp<Ctx>(config: Config, catalog: Catalog, opts: AppOptions<Ctx> = {}): App<Ctx> {
  const now = opts.now ?? (() => new Date());
  const log = opts.logger ?? createLogger(config.logLevel);
  // First: a misspelt toolset or tool name stops the start before anything is opened or seeded.
  const selected = selectTools(servedOperations(catalog), {
    ...(config.toolsets ? { toolsets: config.toolsets } : {}),
    readOnly: config.readOnly,
    ...(config.tools ? { tools: config.tools } : {}),
  });
  if (config.backend === 'local' && opts.state) throw new Error(LOCAL_NEEDS_SQLITE);
  const embedded = config.backend === 'local' ? opts.embedded : undefined;
  if (config.backend === 'local' && !embedded) throw new Error('the local backend needs the embedded workspace');
  if (config.backend === 'cli' && !opts.cliProbe && !opts.backend) throw new Error('the cli backend needs the probe of the installed CLI');
  // Checked before anything is opened: every contract has exactly one implementation.
  const implementations = embedded ? indexImplementations(catalog.operations, embedded.implementations) : undefined;
  const store = openStore(storePath(config.dataDir), [...(embedded?.migrations ?? []), ...(opts.migrations ?? [])]);
  const state = opts.state ?? new SqliteState(store);
  const workspaceId = metaGetOrCreate(store, 'workspace_id', () => `ws_${randomBytes(6).toString('hex')}`);
  if (embedded && config.seedDemo && !embedded.isSeeded(store)) {
    // IMMEDIATE inside the seed keeps two processes starting together from seeding twice.
    embedded.seed(store, now());
    log.info({ data_dir: config.dataDir }, 'seeded the demo workspace');
  }
  // A remote client learns the files root as its resource prefix, never the server's folders.
  const files = new FilesRoot(config.filesDir, config.transport === 'http' ? { shownAs: FILES_URI_PREFIX } : {});
  const ownHandlers = serverHandlers(files);
  // This process's id and heartbeat in the store: preview claims and job leases name it.
  const onBeatError = (err: unknown) => log.warn({ err: String(err) }, 'instance heartbeat failed');
  const instance = new Instance(state, { leaseMs: config.instanceLeaseMs, now: () => now().getTime(), onError: onBeatError });
  // On SQLite the first beat is done when this returns; on PostgreSQL the guard awaits it before its first claim.
  instance.start().catch(onBeatError);
  const jobs = new JobRunner(store, log, instance, now);
  const workspace = embedded?.open({ db: store, files, jobs, now });
  for (const [kind, make] of Object.entries(embedded?.jobs ?? {})) jobs.register(kind, make(workspace!));
  // On the http backend the workspace lives upstream; this store keeps the guard's ledger, the journal and jobs.
  const backend: NoxBackend = opts.backend
    ? opts.backend(workspace!, workspaceId)
    : config.backend === 'http'
      ? new HttpBackend(catalog.operations, { baseUrl: config.apiBaseUrl!, apiKey: config.apiKey!, timeoutMs: config.apiTimeoutMs, maxRetries: config.apiMaxRetries, files, log })
      : config.backend === 'cli'
        ? new CliBackend(catalog.operations, opts.cliProbe!, {
            executable: config.cliExecutable,
            timeoutMs: config.cliTimeoutMs,
            concurrency: config.cliConcurrency,
            maxOutputBytes: config.cliMaxOutputBytes,
            maxRetries: config.cliMaxRetries,
            files,
            env: process.env,
            log,
          })
        : new LocalBackend(workspace!, store, implementations!, workspaceId);
  // An operation the backend cannot run (a command the installed CLI lacks) is not offered at all.
  // This server's own tools (files_stage, files_list) run in this process whatever the backend.
  const tools = backend.supports ? selected.filter((t) => isServerOperation(t.op) || backend.supports!(t.op)) : selected;
  // The compact surface knows this server's tools as tools of the catalog (find_tools, unknown-name hints).
  const surface = surfaceOf(config.surface, tools, { ...catalog, operations: servedOperations(catalog) });
  const guide = surfaceGuide(config.surface, surface);
  const guard = new Guard(state, { ttlMs: config.previewTtlSeconds * 1000, now: () => now().getTime(), instance });
  const idempotency = new IdempotencyStore(state, () => now().getTime());
  const campaignOfIds = embedded?.campaignOfIds;
  const engine: Engine = {
    backend,
    guard,
    idempotency,
    store: state,
    log,
    now,
    requireConfirmation: config.requireConfirmation,
    files,
    serverHandlers: ownHandlers,
    ...(campaignOfIds ? { campaignOfIds: (ids: string[]) => campaignOfIds(store, ids) } : {}),
  };
  const reader = catalogReader(catalog, engine, config.principal);
  const parts: ServerParts = {
    engine,
    tools: surface,
    outputSchemas: config.outputSchemas,
    ...(opts.schemas ? { schemas: opts.schemas } : {}),
    defaultPrincipal: config.principal,
    instructions: guide.note ? `${catalog.instructions}\n${guide.note}` : catalog.instructions,
    files,
    resources: catalog.resources?.(reader, guide) ?? [],
    resourceTemplates: catalog.resourceTemplates?.(reader) ?? [],
    prompts: catalog.prompts?.(reader, guide) ?? [],
  };
  if (opts.startJobs ?? true) jobs.start();
  let closed = false;
  return {
    config,
    engine,
    tools,
    surface,
    store,
    state,
    files,
    jobs,
    workspace,
    log,
    serverParts: () => parts,
    close: async () => {
      if (closed) return;
      closed = true;
      await jobs.stop();
      await backend.close();
      await instance.stop().catch(onBeatError);
      await state.close();
      store.close();
    },
  };
}

/** Read operations by name, through the backend, with the same input and output checks as a tool call. */
function catalogReader(catalog: Catalog, engine: Engine, principal: string): CatalogReader {
  const byName = new Map(catalog.operations.map((op) => [op.name, op]));
  return {
    read: async (name, input) => {
      const op = byName.get(name);
      if (!op || op.kind !== 'read') throw new Error(`${name} is not a read operation of the catalog`);
      const out = await engine.backend.run(op, op.input.parse(input) as Record<string, unknown>, { principal });
      return op.output.parse(out);
    },
  };
}
