// The http backend: runs operations against a Nox-compatible REST API (docs/api.md) with undici.
// One pooled keep-alive dispatcher; the API key travels only in its header (never in a URL, a log
// line, an error or a result); every request has a timeout. Reads, validates and previews are
// retried with jittered backoff on 429, 5xx and connection errors, honouring Retry-After. Writes
// carry an Idempotency-Key and are retried only with that same key, so a retried write can never
// take effect twice upstream: the caller's idempotency_key when given (so its own retries after an
// unknown outcome are recognised upstream too), else one made per write (an apply's derived from
// its preview token).
import { randomBytes } from 'node:crypto';
import type { Agent, Dispatcher } from 'undici';
import type { CallInfo, Operation, PreviewReading, Problem, Stage } from '../../catalog.js';
import type { ApplyExpectation, Args, NoxBackend } from '../contract.js';
import { StaleStateError } from '../contract.js';
import { ToolError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { FilesRoot } from '../../files.js';

/** Above any file limit of the domain (10 MB): the API applies each operation's own limit. */
const MAX_INLINE_BYTES = 32 * 1024 * 1024;
import { API_KEY_HEADER, IDEMPOTENCY_HEADER, PRINCIPAL_HEADER, STATE_CHANGED, STATE_DIGEST_HEADER, encodeRequest, restRoutes, type Envelope, type RestRoute, type SuccessEnvelope } from './rest.js';

export interface HttpBackendOptions {
  baseUrl: string;
  apiKey: string;
  timeoutMs: number;
  /** This server's files root: a `path` input is read here and sent upstream as content_base64 + filename. */
  files?: FilesRoot;
  /** Retries after the first attempt (reads, and writes with their same Idempotency-Key). */
  maxRetries?: number;
  /** First backoff step; each retry doubles it (full jitter), capped at maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** The longest Retry-After honoured; a longer one ends the retries. */
  maxRetryAfterMs?: number;
  log?: Logger;
}

interface Attempt {
  status: number;
  envelope?: Envelope;
  /** A short excerpt of a body that is not a JSON envelope. */
  excerpt?: string;
  retryAfterMs?: number;
}

type Failure = { kind: 'network'; message: string } | { kind: 'timeout' } | { kind: 'cancelled' };

const EXCERPT_CHARS = 160;

export class HttpBackend implements NoxBackend {
  readonly target: string;
  private readonly routes = new Map<string, RestRoute>();
  /** All routes, to check that a built path leads back to its own route. */
  private readonly routeList: RestRoute[];
  /** undici and the pooled keep-alive agent, loaded on the first request (a local-backend start never pays for them). */
  private client: Promise<{ agent: Agent; request: typeof import('undici').request }> | undefined;
  private readonly base: URL;
  private readonly opts: Required<Omit<HttpBackendOptions, 'log' | 'files'>> & Pick<HttpBackendOptions, 'log' | 'files'>;

  constructor(operations: Operation[], options: HttpBackendOptions) {
    this.opts = { maxRetries: 3, backoffMs: 200, maxBackoffMs: 5_000, maxRetryAfterMs: 30_000, ...options };
    this.base = new URL(options.baseUrl.replace(/\/+$/, '') + '/');
    // The target binds preview tokens: the API's origin and path, never credentials.
    this.target = `http:${this.base.origin}${this.base.pathname.replace(/\/$/, '')}`;
    this.routeList = restRoutes(operations);
    for (const r of this.routeList) this.routes.set(`${r.op.name}#${r.stage}`, r);
  }

  /**
   * The API cannot read this machine's files: an operation that accepts path or content_base64
   * gets the file's bytes instead of its path (the same bytes for preview and apply, so the API's
   * freshness check sees a changed file).
   */
  private inlineFile(op: Operation, input: Args): Args {
    const shape = op.input.shape;
    if (!this.opts.files || !('path' in shape) || !('content_base64' in shape) || typeof input.path !== 'string' || input.content_base64 !== undefined) return input;
    const file = this.opts.files.load({ path: input.path }, { maxBytes: MAX_INLINE_BYTES });
    const { path: _path, ...rest } = input;
    return { ...rest, content_base64: file.bytes.toString('base64'), filename: file.name };
  }

  private undici() {
    this.client ??= import('undici').then(({ Agent, request }) => ({
      agent: new Agent({ keepAliveTimeout: 10_000, keepAliveMaxTimeout: 60_000, connections: 32, connect: { timeout: this.opts.timeoutMs } }),
      request,
    }));
    return this.client;
  }

  async run(op: Operation, input: Args, call: CallInfo, record?: (result: unknown) => void): Promise<unknown> {
    const route = this.route(op, 'run');
    const res = await this.send(route, input, call, route.write ? { idempotencyKey: call.idempotencyKey ?? `nox-w-${randomBytes(16).toString('base64url')}` } : {});
    record?.(res.data);
    return res.data;
  }

  async validate(op: Operation, input: Args, call: CallInfo): Promise<Problem[]> {
    const res = await this.send(this.route(op, 'validate'), input, call, {});
    const data = res.data as { problems?: Problem[] } | undefined;
    return Array.isArray(data?.problems) ? data.problems : [];
  }

  async preview(op: Operation, input: Args, call: CallInfo): Promise<PreviewReading<unknown>> {
    const res = await this.send(this.route(op, 'preview'), input, call, {});
    const data = res.data as { effect?: unknown } | undefined;
    const state = res.meta?.state;
    if (!data || !('effect' in data) || !state || typeof state !== 'object') {
      throw upstreamShape(`the preview response of ${op.name} lacks data.effect or meta.state`);
    }
    return { effect: data.effect, state: state as Record<string, unknown>, summary: res.summary };
  }

  async apply(op: Operation, input: Args, call: CallInfo, expect: ApplyExpectation): Promise<unknown> {
    const res = await this.send(this.route(op, 'apply'), input, call, { idempotencyKey: call.idempotencyKey ?? expect.idempotencyKey, stateDigest: expect.stateDigest });
    expect.record(res.data);
    return res.data;
  }

  async close(): Promise<void> {
    if (this.client) await (await this.client).agent.close();
  }

  private route(op: Operation, stage: Stage): RestRoute {
    const r = this.routes.get(`${op.name}#${stage}`);
    if (!r) throw new Error(`${op.name} has no REST route for ${stage}`);
    return r;
  }

  /** One call with its retries; the success envelope, or a ToolError (StaleStateError for a stale apply). */
  private async send(route: RestRoute, input: Args, call: CallInfo, w: { idempotencyKey?: string; stateDigest?: string }): Promise<SuccessEnvelope> {
    const enc = encodeRequest(route, this.inlineFile(route.op, input), this.routeList);
    const url = new URL(enc.path.replace(/^\//, ''), this.base);
    const headers: Record<string, string> = {
      accept: 'application/json',
      [API_KEY_HEADER]: this.opts.apiKey,
      [PRINCIPAL_HEADER]: call.principal,
      ...(enc.body ? { 'content-type': 'application/json' } : {}),
      ...(w.idempotencyKey ? { [IDEMPOTENCY_HEADER]: w.idempotencyKey } : {}),
      ...(w.stateDigest ? { [STATE_DIGEST_HEADER]: w.stateDigest } : {}),
    };
    const body = enc.body ? JSON.stringify(enc.body) : undefined;
    const isWrite = route.write;
    let last: Attempt | Failure | undefined;
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.once(url, enc.method, headers, body, call.signal);
      if ('status' in outcome && outcome.envelope?.success === true && outcome.status < 300) return outcome.envelope;
      last = outcome;
      if ('kind' in outcome && outcome.kind === 'cancelled') break;
      if ('status' in outcome && !retryable(outcome)) throw this.refusal(route, outcome);
      if (attempt >= this.opts.maxRetries) break;
      const wait = this.delay(attempt, 'status' in outcome ? outcome.retryAfterMs : undefined);
      if (wait === undefined) break;
      this.opts.log?.debug(
        { operation: route.op.name, stage: route.stage, attempt: attempt + 1, wait_ms: wait, status: 'status' in outcome ? outcome.status : outcome.kind },
        'retrying upstream request',
      );
      await sleep(wait, call.signal);
    }
    throw this.exhausted(route, isWrite, last!);
  }

  private async once(url: URL, method: string, headers: Record<string, string>, body: string | undefined, callSignal: AbortSignal | undefined): Promise<Attempt | Failure> {
    const timeout = AbortSignal.timeout(this.opts.timeoutMs);
    const signal = callSignal ? AbortSignal.any([callSignal, timeout]) : timeout;
    try {
      const { agent, request } = await this.undici();
      const res = await request(url, { method: method as Dispatcher.HttpMethod, headers, body, dispatcher: agent, signal });
      const text = await res.body.text();
      const attempt: Attempt = { status: res.statusCode };
      const ra = retryAfter(res.headers['retry-after']);
      if (ra !== undefined) attempt.retryAfterMs = ra;
      const parsed = parseEnvelope(text);
      if (parsed) attempt.envelope = parsed;
      else attempt.excerpt = this.excerpt(text);
      return attempt;
    } catch {
      if (callSignal?.aborted) return { kind: 'cancelled' };
      if (timeout.aborted) return { kind: 'timeout' };
      // The error text of a failed connection never includes headers; it is still not echoed.
      return { kind: 'network', message: 'the connection failed or was dropped' };
    }
  }

  /** A definite answer that is not a success: the upstream's own error, kept as it is. */
  private refusal(route: RestRoute, a: Attempt): Error {
    const env = a.envelope;
    if (env && env.success === false) {
      if (route.stage === 'apply' && env.error_code === STATE_CHANGED) {
        const state = env.meta?.state;
        return new StaleStateError(state && typeof state === 'object' ? (state as Record<string, unknown>) : {});
      }
      return ToolError.fromEnvelope({
        error_code: env.error_code,
        summary: this.scrub(env.summary),
        ...(env.action ? { action: env.action } : {}),
        ...(env.details ? { details: env.details } : {}),
      });
    }
    return new ToolError(
      `UPSTREAM_${a.status}`,
      `The API answered HTTP ${a.status} with ${a.excerpt !== undefined ? `a body that is not a JSON envelope: ${JSON.stringify(a.excerpt)}` : 'an unexpected envelope'}.`,
      {
        details: { status: a.status },
      },
    );
  }

  private exhausted(route: RestRoute, isWrite: boolean, last: Attempt | Failure): Error {
    const what =
      'status' in last
        ? `HTTP ${last.status}${last.excerpt !== undefined ? ` (${JSON.stringify(last.excerpt)})` : last.envelope && !last.envelope.success ? ` ${last.envelope.error_code}` : ''}`
        : last.kind === 'timeout'
          ? `no answer within ${this.opts.timeoutMs} ms`
          : last.kind === 'cancelled'
            ? 'the call was cancelled'
            : 'the connection failed or was dropped';
    if (isWrite) {
      // The write may or may not have happened upstream: its outcome is unknown (the guard records that).
      return new ToolError('UPSTREAM_UNAVAILABLE', `The API did not confirm ${route.op.name} (${what}); whether it took effect is unknown.`, {
        hint: 'Read the affected records back before doing anything else; never repeat the change blindly.',
        actionType: 'read_state',
        details: { attempts: this.opts.maxRetries + 1 },
      });
    }
    // A read that kept failing with an answer reports that answer (the upstream's envelope, or status and excerpt).
    if ('status' in last) return this.refusal(route, last);
    return new ToolError('UPSTREAM_UNAVAILABLE', `The API is unavailable for ${route.op.name}: ${what}.`, {
      hint: 'Try again in a moment; nothing was changed by this read.',
      actionType: 'retry_later',
    });
  }

  /** Backoff with full jitter, or the server's Retry-After; undefined when the wait is too long to honour. */
  private delay(attempt: number, retryAfterMs: number | undefined): number | undefined {
    if (retryAfterMs !== undefined) return retryAfterMs > this.opts.maxRetryAfterMs ? undefined : retryAfterMs;
    const cap = Math.min(this.opts.maxBackoffMs, this.opts.backoffMs * 2 ** attempt);
    return Math.round(cap / 2 + Math.random() * (cap / 2));
  }

  private excerpt(text: string): string {
    const flat = this.scrub(text.replace(/\s+/g, ' ').trim());
    return flat.length > EXCERPT_CHARS ? `${flat.slice(0, EXCERPT_CHARS)}…` : flat;
  }

  /** The API key never leaves in anything we return, even if an upstream echoed it. */
  private scrub(s: string): string {
    return this.opts.apiKey ? s.split(this.opts.apiKey).join('[redacted]') : s;
  }
}

function retryable(a: Attempt): boolean {
  if (a.status === 429 || a.status >= 500) return true;
  // The upstream is still executing the same Idempotency-Key: ask again for its outcome.
  return a.status === 409 && a.envelope?.success === false && a.envelope.error_code === 'IDEMPOTENCY_IN_PROGRESS';
}

function parseEnvelope(text: string): Envelope | undefined {
  try {
    const v = JSON.parse(text) as Partial<Envelope> & Record<string, unknown>;
    if (v && typeof v === 'object' && v.success === true && 'data' in v)
      return { success: true, data: v.data, summary: typeof v.summary === 'string' ? v.summary : '', meta: (v.meta as Record<string, unknown>) ?? {} };
    if (v && typeof v === 'object' && v.success === false && typeof v.error_code === 'string' && typeof v.summary === 'string') return v as Envelope;
    return undefined;
  } catch {
    return undefined;
  }
}

/** Retry-After in seconds or as an HTTP date, in milliseconds. */
function retryAfter(h: string | string[] | undefined): number | undefined {
  const v = Array.isArray(h) ? h[0] : h;
  if (!v) return undefined;
  if (/^\d+(\.\d+)?$/.test(v.trim())) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function upstreamShape(why: string): ToolError {
  return new ToolError('UPSTREAM_INVALID_RESPONSE', `The API answered with an unexpected shape: ${why}.`, { details: {} });
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
}
