// A stand-in for NoxInfluencer's official CLI (`noxinfluencer`), for tests of the cli backend: it
// follows the conventions NoxInfluencer documents (docs/cli-backend.md) over the embedded
// workspace, the role the sandbox plays for the http backend. It loads the built modules (dist/).
//
// This module answers one call: `handle` takes the argv, stdin and environment of an invocation
// and returns what that process would do (its stdout, stderr and exit code, or a signal that kills
// it, or a hang). noxinfluencer.mjs is the executable; it forwards each call to a long-lived
// server.mjs that keeps these modules and the workspace loaded, so a call costs a Node start
// instead of a load of the whole engine.
//
// FAKE_NOX_HOME is its state: store/ (the workspace), faults.json (what to break, read on every
// call), argv.log (one JSON line per call: argv and stdin), idempotency records in the store.
// FAKE_NOX_FILES_DIR is the files root (--file and --output paths are inside it).
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist');
/** The engine's modules by path: the built ones, unless a host that has them loaded already lends its own. */
let load = (p) => import(join(dist, p));
/** Per home, the clock its workspace runs on (a test's fake clock when the stand-in runs inside the test). */
const clocks = new Map();

/**
 * For a host that runs the stand-in in its own process (the tests' helper): the engine's modules it
 * has loaded (by path, as under dist/), and the clock of a home's workspace.
 */
export function host({ modules, home, now }) {
  if (modules) load = async (p) => modules[p] ?? import(join(dist, p));
  if (home && now) clocks.set(home, now);
}

// Stable exit codes, as `agent exit-codes` lists them (the catalog shape is assumed; see docs/cli-backend.md).
const EXIT = { OK: 0, GENERAL_ERROR: 1, INVALID_ARGUMENTS: 2, AUTH_REQUIRED: 3, RATE_LIMITED: 4, UPSTREAM_UNAVAILABLE: 5 };
const RETRYABLE = new Set(['RATE_LIMITED', 'UPSTREAM_UNAVAILABLE']);
const exitOf = (code) =>
  code === 'INVALID_REQUEST' || code === 'NOT_FOUND' ? EXIT.INVALID_ARGUMENTS : code === 'RATE_LIMITED' ? EXIT.RATE_LIMITED : code === 'AUTH_REQUIRED' ? EXIT.AUTH_REQUIRED : EXIT.GENERAL_ERROR;

/**
 * One invocation: what the process prints and how it ends. `signal` means it dies by that signal
 * after printing; `hang` means it never answers (until its caller kills it).
 * @typedef {{ stdout: string, stderr: string, code: number, signal?: string, hang?: boolean }} Outcome
 */

/**
 * Runs one call. `stdin` is what the caller piped in (read only when an argument is `-`).
 * @param {{ argv: string[], stdin: string, env: Record<string, string | undefined> }} call
 * @returns {Promise<Outcome>}
 */
export async function handle({ argv, stdin, env }) {
  const o = { stdout: '', stderr: '', code: 0 };
  const home = env.FAKE_NOX_HOME;
  if (!home) return { ...o, stderr: 'FAKE_NOX_HOME is not set\n', code: 2 };
  try {
    await main(o, { argv, stdin: argv.includes('-') ? stdin : '', home, filesRoot: env.FAKE_NOX_FILES_DIR });
  } catch (e) {
    o.stderr += `fatal: ${e?.stack ?? e}\n`;
    o.code = 1;
  }
  return o;
}

async function main(o, { argv, stdin, home, filesRoot }) {
  const faults = existsSync(join(home, 'faults.json')) ? JSON.parse(readFileSync(join(home, 'faults.json'), 'utf8')) : {};
  const print = (v) => void (o.stdout += JSON.stringify(v) + '\n');
  const ok = (data, summary) => print({ success: true, data, summary, meta: {} });
  const fail = (error_code, summary, action, exit) => {
    print({ success: false, error_code, summary, ...(action ? { action } : {}) });
    o.code = exit ?? exitOf(error_code);
  };
  appendFileSync(join(home, 'argv.log'), JSON.stringify({ argv, stdin }) + '\n');
  if (argv[0] === '--version') return void (o.stdout += `${faults.version ?? '0.5.9'}\n`);
  if (argv[0] === 'auth' && argv[1] === 'status') return print({ success: true, message: faults.logged_out ? 'Not logged in' : 'Logged in', authenticated: !faults.logged_out });
  if (argv[0] === 'agent' && argv[1] === 'exit-codes') return print({ exit_codes: Object.entries(EXIT).map(([name, code]) => ({ code, name, retryable: RETRYABLE.has(name) })) });

  const commands = await commandTree(faults.omit ?? []);
  if (argv[0] === 'schema' && argv[1] === '--all') return print(commands.map(({ op: _op, stage: _s, selector: _x, ...c }) => c));
  const spec = commands.filter((c) => startsWith(argv, c.command.split(' '))).sort((a, b) => b.command.length - a.command.length)[0];
  if (!spec) {
    o.stderr += `error: unknown command '${argv.slice(0, 3).join(' ')}'\n`;
    o.code = EXIT.INVALID_ARGUMENTS;
    return;
  }
  const fault = (kind) => (faults[kind] ?? []).includes(spec.command);
  if (faults.logged_out) return fail('AUTH_REQUIRED', 'Not logged in. Run `noxinfluencer login`.', { type: 'login', hint: 'Run noxinfluencer login.' });
  if (fault('hang')) return void (o.hang = true);
  if (fault('garbage')) return void (o.stdout += 'Segmentation <<< not json >>>\n');
  if (fault('leak')) {
    o.stderr += 'request failed: Authorization: Bearer sk_live_0123456789abcdef token=abcdef0123456789\n';
    o.code = EXIT.GENERAL_ERROR;
    return;
  }
  if (fault('quota'))
    return fail('INSUFFICIENT_CREDIT', 'Insufficient credit quota', {
      type: 'redirect',
      url: 'https://www.noxinfluencer.com/skills/usage-billing',
      hint: 'Open billing to renew or upgrade your available quota.',
    });
  const flaky = faults.flaky?.[spec.command];
  if (flaky) {
    const counter = join(home, `flaky-${spec.command.replace(/\W+/g, '_')}`);
    const n = existsSync(counter) ? Number(readFileSync(counter, 'utf8')) : 0;
    writeFileSync(counter, String(n + 1));
    if (n < flaky) return fail('UPSTREAM_UNAVAILABLE', 'Upstream temporarily unavailable', { type: 'retry_later', hint: 'Retry shortly.' }, EXIT.UPSTREAM_UNAVAILABLE);
  }

  const parsed = parseArgs(spec, argv.slice(spec.command.split(' ').length), stdin, filesRoot);
  if (!parsed.ok) return fail('INVALID_REQUEST', parsed.error, { type: 'fix_request', hint: 'See `noxinfluencer schema`.' });
  const { input, force, key } = parsed;
  const ws = await workspace(home, filesRoot);
  const { op, stage } = spec;
  const call = { principal: 'cli' };
  try {
    if (!spec.mutation || !force) {
      if (stage === 'run' && op.kind === 'read') return ok(await ws.stages.run(op, input, call), 'OK');
      if (stage === 'validate') {
        const problems = await ws.stages.validate(op, input, call);
        return ok({ valid: problems.length === 0, problems }, problems.length ? `${problems.length} problem(s)` : 'Valid');
      }
      if (op.risk === 'high') {
        const reading = await ws.stages.preview(op, input, call);
        return ok(reading.effect, reading.summary);
      }
      return ok({ dry_run: true, command: spec.command }, 'Dry run; add --force to execute.');
    }
    // --force: an idempotency key already seen answers what it answered then, without running again
    // (a call still running with it is waited for); a new one is claimed before the write runs.
    // Keys are kept 24 hours, as the engine keeps its own records of them.
    if (key) ws.db.prepare('DELETE FROM fake_cli_idempotency WHERE key = ? AND at <= ?').run(key, ws.now().getTime() - 24 * 3600_000);
    if (key && !ws.db.prepare('INSERT OR IGNORE INTO fake_cli_idempotency (key, envelope, at) VALUES (?, NULL, ?)').run(key, ws.now().getTime()).changes) {
      const recorded = await outcomeOf(ws.db, key);
      o.stdout += recorded + '\n';
      if (!JSON.parse(recorded).success) o.code = EXIT.GENERAL_ERROR;
      return;
    }
    let result;
    try {
      if (op.risk === 'high') {
        const { digest } = await load('src/guard/canonical.js');
        const reading = await ws.stages.preview(op, input, call);
        result = await ws.stages.apply(op, input, call, { stateDigest: digest(reading.state), idempotencyKey: key ?? 'fake' });
      } else result = await ws.stages.run(op, input, call);
    } catch (e) {
      // Refused: nothing happened, the key is free again.
      if (key) ws.db.prepare('DELETE FROM fake_cli_idempotency WHERE key = ?').run(key);
      throw e;
    }
    const envelope = JSON.stringify({ success: true, data: result, summary: 'Done', meta: {} });
    if (key) ws.db.prepare('UPDATE fake_cli_idempotency SET envelope = ? WHERE key = ?').run(envelope, key);
    // A crash after the write: the change happened, the caller never hears of it.
    if (fault('crash_on_force')) return void (o.signal = 'SIGKILL');
    o.stdout += envelope + '\n';
  } catch (e) {
    if (e && typeof e === 'object' && 'code' in e && typeof e.toEnvelope === 'function') {
      const env = e.toEnvelope();
      return fail(env.error_code, env.summary, env.action);
    }
    o.stderr += `internal error: ${e?.message ?? e}\n`;
    o.code = EXIT.GENERAL_ERROR;
  }
}

const startsWith = (a, prefix) => prefix.every((w, i) => a[i] === w);

/** The envelope recorded for a key, once the call that claimed it has finished (a refusal frees the key: then it runs again). */
async function outcomeOf(db, key) {
  for (let waited = 0; waited < 30_000; waited += 25) {
    const row = db.prepare('SELECT envelope FROM fake_cli_idempotency WHERE key = ?').get(key);
    if (row?.envelope) return row.envelope;
    if (!row) return JSON.stringify({ success: false, error_code: 'CONFLICT', summary: 'An earlier call with this idempotency key was refused; send the request again.' });
    await new Promise((r) => setTimeout(r, 25));
  }
  return JSON.stringify({ success: false, error_code: 'CONFLICT', summary: 'A call with this idempotency key is still running.' });
}

const trees = new Map();
/** The command tree in the documented shape of `schema --all`, derived from the catalog (cached per set of omitted commands). */
async function commandTree(omit) {
  const cacheKey = JSON.stringify(omit);
  if (!trees.has(cacheKey)) trees.set(cacheKey, await buildTree(omit));
  return trees.get(cacheKey);
}

async function buildTree(omit) {
  const { operations } = await load('tools/index.js');
  const { cliBindingOf, stagesOf } = await load('src/catalog.js');
  const out = [];
  for (const op of operations) {
    const binding = cliBindingOf(op);
    const bases = typeof binding === 'string' ? [[binding, undefined]] : Object.entries(binding.commands).map(([v, c]) => [c, [binding.by, v]]);
    const stages = op.kind === 'staged' ? stagesOf(op) : ['run'];
    for (const [base, selector] of bases) {
      for (const stage of stages) {
        const command = op.kind === 'staged' ? `${base} ${stage}` : base;
        if (omit.includes(command)) continue;
        out.push({ ...describe(op, command, stage, selector?.[0]), op, stage, selector });
      }
    }
  }
  return out;
}

/** Path parameters are positional; a read's scalar fields are options; files are --file/--output; the rest is a JSON body. */
function describe(op, command, stage, selector) {
  const js = z.toJSONSchema(op.input, { io: 'input', unrepresentable: 'any' });
  const props = js.properties ?? {};
  const mutation = op.kind === 'staged' ? stage === 'apply' : op.kind !== 'read';
  const positional = op.kind === 'staged' ? [] : [...op.route.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]).filter((f) => f in props);
  const options = [];
  const body = {};
  const scalar = (p) => ['string', 'number', 'integer', 'boolean'].includes(p.type) || (Array.isArray(p.enum) && !p.type);
  for (const [field, p] of Object.entries(props)) {
    if (field === selector || positional.includes(field)) continue;
    if (['path', 'content_base64', 'filename'].includes(field)) {
      if (!options.some((o) => o.flag === '--file')) options.push({ flag: '--file', description: 'File to upload', required: false });
    } else if (field === 'output_path') options.push({ flag: '--output', description: 'Where to write the download', required: false });
    else if (field === 'overwrite' && 'output_path' in props) options.push({ flag: '--overwrite', description: 'Replace an existing file', required: false });
    else if (!mutation && stage === 'run' && scalar(p)) options.push({ flag: `--${field}`, description: p.description ?? field, required: false });
    else body[field] = p;
  }
  const required = (js.required ?? []).filter((f) => f in body);
  const hasBody = Object.keys(body).length > 0;
  if (hasBody && mutation) body.idempotency_key = { type: 'string', minLength: 8, maxLength: 128, description: 'Stable key for one operation; reuse after unknown outcomes.' };
  if (hasBody) options.push({ flag: '--body-file', description: 'JSON arguments; file or stdin (-)', required: required.length > 0 });
  return {
    command,
    arguments: positional.map((name) => ({ name, required: (js.required ?? []).includes(name), variadic: false })),
    mutation,
    supports_body_file: hasBody,
    ...(hasBody ? { body_schema: { type: 'object', additionalProperties: false, required: [...required, ...(mutation ? ['idempotency_key'] : [])], properties: body } } : {}),
    required_options: options,
  };
}

/** The command line back into the operation's input; unknown options are refused, as a real CLI does. */
function parseArgs(spec, rest, stdin, filesRoot) {
  const input = {};
  let force = false;
  let key;
  const args = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a === '--force') force = true;
    else if (a === '--idempotency-key') key = rest[++i];
    else if (a === '--body-file') {
      if (rest[++i] !== '-') return { ok: false, error: 'only --body-file - is supported here' };
      Object.assign(input, JSON.parse(stdin || '{}'));
    } else if (a === '--file') input.path = relative(filesRoot, rest[++i]);
    else if (a === '--output') input.output_path = relative(filesRoot, rest[++i]);
    else if (a === '--overwrite') input.overwrite = true;
    else if (a.startsWith('--')) {
      const o = spec.required_options.find((x) => x.flag === a);
      if (!o) return { ok: false, error: `unknown option '${a}'` };
      const field = a.slice(2).replace(/-/g, '_');
      const next = rest[i + 1];
      input[field] = next === undefined || next.startsWith('--') ? true : rest[++i];
    } else args.push(a);
  }
  spec.arguments.forEach((arg, i) => {
    if (args[i] !== undefined) input[arg.name] = args[i];
  });
  if (args.length > spec.arguments.length) return { ok: false, error: `too many arguments: ${JSON.stringify(args.slice(spec.arguments.length))}` };
  if (input.idempotency_key) key ??= input.idempotency_key;
  delete input.idempotency_key;
  if (spec.selector) input[spec.selector[0]] = spec.selector[1];
  // Options arrive as text: give each the type its field's schema takes.
  const shape = spec.op.input.shape;
  for (const [k, v] of Object.entries(input)) {
    if (typeof v !== 'string' || !shape[k] || shape[k].safeParse(v).success) continue;
    try {
      const j = JSON.parse(v);
      if (shape[k].safeParse(j).success) input[k] = j;
    } catch {
      /* kept as text: the schema check names it */
    }
  }
  const checked = spec.op.input.safeParse(input);
  if (!checked.success) return { ok: false, error: checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
  return { ok: true, input: checked.data, force, key };
}

const workspaces = new Map();
/** The workspace over FAKE_NOX_HOME/store, opened once per home and files root and kept. */
function workspace(home, filesRoot) {
  const k = JSON.stringify([home, filesRoot]);
  if (!workspaces.has(k)) workspaces.set(k, openWorkspace(home, filesRoot));
  return workspaces.get(k);
}

async function openWorkspace(home, filesRoot) {
  const [{ catalog }, { embeddedWorkspace }, { createApp }, { loadConfig }, { stageRunner }, { createLogger }] = await Promise.all([
    load('tools/index.js'),
    load('workspace/index.js'),
    load('src/app.js'),
    load('src/config.js'),
    load('src/stages.js'),
    load('src/log.js'),
  ]);
  mkdirSync(join(home, 'store'), { recursive: true });
  const config = { ...loadConfig(['--data-dir', join(home, 'store')], {}), filesDir: filesRoot, logLevel: 'silent' };
  const now = () => (clocks.get(home) ?? (() => new Date()))();
  const app = createApp(config, catalog, { embedded: embeddedWorkspace, startJobs: false, logger: createLogger('silent'), now });
  // envelope is NULL while the call that claimed the key runs.
  app.store.exec('CREATE TABLE IF NOT EXISTS fake_cli_idempotency (key TEXT PRIMARY KEY, envelope TEXT, at INTEGER NOT NULL)');
  const stages = stageRunner({ backend: app.engine.backend, store: app.state, now, campaignOfIds: app.engine.campaignOfIds });
  return { stages, db: app.store, now, close: () => app.close() };
}

/** Closes the workspaces opened for `home` (every one when none is named). */
export async function closeWorkspaces(home) {
  for (const [k, w] of workspaces) {
    if (home && JSON.parse(k)[0] !== home) continue;
    workspaces.delete(k);
    await (await w).close();
  }
  if (home) clocks.delete(home);
}
