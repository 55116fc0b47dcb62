// The cli backend: runs every operation through NoxInfluencer's official CLI (`noxinfluencer`),
// so a real account is driven through the interface NoxInfluencer publishes for agents. See
// docs/cli-backend.md for the conventions this follows and where each comes from.
//
// A preview is the CLI's dry run (mutations run without `--force`; staged families run their own
// `preview` stage); the token binds a digest of what the dry run reported. An apply dry-runs again
// and refuses (PREVIEW_STALE) if the report changed, then runs `--force` with an idempotency key
// derived from the preview token. An apply whose process dies, times out or prints no envelope has
// an unknown outcome and is never re-run. Reads retry on the exit codes the CLI calls retryable;
// writes never retry.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CallInfo, Operation, PreviewReading, Problem, Stage } from '../../catalog.js';
import type { ApplyExpectation, Args, NoxBackend } from '../contract.js';
import { StaleStateError } from '../contract.js';
import { digest } from '../../guard/canonical.js';
import { ToolError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { FilesRoot } from '../../files.js';
import { Limiter, runProcess, type RunResult } from './process.js';
import { buildInvocation, type FileAccess, type Invocation } from './schema.js';
import { mapOperations, probeCli, type CliProbe } from './probe.js';

export { probeCli, doctorReport, mapOperations, type CliProbe } from './probe.js';

export interface CliBackendOptions {
  executable: string;
  timeoutMs: number;
  concurrency: number;
  maxOutputBytes: number;
  /** Retries of a read after a retryable exit code. */
  maxRetries: number;
  files: FilesRoot;
  env: NodeJS.ProcessEnv;
  log?: Logger;
  /** How long a found problem (missing CLI, logged out) is trusted before the CLI is asked again. */
  reprobeAfterMs?: number;
}

/** What the CLI printed, read as the documented envelope. */
type Envelope =
  { success: true; data: unknown; summary: string; meta?: Record<string, unknown> } | { success: false; error_code: string; summary: string; action?: { type: string; url?: string; hint: string } };

/** One finished process, and its envelope when it printed one. */
interface Outcome {
  res: RunResult;
  env?: Envelope;
}

const EXCERPT_CHARS = 200;
/** Above any file limit of the domain (10 MB): the CLI applies each command's own limit. */
const MAX_UPLOAD_BYTES = 32 * 1024 * 1024;
/** Our own secrets never reach the CLI's environment. */
const SECRET_ENV = ['NOX_API_KEY', 'NOX_HTTP_TOKEN', 'NOX_HTTP_TOKENS'];

export class CliBackend implements NoxBackend {
  readonly target: string;
  /** Results are the CLI's data as it prints it, not checked against our contracts' output schemas. */
  readonly outputs = 'passthrough' as const;
  private readonly limiter: Limiter;
  private readonly env: NodeJS.ProcessEnv;
  private probedAt: number;
  private readonly supported: Set<string> | undefined;

  constructor(
    private readonly operations: Operation[],
    private probe: CliProbe,
    private readonly opts: CliBackendOptions,
  ) {
    this.target = `cli:${opts.executable}`;
    this.limiter = new Limiter(opts.concurrency);
    this.env = Object.fromEntries(Object.entries(opts.env).filter(([k]) => !SECRET_ENV.includes(k)));
    this.probedAt = Date.now();
    if (probe.commands.size > 0) {
      const m = mapOperations(operations, probe);
      this.supported = new Set(m.mapped.map((o) => o.name));
      opts.log?.info({ cli: opts.executable, version: probe.version, mapped: m.mapped.length, unmapped: m.unmapped.length }, 'cli backend: operations mapped to CLI commands');
      if (m.unmapped.length)
        opts.log?.warn({ version: probe.version, unmapped: m.unmapped.map((u) => `${u.operation} (${u.reason})`) }, 'cli backend: operations the installed CLI cannot run are left out of tools/list');
    }
    if (probe.problem) opts.log?.warn({ cli: opts.executable, error_code: probe.problem.code, hint: probe.problem.hint }, probe.problem.summary);
  }

  /** An operation the installed CLI cannot run is not offered (all are, with a hint, while the CLI cannot be read). */
  supports(op: Operation): boolean {
    return this.supported ? this.supported.has(op.name) : true;
  }

  async run(op: Operation, input: Args, call: CallInfo, record?: (result: unknown) => void): Promise<unknown> {
    await this.ready(op);
    const write = op.kind !== 'read';
    const inv = this.invocation(op, 'run', input, { force: write, ...(write ? { idempotencyKey: upstreamKey(op, call) ?? `nox-w-${randomBytes(16).toString('base64url')}` } : {}) });
    const out = inv.mutation ? await this.once(inv, call) : await this.withRetries(inv, call);
    const result = this.settle(op, inv, out, inv.mutation ? 'write' : 'read');
    record?.(result);
    return result;
  }

  async validate(op: Operation, input: Args, call: CallInfo): Promise<Problem[]> {
    await this.ready(op);
    const inv = this.invocation(op, 'validate', input, { force: false, idempotencyKey: dryRunKey() });
    const data = this.settle(op, inv, await this.withRetries(inv, call), 'read');
    const problems = (data as { problems?: unknown }).problems;
    if (Array.isArray(problems)) return problems.map((p) => ({ field: String(p?.field ?? ''), code: String(p?.code ?? 'INVALID'), message: String(p?.message ?? p) }));
    return (data as { valid?: unknown }).valid === false ? [{ field: '(body)', code: 'INVALID', message: String((data as { summary?: unknown }).summary ?? 'the CLI reported the body invalid') }] : [];
  }

  async preview(op: Operation, input: Args, call: CallInfo): Promise<PreviewReading<unknown>> {
    await this.ready(op);
    const { effect, summary } = await this.dryRun(op, input, call);
    return { effect, summary, state: { dry_run: comparable(effect) } };
  }

  async apply(op: Operation, input: Args, call: CallInfo, expect: ApplyExpectation): Promise<unknown> {
    await this.ready(op);
    // What the preview reported must still be what a dry run reports now. A failure here is definite: nothing ran.
    let again: { effect: Record<string, unknown> };
    try {
      again = await this.dryRun(op, input, call);
    } catch (e) {
      if (e instanceof ToolError && (e.code === 'UPSTREAM_UNAVAILABLE' || e.code === 'APPLY_OUTCOME_UNKNOWN')) {
        throw new ToolError('BACKEND_UNAVAILABLE', `The CLI's dry run before applying ${op.name} failed (${e.message}); nothing was applied.`, {
          hint: 'Preview again when the CLI answers.',
          actionType: 'preview_again',
        });
      }
      throw e;
    }
    const state = { dry_run: comparable(again.effect) };
    if (digest(state) !== expect.stateDigest) throw new StaleStateError(state);
    const inv = this.invocation(op, 'apply', input, { force: true, idempotencyKey: upstreamKey(op, call) ?? expect.idempotencyKey });
    const result = this.settle(op, inv, await this.once(inv, call), 'apply');
    expect.record(result);
    return result;
  }

  async close(): Promise<void> {
    /* nothing stays open: every call is its own process */
  }

  /** The dry run a preview shows: the staged family's `preview` stage, else the command without --force. */
  private async dryRun(op: Operation, input: Args, call: CallInfo): Promise<{ effect: Record<string, unknown>; summary: string }> {
    const inv = this.invocation(op, 'preview', input, { force: false, idempotencyKey: dryRunKey() });
    const out = await this.withRetries(inv, call);
    // The effect is what the dry run reported; its summary is the preview's own, not a field of it.
    const effect = this.settle(op, inv, out, 'read', false);
    return { effect, summary: out.env?.success && out.env.summary ? out.env.summary : `${op.title}: dry run` };
  }

  private invocation(op: Operation, stage: Stage, input: Args, w: { force: boolean; idempotencyKey?: string }): Invocation & { cleanup: () => void } {
    const temps: string[] = [];
    const files: FileAccess = {
      input: (i) => {
        if (i.path !== undefined && i.content_base64 !== undefined) {
          throw new ToolError('INVALID_REQUEST', 'Give either path or content_base64 + filename, not both.', { hint: this.opts.files.howToGive() });
        }
        if (typeof i.path === 'string') return this.opts.files.resolveExisting(i.path);
        if (typeof i.content_base64 === 'string') {
          // The CLI takes files by path: base64 content becomes a temporary file inside the files root,
          // under the caller's file name (the CLI names the upload after it), in a directory of its own.
          // Read as every backend reads it: a filename is required, the bytes must be base64 and not empty.
          const file = this.opts.files.load({ content_base64: i.content_base64, ...(typeof i.filename === 'string' ? { filename: i.filename } : {}) }, { maxBytes: MAX_UPLOAD_BYTES });
          const tmp = this.opts.files.resolvePath(join('.nox-cli-uploads', randomBytes(6).toString('hex'), file.name));
          mkdirSync(dirname(tmp), { recursive: true });
          writeFileSync(tmp, file.bytes, { mode: 0o600 });
          temps.push(tmp);
          return tmp;
        }
        throw new ToolError('INVALID_REQUEST', 'No file given.', { hint: 'Pass path (inside the files root) or content_base64 with filename.' });
      },
      output: (p, overwrite) => {
        const { abs } = this.opts.files.checkOutput(p, overwrite);
        mkdirSync(dirname(abs), { recursive: true });
        return abs;
      },
    };
    const inv = buildInvocation(op, stage, input, this.probe.commands, files, w);
    return { ...inv, cleanup: () => temps.forEach((t) => rmSync(dirname(t), { recursive: true, force: true })) };
  }

  private async once(inv: Invocation & { cleanup?: () => void }, call: CallInfo): Promise<Outcome> {
    try {
      const res = await this.limiter.run(() =>
        runProcess(this.opts.executable, inv.argv, {
          ...(inv.stdin !== undefined ? { stdin: inv.stdin } : {}),
          timeoutMs: this.opts.timeoutMs,
          maxOutputBytes: this.opts.maxOutputBytes,
          env: this.env,
          ...(call.signal ? { signal: call.signal } : {}),
        }),
      );
      const env = parseEnvelope(res.stdout);
      return env ? { res, env } : { res };
    } finally {
      inv.cleanup?.();
    }
  }

  /** Reads, dry runs and validations: again after a retryable exit code, with backoff. */
  private async withRetries(inv: Invocation & { cleanup?: () => void }, call: CallInfo): Promise<Outcome> {
    for (let attempt = 0; ; attempt++) {
      const out = await this.once({ ...inv, cleanup: () => undefined }, call);
      const exit = out.res.code;
      const failed = !out.env?.success;
      const retry = failed && attempt < this.opts.maxRetries && !call.signal?.aborted && ((exit !== null && exit !== 0 && this.probe.retryableExitCodes.has(exit)) || out.res.failure === 'timeout');
      if (!retry) {
        inv.cleanup?.();
        return out;
      }
      const wait = Math.min(5_000, 250 * 2 ** attempt);
      this.opts.log?.debug({ command: inv.command, attempt: attempt + 1, wait_ms: wait, exit }, 'retrying CLI read');
      await new Promise((r) => setTimeout(r, wait / 2 + Math.random() * (wait / 2)));
    }
  }

  /** The result of one invocation, or the error it amounts to for this kind of call. */
  private settle(op: Operation, inv: Invocation, { res, env }: Outcome, kind: 'read' | 'write' | 'apply', withSummary = true): Record<string, unknown> {
    if (env?.success) return resultOf(env.data, withSummary ? env.summary : '');
    if (env) return upstreamError(env, (s) => this.scrub(s));
    const what = this.failureText(res);
    if (kind === 'apply') {
      throw new ToolError('APPLY_OUTCOME_UNKNOWN', `\`noxinfluencer ${inv.command}\` ${what}; whether ${op.name} took effect is unknown.`, {
        hint: 'Read the affected records back before anything else; never repeat the change blindly.',
        actionType: 'read_state',
      });
    }
    if (kind === 'write') {
      throw new ToolError('UPSTREAM_UNAVAILABLE', `\`noxinfluencer ${inv.command}\` ${what}; whether ${op.name} took effect is unknown.`, {
        hint: 'Read the affected records back before doing anything else; never repeat the change blindly.',
        actionType: 'read_state',
      });
    }
    throw new ToolError('UPSTREAM_UNAVAILABLE', `\`noxinfluencer ${inv.command}\` ${what}.`, {
      hint: 'Try again in a moment; `nox-campaign-mcp doctor` checks the CLI. Nothing was changed by this call.',
      actionType: 'retry_later',
    });
  }

  private failureText(res: RunResult): string {
    const excerpt = this.excerpt(res.stderr);
    const tail = excerpt ? ` (stderr: ${JSON.stringify(excerpt)})` : '';
    switch (res.failure) {
      case 'timeout':
        return `gave no answer within ${this.opts.timeoutMs} ms and was stopped`;
      case 'output_too_large':
        return `printed more than ${this.opts.maxOutputBytes} bytes and was stopped`;
      case 'killed':
        return `was killed before it answered${tail}`;
      case 'cancelled':
        return 'was cancelled';
      case 'not_found':
      case 'spawn_failed':
        return 'could not be started';
      default: {
        const name = res.code !== null ? this.probe.exitCodeNames.get(res.code) : undefined;
        return `exited with code ${res.code}${name ? ` (${name})` : ''} without a response envelope${tail}`;
      }
    }
  }

  /** A found problem (no CLI, logged out) answers every call with its hint, after asking the CLI again now and then. */
  private async ready(op: Operation): Promise<void> {
    if (this.probe.problem && Date.now() - this.probedAt >= (this.opts.reprobeAfterMs ?? 10_000)) {
      this.probedAt = Date.now();
      const fresh = await probeCli({ executable: this.opts.executable, timeoutMs: Math.min(this.opts.timeoutMs, 15_000), env: this.env });
      // The command tree a running server was started with stays (tools/list does not change); the rest is refreshed.
      this.probe = this.probe.commands.size > 0 && fresh.commands.size === 0 ? { ...fresh, commands: this.probe.commands } : fresh;
    }
    const p = this.probe.problem;
    if (p) throw new ToolError(p.code, p.summary, { hint: p.hint, actionType: p.code === 'AUTH_REQUIRED' ? 'login' : 'install_cli' });
    if (!this.supports(op)) {
      throw new ToolError('TOOL_DISABLED', `The installed NoxInfluencer CLI cannot run ${op.name}.`, {
        hint: 'Run `nox-campaign-mcp doctor` to see what maps; update the CLI for more.',
        actionType: 'update_cli',
      });
    }
  }

  private excerpt(text: string): string {
    const flat = this.scrub(text.replace(/\s+/g, ' ').trim());
    return flat.length > EXCERPT_CHARS ? `${flat.slice(0, EXCERPT_CHARS)}…` : flat;
  }

  /** Anything that looks like a credential is replaced before text leaves in an error or a log line. */
  private scrub(s: string): string {
    let out = s
      .replace(/\b(bearer)\s+[A-Za-z0-9._~+/=-]{8,}/gi, '$1 [redacted]')
      .replace(/\b((?:api[_-]?key|access[_-]?token|refresh[_-]?token|token|secret|password|authorization|cookie)["']?\s*[:=]\s*["']?)[^\s"',;]{4,}/gi, '$1[redacted]');
    for (const k of SECRET_ENV) {
      const v = this.opts.env[k];
      if (v && v.length >= 8) out = out.split(v).join('[redacted]');
    }
    return out;
  }
}

/** The stdout of a call as the documented envelope, or undefined when it is not one. */
export function parseEnvelope(stdout: string): Envelope | undefined {
  const text = stdout.trim();
  if (!text) return undefined;
  const candidates = [text, text.slice(text.indexOf('{'))];
  for (const c of candidates) {
    try {
      const v = JSON.parse(c) as Record<string, unknown>;
      if (v && v.success === true && 'data' in v)
        return { success: true, data: v.data, summary: typeof v.summary === 'string' ? v.summary : '', ...(v.meta && typeof v.meta === 'object' ? { meta: v.meta as Record<string, unknown> } : {}) };
      if (v && v.success === false && typeof v.error_code === 'string') {
        const a = v.action as { type?: unknown; url?: unknown; hint?: unknown } | undefined;
        return {
          success: false,
          error_code: v.error_code,
          summary: typeof v.summary === 'string' ? v.summary : v.error_code,
          ...(a && typeof a === 'object' ? { action: { type: String(a.type ?? 'follow_hint'), hint: String(a.hint ?? ''), ...(typeof a.url === 'string' ? { url: a.url } : {}) } } : {}),
        };
      }
    } catch {
      /* not JSON */
    }
  }
  return undefined;
}

/** The CLI's data as a tool result: an object as it is (with the envelope's summary), anything else under `data`. */
function resultOf(data: unknown, summary: string): Record<string, unknown> {
  if (data && typeof data === 'object' && !Array.isArray(data)) return 'summary' in data || !summary ? (data as Record<string, unknown>) : { ...(data as Record<string, unknown>), summary };
  return { data, ...(summary ? { summary } : {}) };
}

/** The upstream's own refusal, kept: its error_code and action (a quota error says so and keeps the billing URL). */
function upstreamError(env: Extract<Envelope, { success: false }>, scrub: (s: string) => string): never {
  const quota = env.error_code === 'INSUFFICIENT_CREDIT' || env.error_code === 'QUOTA_EXCEEDED';
  const summary = scrub(quota ? `Skill quota is exhausted: ${env.summary}` : env.summary);
  const err = ToolError.fromEnvelope({ error_code: env.error_code, summary, ...(env.action ? { action: { ...env.action, hint: scrub(env.action.hint) } } : {}) });
  throw err;
}

/** A dry-run report as the token binds it: without idempotency keys, which differ between runs by design. */
function comparable(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(comparable);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k]) => k !== 'idempotency_key')
        .map(([k, x]) => [k, comparable(x)]),
    );
  return v;
}

/**
 * The key a write carries upstream for the caller's idempotency_key: the same for every retry of
 * one call, so it never runs twice there, and scoped as the caller's key is here (principal and
 * operation), so one key reused for another operation is not answered with the first one's outcome.
 */
function upstreamKey(op: Operation, call: CallInfo): string | undefined {
  if (!call.idempotencyKey) return undefined;
  return `nox-k-${createHash('sha256')
    .update(JSON.stringify([call.principal, op.name, call.idempotencyKey]))
    .digest('base64url')
    .slice(0, 32)}`;
}

const dryRunKey = () => `nox-dry-${randomBytes(12).toString('base64url')}`;
