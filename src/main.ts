// The composition root: the one place the engine meets the catalog and the embedded workspace.
// `nox-campaign-mcp` serves MCP over stdio (what mcp.json starts); `--http` serves Streamable HTTP;
// `seed` (re)creates the demo workspace. stdout carries MCP only: logs and messages go to stderr.
// src/cli.ts, the entry point, loads this module once the stdio start is listening.
import { rmSync } from 'node:fs';
import { once } from 'node:events';
import { ConfigError, CONFIG_DOC, loadConfig, wantsHelp, type Config } from './config.js';
import type { ServerStore } from './state/contract.js';
import { createApp, storePath } from './app.js';
import { createMcpServer, SERVER_NAME, SERVER_VERSION } from './server.js';
import { stdioTransport } from './stdio.js';
import type { StdioStart } from './start-answers.js';
import { readSchemaFile } from './listing.js';
import { createLogger, type Logger } from './log.js';
import { catalog } from '../tools/index.js';

/** The embedded workspace, loaded only where it runs: the http backend never loads an implementation. */
const embedded = async () => (await import('../workspace/index.js')).embeddedWorkspace;
// A start loads only what its command and transport run (docs/bench.md: module loading is most of a start).
const cliBackend = () => import('./backend/cli/index.js');

const HELP = `${SERVER_NAME} ${SERVER_VERSION}: MCP server for NoxInfluencer campaign workflows

Usage:
  nox-campaign-mcp [options]          serve MCP over stdio (default)
  nox-campaign-mcp --http [options]   serve Streamable HTTP on /mcp
  nox-campaign-mcp seed [--reset]     seed the demo workspace (--reset: start from an empty store)
  nox-campaign-mcp doctor             check the NoxInfluencer CLI the cli backend runs (NOX_CLI): found,
                                      version, logged in, which operations map to its commands
  nox-campaign-mcp sandbox [--port N] serve the local workspace over the REST API (docs/api.md) on
                                      127.0.0.1 (default port 8766; needs NOX_API_KEY)

Options:
${CONFIG_DOC.filter((c) => c.flag)
  .map((c) => `  ${c.flag!.padEnd(24)} ${c.meaning} (env ${c.env ?? '—'}, default ${c.default})`)
  .join('\n')}
`;

async function main(argv: string[], stdio: StdioStart | undefined): Promise<number> {
  if (wantsHelp(argv)) {
    process.stderr.write(HELP);
    return 0;
  }
  if (argv.includes('--version') || argv.includes('-v')) {
    process.stderr.write(`${SERVER_VERSION}\n`);
    return 0;
  }
  const config = loadConfig(argv, process.env);
  if (config.command === 'seed') {
    if (argv.includes('--reset')) for (const suffix of ['', '-wal', '-shm']) rmSync(storePath(config.dataDir) + suffix, { force: true });
    const app = createApp({ ...config, backend: 'local', seedDemo: true }, catalog, { startJobs: false, embedded: await embedded() });
    app.log.info({ store: storePath(config.dataDir) }, 'workspace ready');
    await app.close();
    return 0;
  }
  if (config.command === 'doctor') {
    const { probeCli, doctorReport } = await cliBackend();
    const probe = await probeCli({ executable: config.cliExecutable, timeoutMs: Math.min(config.cliTimeoutMs, 15_000), env: process.env });
    const report = doctorReport(probe, catalog.operations);
    // On stderr, as --help and --version: stdout is the MCP channel of this program, whatever the command.
    process.stderr.write(report.text);
    return report.ok ? 0 : 1;
  }
  if (config.command === 'sandbox') {
    const { startSandbox } = await import('./backend/sandbox.js');
    const sandbox = await startSandbox(config, catalog, { embedded: await embedded() });
    stopOn(sandbox.app.log, () => sandbox.close());
    return -1; // keep running
  }
  // The cli backend reads what the installed CLI is once, before serving; a problem is logged and each tool answers it.
  const cliProbe = config.backend === 'cli' ? await (await cliBackend()).probeCli({ executable: config.cliExecutable, timeoutMs: Math.min(config.cliTimeoutMs, 15_000), env: process.env }) : undefined;
  // The shared store comes with the logger that reports its dropped connections.
  const shared = config.storeUrl ? await sharedState(config) : undefined;
  // The build's tools/list schemas for this catalog (derived from zod when the build has none).
  const schemas = readSchemaFile();
  const app = createApp(config, catalog, {
    ...(config.backend === 'local' ? { embedded: await embedded() } : { ...(cliProbe ? { cliProbe } : {}), ...(shared ?? {}) }),
    ...(schemas ? { schemas } : {}),
  });
  const stop = stopOn(app.log, () => app.close());
  if (config.transport === 'http') {
    const { serveHttp } = await import('./http.js');
    await serveHttp(config, app.serverParts(), app.log);
    return -1; // keep running
  }
  const server = createMcpServer(app.serverParts());
  const transport = stdioTransport(stdio);
  // The cli backend lists what the installed CLI supports, and a shared store may be away: those
  // starts load before they answer; every other start records its answers for the next one.
  stdio?.serving({ record: config.backend !== 'cli' && !config.storeUrl, log: app.log });
  // The transport reports an error and then closes in the same turn when it gives up (a message
  // over its size limit); a bad message alone is only reported. Keep the error for that turn.
  let transportError: Error | undefined;
  transport.onerror = (e) => {
    transportError = e;
    queueMicrotask(() => (transportError = undefined));
    app.log.warn({ error: clip(e.message) }, 'stdio transport error');
  };
  transport.onclose = () => void (transportError ? stop('stdio transport closed after an error', 1, { error: clip(transportError.message) }) : stop('stdio transport closed', 0));
  void (stdio?.inputEnded ?? once(process.stdin, 'end')).then(() => stop('stdin ended (the client closed the connection)', 0));
  process.stdout.once('error', (e) => void stop('stdout failed (the client went away)', 1, { error: clip(e.message) }));
  await server.connect(transport);
  app.log.info({ tools: app.surface.length, surface: config.surface, backend: config.backend, data_dir: config.dataDir, schemas: schemas ? 'build' : 'derived' }, 'serving MCP over stdio');
  return -1;
}

/** The PostgreSQL state store, loaded only when configured; unreachable at start is an error naming host and database. */
async function sharedState(config: Config): Promise<{ state: ServerStore; logger: Logger }> {
  const logger = createLogger(config.logLevel);
  const { openPostgresState } = await import('./state/postgres.js');
  const state = await openPostgresState(config.storeUrl!, {
    poolSize: config.storePoolSize,
    onIdleError: (err) => logger.warn({ err: err.message }, 'a connection to the state store failed; it is replaced on the next call'),
  });
  logger.info({ store: state.where }, 'server state in PostgreSQL');
  return { state, logger };
}

/** A message that may quote what a client sent: kept short in the log. */
const clip = (s: string) => (s.length > 300 ? `${s.slice(0, 300)}…` : s);

/**
 * Says on stderr why the process stops, whatever stops it (signal, end of input, transport,
 * uncaught error), closes what `close` closes, flushes the log and exits. Returns the stop function.
 */
function stopOn(log: Logger, close: () => Promise<void>): (reason: string, code: number, fields?: Record<string, unknown>) => Promise<void> {
  let stopping = false;
  const stop = async (reason: string, code: number, fields: Record<string, unknown> = {}) => {
    if (stopping) return;
    stopping = true;
    (code === 0 ? log.info : log.error).call(log, { reason, exit_code: code, ...fields }, `stopping: ${reason}`);
    try {
      await close();
    } catch (e) {
      log.error({ error: clip((e as Error).message) }, 'error while stopping');
    }
    await new Promise<void>((resolve) => log.flush(() => resolve()));
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => void stop(`signal ${signal}`, 0));
  process.once('uncaughtException', (e) => void stop('uncaught error', 1, { error: clip(e.message), stack: e.stack }));
  process.once('unhandledRejection', (e) => void stop('unhandled promise rejection', 1, { error: clip(e instanceof Error ? e.message : String(e)), stack: e instanceof Error ? e.stack : undefined }));
  return stop;
}

/** Runs a command to its end (or, for a server, until it stops); exits 2 with the reason when it cannot start. */
export function run(argv: string[], stdio: StdioStart | undefined): void {
  main(argv, stdio).then(
    (code) => {
      if (code >= 0) process.exitCode = code;
    },
    (err) => {
      const msg = err instanceof ConfigError ? `configuration error: ${err.message}` : `failed to start: ${(err as Error).message}`;
      process.stderr.write(`${SERVER_NAME}: ${msg}\n`);
      process.exit(2);
    },
  );
}
