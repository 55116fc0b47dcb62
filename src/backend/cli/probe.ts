// What the installed CLI is: found, its version, logged in, its command tree and exit codes. Read
// once at start (and by `nox-campaign-mcp doctor`); a backend that found a problem reads it again
// when a tool is called, so logging in while the server runs is enough.
import type { Operation } from '../../catalog.js';
import { runProcess } from './process.js';
import { parseExitCodes, parseSchema, parseVersion, unmappedReason, versionAtLeast, type CliCommand } from './schema.js';

export const MIN_CLI_VERSION = '0.5.8';
export const INSTALL_HINT = 'Install the NoxInfluencer CLI with `npm install -g @noxinfluencer/cli` (or set NOX_CLI to its path), then run `noxinfluencer login`.';
export const LOGIN_HINT = 'Run `noxinfluencer login` in a terminal, then call the tool again (`nox-campaign-mcp doctor` checks it).';

export interface CliProblem {
  code: 'BACKEND_UNAVAILABLE' | 'AUTH_REQUIRED';
  summary: string;
  hint: string;
}

export interface CliProbe {
  executable: string;
  version?: string;
  authenticated: boolean;
  /** The command tree; empty when it could not be read. */
  commands: Map<string, CliCommand>;
  retryableExitCodes: Set<number>;
  exitCodeNames: Map<number, string>;
  /** Why operations cannot run now; undefined when the CLI is ready. */
  problem?: CliProblem;
}

export interface ProbeOptions {
  executable: string;
  timeoutMs: number;
  env: NodeJS.ProcessEnv;
}

export async function probeCli(opts: ProbeOptions): Promise<CliProbe> {
  const run = (argv: string[]) => runProcess(opts.executable, argv, { timeoutMs: opts.timeoutMs, maxOutputBytes: 16 * 1024 * 1024, env: opts.env });
  const probe: CliProbe = { executable: opts.executable, authenticated: false, commands: new Map(), retryableExitCodes: new Set(), exitCodeNames: new Map() };
  const unavailable = (summary: string, hint = INSTALL_HINT): CliProbe => ({ ...probe, problem: { code: 'BACKEND_UNAVAILABLE', summary, hint } });

  const v = await run(['--version']);
  if (v.failure === 'not_found') return unavailable(`The NoxInfluencer CLI (${JSON.stringify(opts.executable)}) was not found.`);
  if (v.failure || v.code !== 0) return unavailable(`\`${opts.executable} --version\` failed (${v.failure ?? `exit ${v.code}`}).`);
  const version = parseVersion(v.stdout);
  if (!version) return unavailable(`\`${opts.executable} --version\` printed no version.`);
  probe.version = version;
  if (!versionAtLeast(version, MIN_CLI_VERSION))
    return unavailable(`The NoxInfluencer CLI is ${version}; this server needs ${MIN_CLI_VERSION} or later.`, 'Update it with `npm install -g @noxinfluencer/cli@latest`.');

  // Read-only and independent of each other: asked at once, so a start waits for one round trip, not three.
  const [schema, codes, auth] = await Promise.all([run(['schema', '--all']), run(['agent', 'exit-codes']), run(['auth', 'status'])]);
  try {
    if (schema.failure || schema.code !== 0) throw new Error(schema.failure ?? `exit ${schema.code}`);
    probe.commands = parseSchema(schema.stdout);
  } catch (e) {
    return unavailable(
      `\`${opts.executable} schema --all\` could not be read (${(e as Error).message}).`,
      'Reinstall the CLI with `npm install -g @noxinfluencer/cli@latest`; a stale install can lack the command tree.',
    );
  }
  if (!codes.failure && codes.code === 0) {
    const parsed = parseExitCodes(codes.stdout);
    probe.retryableExitCodes = parsed.retryable;
    probe.exitCodeNames = parsed.names;
  }
  probe.authenticated = authenticated(auth.stdout);
  if (!probe.authenticated) return { ...probe, problem: { code: 'AUTH_REQUIRED', summary: 'The NoxInfluencer CLI is not logged in.', hint: LOGIN_HINT } };
  return probe;
}

function authenticated(stdout: string): boolean {
  try {
    const v = JSON.parse(stdout) as { authenticated?: unknown; data?: { authenticated?: unknown } };
    return v.authenticated === true || v.data?.authenticated === true;
  } catch {
    return false;
  }
}

export interface Mapping {
  mapped: Operation[];
  unmapped: { operation: string; reason: string }[];
}

/** Which operations the installed CLI can run (all of them are reported when its command tree is unknown). */
export function mapOperations(operations: Operation[], probe: CliProbe): Mapping {
  const mapping: Mapping = { mapped: [], unmapped: [] };
  for (const op of operations) {
    const reason = unmappedReason(op, probe.commands);
    if (reason) mapping.unmapped.push({ operation: op.name, reason });
    else mapping.mapped.push(op);
  }
  return mapping;
}

/** `nox-campaign-mcp doctor`: what was found, in lines a person reads. */
export function doctorReport(probe: CliProbe, operations: Operation[]): { ok: boolean; text: string } {
  const lines: string[] = [];
  const mark = (ok: boolean) => (ok ? 'ok  ' : 'FAIL');
  lines.push(`${mark(!!probe.version)} CLI ${probe.executable}${probe.version ? ` ${probe.version}` : ' not usable'} (needs ${MIN_CLI_VERSION} or later)`);
  if (probe.commands.size > 0) lines.push(`${mark(true)} command tree: ${probe.commands.size} commands (schema --all)`);
  if (probe.version && probe.commands.size > 0) lines.push(`${mark(probe.authenticated)} logged in (auth status)`);
  if (probe.problem) lines.push('', probe.problem.summary, probe.problem.hint);
  if (probe.commands.size > 0) {
    const m = mapOperations(operations, probe);
    lines.push('', `Operations mapped to CLI commands: ${m.mapped.length} of ${operations.length}`);
    if (m.unmapped.length) {
      lines.push('Not mapped (left out of tools/list):');
      for (const u of m.unmapped) lines.push(`  ${u.operation}: ${u.reason}`);
    }
  }
  return { ok: !probe.problem, text: lines.join('\n') + '\n' };
}
