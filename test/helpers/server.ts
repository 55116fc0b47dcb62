// Starts the real server (real store in a temp data dir, seeded demo workspace) and connects an
// SDK Client to it over the in-memory transport. With NOX_TEST_BACKEND=http (the `http` vitest
// project) the server runs on the http backend against a sandbox on a random loopback port: the
// sandbox's store holds the workspace (workspaceDb, drainJobs and app.jobs/app.workspace point
// there), while the guard's ledger and the journal stay in the server's own store (app.store).
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { ClientCapabilities } from '@modelcontextprotocol/sdk/types.js';
import { loadConfig } from '../../src/config.js';
import { createApp, type App, type AppOptions } from '../../src/app.js';
import { createMcpServer } from '../../src/server.js';
import { catalog } from '../../tools/index.js';
import { embeddedWorkspace } from '../../workspace/index.js';
import type { Workspace } from '../../workspace/workspace.js';
import type { Db } from '../../src/store.js';
import { createLogger, type LogLevel } from '../../src/log.js';
import { startSandbox, type Sandbox } from '../../src/backend/sandbox.js';
import { probeCli } from '../../src/backend/cli/index.js';
import { fileURLToPath } from 'node:url';
import { connect } from 'node:net';
import * as toolsModule from '../../tools/index.js';
import * as workspaceModule from '../../workspace/index.js';
import * as appModule from '../../src/app.js';
import * as configModule from '../../src/config.js';
import * as stagesModule from '../../src/stages.js';
import * as logModule from '../../src/log.js';
import * as catalogModule from '../../src/catalog.js';
import * as canonicalModule from '../../src/guard/canonical.js';
import { serve as serveFakeCli } from '../fake-cli/server.mjs';
import { CALL_TOOLS, routeOf } from '../../src/surface.js';

/** The two surfaces a server can list, and the flags that pick them. */
export const SURFACES = ['default', 'compact'] as const;
export const surfaceArgv = (surface: (typeof SURFACES)[number]): string[] => (surface === 'compact' ? ['--surface', 'compact'] : []);

/** Which backend startServer runs the server on: `local` (in-process) or `http` (against a sandbox). */
/** NOX_TEST_LOG_LEVEL=debug shows the server's (and sandbox's) logs while debugging a test. */
const testLogLevel = (process.env.NOX_TEST_LOG_LEVEL ?? 'silent') as LogLevel;

export type TestBackend = 'local' | 'http' | 'cli';
export const testBackend: TestBackend = process.env.NOX_TEST_BACKEND === 'http' ? 'http' : process.env.NOX_TEST_BACKEND === 'cli' ? 'cli' : 'local';

/** The stand-in NoxInfluencer CLI's executable (see test/fake-cli/). */
export const FAKE_CLI = fileURLToPath(new URL('../fake-cli/noxinfluencer.mjs', import.meta.url));

/**
 * An executable that runs the stand-in CLI with its state in `home` and the given files root:
 * the cli backend spawns it like the real `noxinfluencer`, with the environment it would have.
 */
export function fakeCliExecutable(home: string, filesDir: string): string {
  mkdirSync(home, { recursive: true });
  const exe = join(home, 'noxinfluencer');
  writeFileSync(
    exe,
    `#!/usr/bin/env node\nprocess.env.FAKE_NOX_HOME = ${JSON.stringify(home)};\nprocess.env.FAKE_NOX_FILES_DIR = ${JSON.stringify(filesDir)};\nawait import(${JSON.stringify(FAKE_CLI)});\n`,
  );
  chmodSync(exe, 0o755);
  return exe;
}

/** The engine's modules this process has loaded, lent to the stand-in CLI served from here (by their paths under dist/). */
const engineModules: Record<string, unknown> = {
  'tools/index.js': toolsModule,
  'workspace/index.js': workspaceModule,
  'src/app.js': appModule,
  'src/config.js': configModule,
  'src/stages.js': stagesModule,
  'src/log.js': logModule,
  'src/catalog.js': catalogModule,
  'src/guard/canonical.js': canonicalModule,
};

/** Stops the stand-in's server for `home` (test/fake-cli/server.mjs), if one runs, and waits until its store is closed. */
export function stopFakeCli(home: string): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(join(home, 'standin.sock'));
    socket.on('connect', () => socket.write(JSON.stringify({ shutdown: true }) + '\n'));
    // Answered (stopped), refused (none runs) or cut off: in every case nothing of it is left to wait for.
    socket.on('data', () => socket.end());
    socket.on('error', () => resolve());
    socket.on('close', () => resolve());
  });
}

/**
 * A result as the record it carries. On the cli backend a result also carries the summary of the
 * CLI's envelope (docs/cli-backend.md: data passed through, keeping summary), which describes the
 * command that answered rather than the record, so a get and a list or a create differ in it.
 */
export function recordOf<T extends Record<string, unknown>>(result: T): T {
  if (testBackend !== 'cli') return result;
  const { summary: _summary, ...rest } = result;
  return rest as T;
}

export interface ErrorEnvelope {
  error_code: string;
  summary: string;
  action?: { type: string; hint: string };
  details?: Record<string, unknown>;
}

export type CallResult = { ok: true; data: Record<string, any> } | { ok: false; error: ErrorEnvelope };

export interface TestServer {
  client: Client;
  app: App<Workspace>;
  dir: string;
  /** The store holding the workspace tables (the sandbox's when the server runs on the http backend). */
  workspaceDb: Db;
  /** Runs every due job of the workspace now (the job runner does not poll in tests). */
  drainJobs(): Promise<void>;
  call(name: string, args?: Record<string, unknown>): Promise<CallResult>;
  /** Calls and expects success; returns structuredContent. */
  ok(name: string, args?: Record<string, unknown>): Promise<Record<string, any>>;
  /** Calls and expects a tool error; returns the envelope. */
  err(name: string, args?: Record<string, unknown>): Promise<ErrorEnvelope>;
  /** Preview then apply with the same arguments; returns the apply's structuredContent. */
  previewApply(base: string, args: Record<string, unknown>): Promise<Record<string, any>>;
  close(): Promise<void>;
}

export interface StartOptions extends AppOptions<Workspace> {
  argv?: string[];
  env?: Record<string, string>;
  capabilities?: ClientCapabilities;
  /** Reuse a data dir (restart scenarios); a fresh temp dir otherwise. */
  dir?: string;
  /** Override NOX_TEST_BACKEND for this server (a custom `backend` option always runs locally). */
  mode?: TestBackend;
  /** On the http backend: give the sandbox a files root of its own, as a remote API has. */
  separateFiles?: boolean;
  onClient?: (client: Client) => void;
}

export async function startServer(opts: StartOptions = {}): Promise<TestServer> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'nox-test-'));
  let config = loadConfig(['--data-dir', dir, ...(opts.argv ?? [])], { NOX_LOG_LEVEL: 'silent', ...opts.env });
  const mode = opts.backend ? 'local' : (opts.mode ?? testBackend);
  let sandbox: Sandbox<Workspace> | undefined;
  if (mode === 'http') {
    // The sandbox keeps its own store under the data dir and shares the files root, as a local API would.
    const apiKey = `test-key-${createHash('sha256').update(dir).digest('hex').slice(0, 24)}`;
    const sandboxFiles = opts.separateFiles ? join(dir, 'sandbox', 'files') : config.filesDir;
    sandbox = await startSandbox({ ...config, command: 'sandbox', backend: 'local', dataDir: join(dir, 'sandbox'), filesDir: sandboxFiles, port: 0, apiKey }, catalog, {
      startJobs: false,
      embedded: embeddedWorkspace,
      logger: createLogger(testLogLevel),
      ...(opts.now ? { now: opts.now } : {}),
    });
    config = { ...config, backend: 'http', apiBaseUrl: sandbox.url, apiKey };
  }
  // On the cli backend the stand-in CLI's store holds the workspace; this app opens the same store
  // in-process (seeding it, draining its jobs, letting tests read it), as the sandbox does for http.
  let cliWorkspace: App<Workspace> | undefined;
  let cliProbe;
  let fakeCli: { close(): Promise<void> } | undefined;
  if (mode === 'cli') {
    const home = join(dir, 'fake-cli');
    cliWorkspace = createApp({ ...config, backend: 'local', dataDir: join(home, 'store') }, catalog, {
      startJobs: false,
      embedded: embeddedWorkspace,
      logger: createLogger(testLogLevel),
      ...(opts.now ? { now: opts.now } : {}),
    });
    const exe = fakeCliExecutable(home, config.filesDir);
    // Served from this process, as the sandbox is for http: each call is still a process of its
    // own (the executable), but the engine is not loaded again per server, and the clock is the test's.
    fakeCli = await serveFakeCli(home, { modules: engineModules, ...(opts.now ? { now: opts.now } : {}) });
    cliProbe = await probeCli({ executable: exe, timeoutMs: 15_000, env: process.env });
    config = { ...config, backend: 'cli', cliExecutable: exe };
  }
  const base = createApp(config, catalog, { startJobs: false, embedded: embeddedWorkspace, logger: createLogger(testLogLevel), ...(cliProbe ? { cliProbe } : {}), ...opts });
  const upstream = sandbox?.app ?? cliWorkspace;
  const app: App<Workspace> = upstream ? { ...base, jobs: upstream.jobs, workspace: upstream.workspace } : base;
  const server = createMcpServer(app.serverParts());
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await server.connect(serverTransport);
  const client = new Client({ name: 'test-client', version: '0.0.0' }, { capabilities: opts.capabilities ?? {} });
  opts.onClient?.(client);
  await client.connect(clientTransport);
  // Caches output-schema validators: every success of a listed tool is checked against its schema.
  const listed = new Set((await client.listTools()).tools.map((t) => t.name));
  const granular = new Map(app.tools.map((t) => [t.name, t]));

  const call = async (name: string, args: Record<string, unknown> = {}): Promise<CallResult> => {
    // On the compact surface a granular tool that is not listed is called by name through the
    // call tool of its route, and its result is checked against the granular output schema.
    const spec = listed.has(name) ? undefined : granular.get(name);
    const res = spec ? await client.callTool({ name: CALL_TOOLS[routeOf(spec)], arguments: { tool: name, arguments: args } }) : await client.callTool({ name, arguments: args });
    const text = (res.content as { type: string; text: string }[])[0]?.text ?? '';
    if (res.isError) return { ok: false, error: JSON.parse(text) as ErrorEnvelope };
    expect(JSON.parse(text)).toEqual(res.structuredContent);
    if (spec) expect(spec.output.safeParse(res.structuredContent).success, `${name} output matches its schema`).toBe(true);
    return { ok: true, data: res.structuredContent as Record<string, any> };
  };
  const ok = async (name: string, args?: Record<string, unknown>) => {
    const r = await call(name, args);
    if (!r.ok) throw new Error(`${name} failed: ${JSON.stringify(r.error)}`);
    return r.data;
  };
  const err = async (name: string, args?: Record<string, unknown>) => {
    const r = await call(name, args);
    if (r.ok) throw new Error(`${name} unexpectedly succeeded: ${JSON.stringify(r.data).slice(0, 500)}`);
    return r.error;
  };
  return {
    client,
    app,
    dir,
    workspaceDb: upstream ? upstream.store : app.store,
    drainJobs: () => app.jobs.drain(),
    call,
    ok,
    err,
    previewApply: async (base, args) => {
      const p = await ok(`${base}_preview`, args);
      return ok(`${base}_apply`, { ...args, preview_token: p.preview_token });
    },
    close: async () => {
      await client.close();
      await server.close();
      await app.close();
      await sandbox?.close();
      await fakeCli?.close();
      await cliWorkspace?.close();
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

const ENGINE_TABLES = new Set(['preview_tokens', 'journal', 'jobs', 'instances', 'schema_migrations', 'meta', 'sqlite_sequence', 'sandbox_idempotency', 'fake_cli_idempotency', 'idempotency_records']);

/** A digest of every workspace table's rows: equal before and after means nothing was written. */
export function workspaceChecksum(db: Db): string {
  const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).pluck().all() as string[];
  const h = createHash('sha256');
  for (const t of tables.filter((x) => !ENGINE_TABLES.has(x))) {
    h.update(`#${t}\n`);
    for (const row of db.prepare(`SELECT * FROM "${t}" ORDER BY rowid`).iterate()) h.update(JSON.stringify(row, (_k, v) => (Buffer.isBuffer(v) ? v.toString('base64') : v)) + '\n');
  }
  return h.digest('hex');
}
