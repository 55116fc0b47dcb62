// The preview-token guard. A high-risk operation is applied only with a token minted by a preview
// of exactly the same request. A token is bound to the operation, the canonical digest of its
// arguments, the principal, the backend target and a digest of the state the preview read; it is
// short-lived, server-minted (random secret, only its hash stored, an HMAC over the bound fields),
// claimed atomically once (and only while unexpired), and its outcome is recorded so that a repeat
// replays it. A claim names the claiming instance; one whose instance is dead is never re-run.
// The ledger is in the server's state store (SQLite, or PostgreSQL shared by several replicas):
// a claim is one conditional update there, so it is atomic across replicas too.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ToolError } from '../errors.js';
import { isStoreUnavailable, type OutcomeBatch, type ServerStore, type TokenRow, type TokenStatus as Status } from '../state/contract.js';
import { canonicalJson, diffPaths, digest } from './canonical.js';
import { StaleStateError } from '../backend/contract.js';
import type { ErrorEnvelope } from '../errors.js';
import type { Liveness } from '../instance.js';

export interface GuardOptions {
  ttlMs: number;
  now?: () => number;
  /** This process among those sharing the store: claims name its id, and it says whose claim is dead. */
  instance: Liveness;
  /** How long a second apply of an in-flight token waits for its outcome before saying so. */
  inFlightWaitMs?: number;
}

export interface Minted {
  preview_token: string;
  token_id: string;
  expires_at: string;
}

export interface Applied {
  result: unknown;
  replayed: boolean;
  token_id: string;
  summary: string;
}

export interface ApplyRequest {
  operation: string;
  args: unknown;
  token: string;
  principal: string;
  target: string;
}

export interface Execution {
  /** Asks the person when the operation needs it; throws to decline. Runs before the claim. */
  confirm?: (summary: string) => Promise<void>;
  /**
   * Executes with the bound state digest; must call record(result) (in its transaction where it
   * has one), which adds the outcome to `batch`, the write's outcome records. The guard commits
   * the batch after execute if execute did not.
   */
  execute: (expect: { stateDigest: string; idempotencyKey: string; tokenId: string; summary: string; batch: OutcomeBatch; record: (result: unknown) => void }) => Promise<unknown>;
}

const TOKEN_PREFIX = 'nxp1';
const TOKEN_RE = /^nxp1\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;
/** State parts whose canonical JSON is at most this long are kept verbatim to say what changed. */
const VERBATIM_LIMIT = 300;

export class Guard {
  private keyLoad: Promise<Buffer> | undefined;
  private readonly now: () => number;
  private readonly instance: Liveness;
  private readonly inFlight = new Set<string>();
  private readonly inFlightWaitMs: number;

  constructor(
    private readonly store: ServerStore,
    private readonly opts: GuardOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.instance = opts.instance;
    this.inFlightWaitMs = opts.inFlightWaitMs ?? 15_000;
  }

  get instanceId(): string {
    return this.instance.id;
  }

  /** The HMAC key, shared by every process on the store: read once, again after a failed read. */
  private key(): Promise<Buffer> {
    this.keyLoad ??= this.store
      .metaGetOrCreate('guard_hmac_key', () => randomBytes(32).toString('hex'))
      .then(
        (hex) => Buffer.from(hex, 'hex'),
        (err: unknown) => {
          this.keyLoad = undefined;
          throw err;
        },
      );
    return this.keyLoad;
  }

  /** Mints a token for a preview. Writes only to the ledger, never to the workspace. */
  async mint(p: { operation: string; args: unknown; principal: string; target: string; state: Record<string, unknown>; summary: string }): Promise<Minted> {
    const tokenId = randomBytes(16).toString('base64url');
    const secret = randomBytes(32).toString('base64url');
    const created = this.now();
    const expires = created + this.opts.ttlMs;
    const argsDigest = digest(p.args);
    const stateDigest = digest(p.state);
    const row = {
      token_id: tokenId,
      secret_hash: sha256(secret),
      operation: p.operation,
      principal: p.principal,
      target: p.target,
      args_digest: argsDigest,
      args_json: canonicalJson(p.args),
      state_digest: stateDigest,
      state_json: canonicalJson(snapshot(p.state)),
      summary: p.summary,
      created_at: created,
      expires_at: expires,
    };
    await this.store.insertToken({ ...row, mac: this.mac(await this.key(), row) });
    await this.sweep(created);
    return { preview_token: `${TOKEN_PREFIX}.${tokenId}.${secret}`, token_id: tokenId, expires_at: new Date(expires).toISOString() };
  }

  async apply(req: ApplyRequest, exec: Execution): Promise<Applied> {
    const row = await this.verify(req);
    const argsJson = canonicalJson(req.args);
    if (digest(req.args) !== row.args_digest) {
      const fields = diffPaths(JSON.parse(row.args_json), JSON.parse(argsJson));
      throw new ToolError('PREVIEW_MISMATCH', `These arguments differ from the previewed ones at: ${fields.join(', ')}.`, {
        hint: 'Apply exactly the arguments you previewed, or preview the new arguments first.',
        actionType: 'preview_again',
        details: { differing_fields: fields },
      });
    }
    const settled = this.settled(row);
    if (settled) return settled;
    if (row.status === 'claimed') return this.awaitInFlight(row);
    if (this.now() > row.expires_at) throw expired(row.expires_at);
    if (exec.confirm) await exec.confirm(row.summary);
    // Others judge this claim by this instance's lease: it must be registered before it claims.
    await this.instance.ready?.();
    // Expiry is checked again inside the claim: a confirmation held open past the expiry must not apply.
    // No claim recorded (the store is unreachable): nothing runs.
    const claim = await this.store.claimToken(row.token_id, this.instance.id, this.now());
    if (claim === 'expired') throw expired(row.expires_at);
    if (claim === 'lost') return this.apply(req, exec); // another caller won the claim: replay or wait for it

    this.inFlight.add(row.token_id);
    let recorded = false;
    const batch = this.store.batch();
    try {
      const result = await exec.execute({
        stateDigest: row.state_digest,
        idempotencyKey: `nox-${row.token_id}`,
        tokenId: row.token_id,
        summary: row.summary,
        batch,
        record: (result) => {
          batch.finishToken(row.token_id, 'applied', { result }, this.now());
          recorded = true;
        },
      });
      if (recorded) await batch.commit();
      else await this.finish(row.token_id, 'applied', { result });
      return { result, replayed: false, token_id: row.token_id, summary: row.summary };
    } catch (err) {
      // The write was done elsewhere but its outcome could not be committed: it stays claimed, so
      // it is never run again (a later apply finds it unknown).
      if (recorded && isStoreUnavailable(err)) throw unknownOutcome(row.token_id);
      if (recorded) throw err;
      if (err instanceof StaleStateError) {
        const envelope = this.staleError(row, err.state).toEnvelope();
        await this.finish(row.token_id, 'stale', { error: envelope });
        throw ToolError.fromEnvelope(envelope);
      }
      if (err instanceof ToolError && err.code !== 'UPSTREAM_UNAVAILABLE' && err.code !== 'APPLY_OUTCOME_UNKNOWN') {
        // A definite refusal by the backend: nothing changed; record it so a repeat gives the same answer.
        await this.finish(row.token_id, 'failed', { error: err.toEnvelope() });
        throw err;
      }
      if (err instanceof ToolError) {
        await this.finish(row.token_id, 'unknown', { error: err.toEnvelope() });
        throw unknownOutcome(row.token_id);
      }
      // An unexpected failure inside the backend: its transaction rolled back, so nothing was applied.
      await this.finish(row.token_id, 'failed', {
        error: { error_code: 'INTERNAL_ERROR', summary: 'The apply failed inside the server and was rolled back; nothing was applied.' },
      });
      throw err;
    } finally {
      this.inFlight.delete(row.token_id);
    }
  }

  /** Token lookup and authenticity: PREVIEW_INVALID for anything not minted here for this caller. */
  private async verify(req: ApplyRequest): Promise<TokenRow> {
    const m = TOKEN_RE.exec(req.token.trim());
    const invalid = (why: string) =>
      new ToolError('PREVIEW_INVALID', `The preview token is not valid: ${why}.`, {
        hint: 'Call the matching _preview tool and pass its preview_token unchanged.',
        actionType: 'preview_again',
      });
    if (!m) throw invalid('it is not a token this server issued');
    const row = await this.store.getToken(m[1]!);
    if (!row) throw invalid('it is unknown to this server (it may have been purged after expiry)');
    const presented = Buffer.from(sha256(m[2]!), 'hex');
    const stored = Buffer.from(row.secret_hash, 'hex');
    if (presented.length !== stored.length || !timingSafeEqual(presented, stored)) throw invalid('its secret does not match');
    if (!safeEqualHex(this.mac(await this.key(), row), row.mac)) throw invalid('its ledger record failed the integrity check');
    if (row.operation !== req.operation) throw invalid(`it was issued for ${row.operation}, not ${req.operation}`);
    if (row.principal !== req.principal) throw invalid('it was issued to another principal');
    if (row.target !== req.target) throw invalid('it was issued for another backend target');
    return row;
  }

  /** The recorded outcome of a finished token, replayed; undefined while not finished. */
  private settled(row: TokenRow): Applied | undefined {
    const outcome = row.outcome_json ? (JSON.parse(row.outcome_json) as { result?: unknown; error?: ErrorEnvelope }) : undefined;
    switch (row.status) {
      case 'applied':
        return { result: outcome?.result, replayed: true, token_id: row.token_id, summary: row.summary };
      case 'failed':
      case 'stale': {
        const err = ToolError.fromEnvelope(outcome!.error!);
        (err as { details?: Record<string, unknown> }).details = { ...(err.details ?? {}), replayed: true };
        throw err;
      }
      case 'unknown':
        throw unknownOutcome(row.token_id);
      default:
        return undefined;
    }
  }

  /** A claimed token without an outcome: wait for a live claimant; a dead one leaves the outcome unknown. */
  private async awaitInFlight(row: TokenRow): Promise<Applied> {
    const deadline = this.now() + this.inFlightWaitMs;
    for (;;) {
      const current = (await this.store.getToken(row.token_id))!;
      const done = this.settled(current);
      if (done) return done;
      if (!(await this.claimantAlive(current.claimed_by, row.token_id))) {
        if (await this.store.abandonClaim(row.token_id, this.now())) throw unknownOutcome(row.token_id);
        continue; // its outcome was recorded meanwhile: read it back
      }
      if (this.now() > deadline) {
        throw new ToolError('APPLY_IN_PROGRESS', 'This preview token is being applied by another call right now.', {
          hint: 'Call apply again with the same token in a moment to get the recorded outcome.',
          actionType: 'retry_later',
        });
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Whether the claimant of a token is still applying it: this process knows; another's lease says. */
  private async claimantAlive(claimedBy: string | null, tokenId: string): Promise<boolean> {
    if (!claimedBy) return false;
    if (claimedBy === this.instance.id) return this.inFlight.has(tokenId);
    return this.instance.isAlive(claimedBy);
  }

  /** Records an outcome that has no write of its own to commit with (a refusal, an unknown). */
  private async finish(tokenId: string, status: Status, outcome: { result?: unknown; error?: ErrorEnvelope }): Promise<void> {
    const batch = this.store.batch();
    batch.finishToken(tokenId, status, outcome, this.now());
    await batch.commit();
  }

  private staleError(row: TokenRow, state: Record<string, unknown>): ToolError {
    const before = JSON.parse(row.state_json) as Record<string, Part>;
    const after = snapshot(state);
    const changes = Object.keys({ ...before, ...after })
      .sort()
      .filter((k) => before[k]?.digest !== after[k]?.digest)
      .map((k) => describeChange(k, before[k], after[k]));
    return new ToolError('PREVIEW_STALE', `What this preview read has changed since: ${changes.map((c) => c.text).join('; ')}. Nothing was applied.`, {
      hint: 'Preview again to see the current effect, then apply the new token.',
      actionType: 'preview_again',
      details: { changed: changes.map(({ part, before, after }) => ({ part, before, after })) },
    });
  }

  /** Drops long-expired unused tokens so the ledger does not grow without bound. */
  private sweep(now: number): Promise<void> {
    return this.store.sweepTokens(now - 24 * 3600_000);
  }

  private mac(key: Buffer, r: Pick<TokenRow, 'token_id' | 'secret_hash' | 'operation' | 'principal' | 'target' | 'args_digest' | 'state_digest' | 'expires_at' | 'summary'>): string {
    // The summary is covered too: it is what a person is shown when asked to approve.
    const fields = [r.token_id, r.secret_hash, r.operation, r.principal, r.target, r.args_digest, r.state_digest, String(r.expires_at), r.summary];
    return createHmac('sha256', key).update(fields.join('\n')).digest('hex');
  }
}

interface Part {
  digest: string;
  value?: unknown;
}

/** A compact record of preview state: a digest per top-level part, small parts kept verbatim. */
function snapshot(state: Record<string, unknown>): Record<string, Part> {
  const out: Record<string, Part> = {};
  for (const [k, v] of Object.entries(state)) {
    const json = canonicalJson(v);
    out[k] = json.length <= VERBATIM_LIMIT ? { digest: sha256(json), value: JSON.parse(json ?? 'null') } : { digest: sha256(json) };
  }
  return out;
}

function describeChange(part: string, before: Part | undefined, after: Part | undefined): { part: string; text: string; before?: unknown; after?: unknown } {
  if (!before) return { part, text: `${part} appeared` };
  if (!after) return { part, text: `${part} is gone` };
  if ('value' in before && 'value' in after) {
    const fields = diffPaths(before.value, after.value, 5, part);
    return { part, text: `${fields.join(', ')} changed`, before: before.value, after: after.value };
  }
  return { part, text: `${part} changed` };
}

function expired(expiresAt: number): ToolError {
  return new ToolError('PREVIEW_EXPIRED', `The preview token expired at ${new Date(expiresAt).toISOString()}.`, {
    hint: 'Preview again with the same arguments and apply the new token.',
    actionType: 'preview_again',
  });
}

function unknownOutcome(tokenId: string): ToolError {
  return new ToolError(
    'APPLY_OUTCOME_UNKNOWN',
    `The apply of token ${tokenId} was claimed but its outcome was never recorded (the server stopped or the upstream did not answer). It will not be executed again.`,
    {
      hint: 'Read the affected records back to see whether the change happened; preview again if it did not.',
      actionType: 'read_state',
      details: { token_id: tokenId },
    },
  );
}

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

function safeEqualHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}
